#!/usr/bin/env python3
"""Generates src/opt/schema_table.rs from the OPT 1.4 XML schema (Template.xsd and what it includes).

Run from the repository root: python3 tools/gen_opt_schema.py ../shared/spec/opt14-xsd > src/opt/schema_table.rs
The table lists, for every complex type, the child elements it allows (its base types' first), with each
element's type and whether it is required (minOccurs >= 1) and single (maxOccurs = 1).
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

XS = "{http://www.w3.org/2001/XMLSchema}"
LEAF = "#text"  # simple content: text only, no child elements
EXTENSIONS = [
    ("C_ATTRIBUTE", ("match_negated", LEAF, False, True)),
    ("C_QUANTITY_ITEM", ("units_system", LEAF, False, True)),
    ("C_QUANTITY_ITEM", ("units_display_name", LEAF, False, True)),
]


def load(folder: Path, name: str, seen: list):
    if name in seen:
        return
    seen.append(name)
    root = ET.parse(folder / name).getroot()
    for inc in root.findall(XS + "include"):
        load(folder, inc.get("schemaLocation"), seen)


def main():
    folder = Path(sys.argv[1])
    files = []
    load(folder, "Template.xsd", files)
    types = {}  # name -> dict(base, elements[(name, type, required, single)], abstract)
    simple = set()

    def local(t):
        return t.split(":")[-1] if t else t

    def element_type(el, owner):
        t = el.get("type")
        if t:
            t = local(t)
            return LEAF if el.get("type").startswith("xs:") or t in simple else t
        inline = el.find(XS + "complexType")
        if inline is not None:
            name = f"{owner}__{el.get('name')}"
            read_complex(name, inline)
            return name
        return LEAF

    def read_particles(node, owner, optional, out):
        for child in node:
            tag = child.tag
            if tag == XS + "element":
                required = not optional and int(child.get("minOccurs", "1")) >= 1
                single = child.get("maxOccurs", "1") == "1"
                out.append((child.get("name"), element_type(child, owner), required, single))
            elif tag in (XS + "sequence",):
                read_particles(child, owner, optional or child.get("minOccurs") == "0", out)
            elif tag == XS + "choice":
                read_particles(child, owner, True, out)

    def read_complex(name, node):
        info = {"base": None, "elements": [], "abstract": node.get("abstract") == "true", "leaf": False}
        types[name] = info
        for child in node:
            if child.tag == XS + "sequence" or child.tag == XS + "choice":
                optional = child.tag == XS + "choice" or child.get("minOccurs") == "0"
                read_particles(child, name, optional, info["elements"])
            elif child.tag == XS + "complexContent":
                for ext in child:
                    base = local(ext.get("base"))
                    info["base"] = base
                    for part in ext:
                        if part.tag in (XS + "sequence", XS + "choice"):
                            read_particles(part, name, part.tag == XS + "choice" or part.get("minOccurs") == "0",
                                           info["elements"])
            elif child.tag == XS + "simpleContent":
                info["leaf"] = True

    roots = [ET.parse(folder / f).getroot() for f in files]
    for root in roots:
        for st in root.findall(XS + "simpleType"):
            simple.add(st.get("name"))
    for root in roots:
        for ct in root.findall(XS + "complexType"):
            read_complex(ct.get("name"), ct)

    # Elements that later openEHR releases added and real OPTs carry (Archetype Designer writes
    # `match_negated` on every attribute, units carry `units_system`); the 1.4 schema files predate them.
    for owner, element in EXTENSIONS:
        types[owner]["elements"].append(element)

    def flat(name, depth=0):
        info = types[name]
        base = info["base"]
        inherited = flat(base, depth + 1) if base in types else []
        own = [e for e in info["elements"]]
        names = {e[0] for e in own}
        return [e for e in inherited if e[0] not in names] + own

    def is_leaf(name):
        while name in types:
            if types[name]["leaf"]:
                return True
            name = types[name]["base"]
        return False

    names = sorted(types)
    index = {n: i for i, n in enumerate(names)}

    def ty_ref(t):
        if t == LEAF or t not in index or is_leaf(t):
            return "LEAF"
        return f"TypeId({index[t]})"

    def ancestors(n):
        while n in types:
            yield n
            n = types[n]["base"]

    # Bits of `TypeDecl::flags`: which of the validator's key types a type is or extends.
    FLAG_TYPES = [("C_OBJECT", 1), ("C_ATTRIBUTE", 2), ("C_ARCHETYPE_ROOT", 4), ("T_COMPLEX_OBJECT", 8)]

    def flags(n):
        names = set(ancestors(n))
        return sum(bit for t, bit in FLAG_TYPES if t in names)

    def base_ref(n):
        b = types[n]["base"]
        return f"Some(TypeId({index[b]}))" if b in index else "None"

    print("// @generated by tools/gen_opt_schema.py from the OPT 1.4 XML schema. Do not edit by hand.")
    print("// Source: " + ", ".join(files))
    print("use super::{ElementDecl, TypeDecl, TypeId, LEAF};\n")
    for n in ["OPERATIONAL_TEMPLATE", "C_OBJECT", "C_ATTRIBUTE", "C_ARCHETYPE_ROOT", "T_COMPLEX_OBJECT",
              "ARCHETYPE_ID", "TEMPLATE_ID", "IntervalOfInteger"]:
        const = n.upper().replace("INTERVALOFINTEGER", "INTERVAL_OF_INTEGER")
        print(f"pub(crate) const {const}: TypeId = TypeId({index[n]});")
    print(f"pub(crate) static TYPES: [TypeDecl; {len(names)}] = [")
    for n in names:
        els = flat(n) if not is_leaf(n) else []
        assert len(els) <= 64, n
        print(f"    TypeDecl {{ name: {n!r}, base: {base_ref(n)}, flags: {flags(n)}, elements: &[".replace("'", '"'))
        for (en, et, req, single) in els:
            print(f"        ElementDecl {{ name: \"{en}\", ty: {ty_ref(et)}, required: {str(req).lower()}, single: {str(single).lower()} }},")
        print("    ] },")
    print("];")


main()
