#!/usr/bin/env python3
"""Checks trailblame's JSON outputs against the JSON Schemas in schemas/.

Usage:
    schema_check.py SCHEMA.json OUTPUT.json [OUTPUT.json ...]
    schema_check.py --draft OUTPUT.json      # a starting schema, on stdout

Exit 1 with one line per problem (the JSON path and what is wrong) when an
output does not match; exit 2 when the `jsonschema` package is missing
(scripts/test-deps installs it). --draft infers a strict schema from one
output (every key seen, types as seen; fractional numbers may also be
"Infinity"/"-Infinity"/null), to be read and edited before it is committed.
"""

from __future__ import annotations

import json
import sys


def draft(value):
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"$ref": "#/$defs/real"}
    if isinstance(value, str):
        return {"type": "string"}
    if value is None:
        return {"type": "null"}
    if isinstance(value, list):
        items = None
        for v in value:
            items = merge(items, draft(v))
        return {"type": "array", "items": items if items is not None else {}}
    keys = {k: draft(v) for k, v in value.items()}
    return {"type": "object", "required": sorted(keys), "additionalProperties": False,
            "properties": keys}


def strip_null(x):
    """`x` without null, and whether it allowed null."""
    if x == {"type": "null"}:
        return None, True
    t = x.get("type")
    if isinstance(t, list) and "null" in t:
        rest = [v for v in t if v != "null"]
        return {**x, "type": rest[0] if len(rest) == 1 else rest}, True
    return x, False


def add_null(x):
    if "$ref" in x:
        return x  # a real already allows null
    if "anyOf" in x:
        return {"anyOf": x["anyOf"] + [{"type": "null"}]}
    t = x.get("type")
    return {**x, "type": [t, "null"] if isinstance(t, str) else t + ["null"]}


def merge(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    (a, na), (b, nb) = strip_null(a), strip_null(b)
    if a is None or b is None:
        res = a or b
    elif a.get("type") == "object" and b.get("type") == "object":
        props = dict(a["properties"])
        for k, v in b["properties"].items():
            props[k] = merge(props.get(k), v)
        res = {"type": "object", "required": sorted(set(a["required"]) & set(b["required"])),
               "additionalProperties": False, "properties": props}
    elif a.get("type") == "array" and b.get("type") == "array":
        res = {"type": "array", "items": merge(a["items"] or None, b["items"] or None) or {}}
    elif all(x.get("type") == "integer" or "$ref" in x for x in (a, b)):
        res = {"$ref": "#/$defs/real"}
    elif a == b:
        res = a
    else:
        res = {"anyOf": [a, b]}
    if res is None:
        return {"type": "null"}
    return add_null(res) if na or nb else res


REAL = {"description": "a number, \"Infinity\", \"-Infinity\", or null for NaN",
        "oneOf": [{"type": "number"}, {"enum": ["Infinity", "-Infinity"]}, {"type": "null"}]}


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--draft":
        with open(argv[1], encoding="utf-8") as f:
            schema = draft(json.load(f))
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema,
                  "$defs": {"real": REAL}}
        print(json.dumps(schema, indent=2))
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import jsonschema
    except ImportError:
        print("schema_check: Python's jsonschema is missing: run scripts/test-deps", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failed = 0
    for path in argv[1:]:
        with open(path, encoding="utf-8") as f:
            value = json.load(f)
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        for e in errors[:20]:
            where = "".join(f"[{p!r}]" for p in e.absolute_path) or "(top)"
            print(f"{path}: {where}: {e.message[:300]}")
        failed += len(errors)
        if not errors:
            print(f"{path}: matches {argv[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
