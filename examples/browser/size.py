#!/usr/bin/env python3
"""What a wasm module's code is made of: the size of each function body
(code section), grouped by the crate its (demangled-enough) name starts
with, from the module's `name` section. Usage: size.py MODULE.wasm"""
import gzip
import re
import sys
from collections import Counter


def leb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def sections(data):
    pos = 8
    while pos < len(data):
        kind = data[pos]
        size, pos = leb(data, pos + 1)
        yield kind, data[pos:pos + size]
        pos += size


def read_name(body, pos):
    n, pos = leb(body, pos)
    return body[pos:pos + n].decode("utf-8", "replace"), pos + n


def crate_of(name):
    # Legacy mangling: _ZN<len><ident>...; otherwise demangled names,
    # `core[hash]::...` or `<alloc[hash]::... as ...>::...`.
    m = re.match(r"_ZN(\d+)", name)
    if m:
        ident = name[m.end():m.end() + int(m.group(1))]
        inner = re.match(r"_\$LT\$(\w+?)\.\.", ident)
        return inner.group(1) if inner else ident
    if name.startswith("_R"):  # v0 mangling: the first crate root, C[s<hash>_]<len><ident>
        m = re.search(r"C(?:s[0-9A-Za-z]*_)?(\d+)", name)
        if m:
            return name[m.end():m.end() + int(m.group(1))]
    m = re.match(r"[<&\s]*(?:dyn |mut )?(\w+)(?:\[[0-9a-f]+\])?::", name)
    if m:
        return m.group(1)
    return "(no crate: " + name[:30] + ")"


def main(path):
    data = open(path, "rb").read()
    imported = 0
    bodies = []
    names = {}
    custom = Counter()
    for kind, body in sections(data):
        if kind == 2:  # imports: functions among them shift the indices
            count, pos = leb(body, 0)
            for _ in range(count):
                _, pos = read_name(body, pos)
                _, pos = read_name(body, pos)
                what = body[pos]
                pos += 1
                if what == 0:
                    _, pos = leb(body, pos)
                    imported += 1
                elif what == 1:
                    pos += 1
                    flags, pos = leb(body, pos)
                    _, pos = leb(body, pos)
                    if flags & 1:
                        _, pos = leb(body, pos)
                elif what == 2:
                    flags, pos = leb(body, pos)
                    _, pos = leb(body, pos)
                    if flags & 1:
                        _, pos = leb(body, pos)
                elif what == 3:
                    pos += 2
                else:
                    pos += 2
        elif kind == 11:  # data
            custom["(data section)"] += len(body)
        elif kind == 10:  # code
            count, pos = leb(body, 0)
            for _ in range(count):
                size, pos = leb(body, pos)
                bodies.append(size)
                pos += size
        elif kind == 0:
            name, pos = read_name(body, 0)
            custom[name] += len(body)
            if name == "name":
                while pos < len(body):
                    sub = body[pos]
                    size, pos = leb(body, pos + 1)
                    if sub == 1:
                        count, p = leb(body, pos)
                        for _ in range(count):
                            index, p = leb(body, p)
                            fname, p = read_name(body, p)
                            names[index] = fname
                    pos += size
    total = len(data)
    code = sum(bodies)
    print(f"{path}: {total} bytes, {len(gzip.compress(data, 9))} gzipped")
    print(f"  code section: {code} bytes in {len(bodies)} functions")
    for name, size in custom.items():
        print(f"  {name if name.startswith('(') else 'custom section ' + repr(name)}: {size} bytes")
    by_crate = Counter()
    for i, size in enumerate(bodies):
        by_crate[crate_of(names.get(imported + i, "?"))] += size
    print("  code by crate (bytes, share of the code):")
    for crate, size in by_crate.most_common(25):
        print(f"    {size:8d}  {100 * size / code:5.1f} %  {crate}")


if __name__ == "__main__":
    main(sys.argv[1])
