"""Converts Algolia's bundled OpenAPI YAML files into the JSON fixtures beside this script.

Usage: python3 convert.py BUNDLE.yml... (writes NAME.json here for each).
YAML 1.2 core schema: only `true`/`false` are booleans and timestamps stay strings, so
`on`, `yes` or a date in an example keep the text the spec wrote.
"""
import json, os, re, sys
import yaml

class Loader(yaml.SafeLoader):
    pass

# Drop YAML 1.1's bool (yes/no/on/off), timestamp and `=` resolvers; keep true/false.
Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp",
                           "tag:yaml.org,2002:value")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

here = os.path.dirname(os.path.abspath(__file__))
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=Loader)
    name = os.path.splitext(os.path.basename(path))[0]
    with open(os.path.join(here, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
