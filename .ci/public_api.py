#!/usr/bin/env python3
"""The public API of a crate as sorted lines, from rustdoc's JSON output.

    python3 .ci/public_api.py target/doc/algolia_insights.json

One line per public item reachable from the crate root (modules, types,
functions, constants, macros, fields, variants and their fields, inherent
methods with their signatures, trait impls), by the path a user writes. `#[doc(hidden)]` items
are left out, as rustdoc leaves them out: they are the generated code's
plumbing, not the API. `.ci/run` compares the lines with `public-api.txt`, so
that a new public item, or a changed signature, shows up in review.
"""

import json
import sys


def main(path):
    doc = json.load(open(path))
    index = doc["index"]
    paths = doc["paths"]
    lines = set()
    seen = {}
    # Where a user finds each item: filled by a first walk, used by the second.
    canonical = {}

    def item(id_):
        return index.get(str(id_))

    def full_path(id_, fallback):
        if id_ in canonical:
            return canonical[id_]
        entry = paths.get(str(id_))
        return "::".join(entry["path"]) if entry else fallback

    def ty(t):
        if t is None:
            return "()"
        (kind, v), = t.items()
        if kind == "resolved_path":
            return full_path(v["id"], v["path"]) + args(v.get("args"))
        if kind == "primitive":
            return v
        if kind == "generic":
            return v
        if kind == "borrowed_ref":
            lifetime = v["lifetime"] + " " if v.get("lifetime") else ""
            return "&" + lifetime + ("mut " if v["is_mutable"] else "") + ty(v["type"])
        if kind == "raw_pointer":
            return ("*mut " if v["is_mutable"] else "*const ") + ty(v["type"])
        if kind == "slice":
            return "[" + ty(v) + "]"
        if kind == "array":
            return "[" + ty(v["type"]) + "; " + v["len"] + "]"
        if kind == "tuple":
            return "(" + ", ".join(ty(x) for x in v) + ")"
        if kind == "impl_trait":
            return "impl " + " + ".join(bound(b) for b in v)
        if kind == "dyn_trait":
            return "dyn " + " + ".join(
                full_path(p["trait"]["id"], p["trait"]["path"]) + args(p["trait"].get("args"))
                for p in v["traits"]
            )
        if kind == "qualified_path":
            trait = v.get("trait")
            trait_s = full_path(trait["id"], trait["path"]) if trait else "_"
            return "<" + ty(v["self_type"]) + " as " + trait_s + ">::" + v["name"]
        if kind == "function_pointer":
            sig = v["sig"]
            return "fn(" + ", ".join(ty(i[1]) for i in sig["inputs"]) + ") -> " + ty(sig["output"])
        return kind

    def args(a):
        if not a:
            return ""
        (kind, v), = a.items()
        if kind == "angle_bracketed":
            parts = []
            for arg in v["args"]:
                (k, x), = arg.items()
                parts.append(ty(x) if k == "type" else (x if isinstance(x, str) else k))
            for c in v.get("constraints", []):
                binding = c.get("binding", {})
                if "equality" in binding:
                    eq = binding["equality"]
                    parts.append(c["name"] + " = " + (ty(eq["type"]) if "type" in eq else "_"))
                else:
                    parts.append(c["name"])
            return "<" + ", ".join(parts) + ">" if parts else ""
        if kind == "parenthesized":
            return "(" + ", ".join(ty(x) for x in v["inputs"]) + ") -> " + ty(v.get("output"))
        return ""

    def bound(b):
        if "trait_bound" in b:
            t = b["trait_bound"]["trait"]
            return full_path(t["id"], t["path"]) + args(t.get("args"))
        if "outlives" in b:
            return b["outlives"]
        return "use<..>"

    def generics(g):
        parts = []
        for p in g["params"]:
            kind = p["kind"]
            if "type" in kind and kind["type"].get("is_synthetic"):
                continue
            if "lifetime" in kind:
                parts.append(p["name"])
            elif "type" in kind:
                bounds = kind["type"]["bounds"]
                parts.append(p["name"] + (": " + " + ".join(bound(b) for b in bounds) if bounds else ""))
            else:
                parts.append("const " + p["name"])
        return "<" + ", ".join(parts) + ">" if parts else ""

    def signature(name, f):
        sig = f["sig"]
        header = f.get("header", {})
        prefix = ("const " if header.get("is_const") else "") + ("async " if header.get("is_async") else "")
        inputs = ", ".join(
            (n if n == "self" else n + ": " + ty(t)) if n != "self" else ty(t) for n, t in sig["inputs"]
        )
        out = sig.get("output")
        return prefix + name + generics(f["generics"]) + "(" + inputs + ")" + (" -> " + ty(out) if out else "")

    def members(it, at):
        inner = it["inner"]
        (kind, v), = inner.items()
        if kind == "struct":
            k = v["kind"]
            if "plain" in k:
                for fid in k["plain"]["fields"]:
                    f = item(fid)
                    lines.add("field " + at + "::" + f["name"] + ": " + ty(f["inner"]["struct_field"]))
                if k["plain"]["has_stripped_fields"]:
                    lines.add("struct " + at + " has private fields")
            elif "tuple" in k:
                for n, fid in enumerate(k["tuple"]):
                    if fid is not None:
                        f = item(fid)
                        lines.add("field " + at + "::" + str(n) + ": " + ty(f["inner"]["struct_field"]))
        if kind == "enum":
            for vid in v["variants"]:
                var = item(vid)
                vat = at + "::" + var["name"]
                lines.add("variant " + vat)
                # A variant's fields are API too (their types are matched on).
                vk = var["inner"]["variant"]["kind"]
                if isinstance(vk, dict) and "tuple" in vk:
                    for n, fid in enumerate(vk["tuple"]):
                        if fid is not None:
                            f = item(fid)
                            lines.add("field " + vat + "::" + str(n) + ": " + ty(f["inner"]["struct_field"]))
                elif isinstance(vk, dict) and "struct" in vk:
                    for fid in vk["struct"]["fields"]:
                        f = item(fid)
                        lines.add("field " + vat + "::" + f["name"] + ": " + ty(f["inner"]["struct_field"]))
        if kind == "trait":
            for tid in v["items"]:
                t = item(tid)
                if t is None:
                    continue
                (tk, tv), = t["inner"].items()
                if tk == "function":
                    lines.add("trait-fn " + at + "::" + signature(t["name"], tv))
                else:
                    lines.add("trait-" + tk + " " + at + "::" + t["name"])
        for iid in v.get("impls", []) if isinstance(v, dict) else []:
            impl = item(iid)
            if impl is None:
                continue
            im = impl["inner"]["impl"]
            if im["is_synthetic"] or im["blanket_impl"] is not None:
                continue
            if im["trait"] is None:
                for mid in im["items"]:
                    m = item(mid)
                    if m is None:
                        continue
                    (mk, mv), = m["inner"].items()
                    if mk == "function":
                        lines.add("fn " + at + "::" + signature(m["name"], mv))
                    elif mk == "assoc_const":
                        lines.add("const " + at + "::" + m["name"] + ": " + ty(mv["type"]))
                    else:
                        lines.add(mk + " " + at + "::" + m["name"])
            else:
                t = im["trait"]
                lines.add("impl " + at + ": " + full_path(t["id"], t["path"]) + args(t.get("args")))

    def visit(id_, at):
        it = item(id_)
        if it is None:
            # A re-export of another crate's item.
            lines.add("use " + at + " = " + full_path(id_, "?"))
            return
        if id_ in seen:
            if seen[id_] != at:
                lines.add("use " + at + " = " + seen[id_])
            return
        seen[id_] = at
        (kind, v), = it["inner"].items()
        if kind == "module":
            if not v["is_crate"]:
                lines.add("mod " + at)
            for cid in v["items"]:
                child = item(cid)
                if child is None:
                    continue
                (ck, cv), = child["inner"].items()
                if ck == "use":
                    if cv["id"] is None:
                        continue
                    if cv["is_glob"]:
                        target = item(cv["id"])
                        if target is not None:
                            for gid in target["inner"]["module"]["items"]:
                                g = item(gid)
                                if g is not None and g["name"]:
                                    visit(gid, at + "::" + g["name"])
                        continue
                    visit(cv["id"], at + "::" + cv["name"])
                elif ck == "impl":
                    continue
                else:
                    visit(cid, at + "::" + child["name"])
        elif kind == "function":
            lines.add("fn " + signature(at, v))
        elif kind == "constant":
            lines.add("const " + at + ": " + ty(v["type"]))
        elif kind == "static":
            lines.add("static " + at + ": " + ty(v["type"]))
        elif kind == "type_alias":
            lines.add("type " + at + " = " + ty(v["type"]))
        else:
            lines.add(kind + " " + at)
            members(it, at)

    root = doc["root"]
    visit(root, index[str(root)]["name"])
    canonical.update(seen)
    lines.clear()
    seen.clear()
    visit(root, index[str(root)]["name"])
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main(sys.argv[1])
