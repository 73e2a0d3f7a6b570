#!/usr/bin/env python3
"""Runs every shipped query on DuckDB and on trailblame, and compares them.

    duckdb_check.py STORE QUERIES_DIR --trailblame BIN [--config FILE]
                    [--param name=value ...] [--only NAME ...]

Keeps the SQL in `queries/` portable (issue 8): each `*.sql` file is run by
DuckDB over the store's Parquet files and by `BIN query FILE --store STORE
--format csv`, and the two results must have the same column names, the same
number of rows and the same rows: in order when the statement ends with an
ORDER BY, as multisets otherwise. Values are compared after normalising:
numbers with a relative tolerance of 1e-9, booleans as booleans, NULL and the
empty string kept apart (trailblame's CSV quotes an empty string and leaves
NULL bare), timestamps as µs UTC strings, lists element by element. The
DuckDB column type says how to read trailblame's CSV field.

The DuckDB views are the ones queries/README.md documents: one per table,
over the Parquet parts the store's manifest lists; `events` is the Hive-
partitioned events (`event_date` a DATE) LEFT JOIN `attribution` USING
(event_id), as in trailblame's SQL. A table with no parts is an empty table
with the columns `BIN schema` lists.

Before reading the store, one trailblame query brings the stored attribution
in line with the settings (`--config`, else trailblame's default), as any
trailblame command does, so both engines read the same attribution.

`:name` placeholders (outside quotes and comments, not `::`) become the
`--param name=value` value as a single-quoted SQL string (quotes doubled);
trailblame is given the `--param` options a file uses, and none for a file
without placeholders.

Prints one line per query (ok / DIFF / ERROR) and exits 1 when any query
differs or fails, 2 on a usage error or when the store cannot be read. Needs the `duckdb` package
(scripts/requirements-duckdb.txt).
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REL_TOL = 1e-9
ABS_TOL = 1e-12  # float noise around zero (a sum of doubles that cancels)

TABLES = [
    "events",
    "quarantine",
    "ingested_files",
    "agent_sessions",
    "tool_calls",
    "messages",
    "attribution",
    "findings",
]

# `trailblame schema` type -> DuckDB type, for tables with no parts yet.
SCHEMA_TYPES = {
    "VARCHAR": "VARCHAR",
    "TIMESTAMP (UTC, µs)": "TIMESTAMPTZ",
    "BIGINT (unsigned)": "UBIGINT",
    "BIGINT": "BIGINT",
    "DOUBLE": "DOUBLE",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "ARRAY<VARCHAR>": "VARCHAR[]",
}


# ---------------------------------------------------------------- SQL text


def sql_tokens(sql: str):
    """Yields (kind, text) for the SQL: kind is 'code' (one character),
    'string' ('…'), 'quoted' ("…" or `…`) or 'comment' (-- or /* */)."""
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"`":
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # doubled quote
                        j += 2
                        continue
                    break
                j += 1
            yield ("string" if c == "'" else "quoted"), sql[i : j + 1]
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            yield "comment", sql[i:j]
            i = j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            yield "comment", sql[i:j]
            i = j
        else:
            yield "code", c
            i += 1


IDENT_START = re.compile(r"[A-Za-z_]")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def substitute(sql: str, params: dict[str, str]) -> tuple[str, list[str]]:
    """Replaces `:name` placeholders by `params[name]` as a SQL string
    literal. Returns the new text and the names met (in order, repeated).
    Raises KeyError(name) for a placeholder with no value."""
    out: list[str] = []
    names: list[str] = []
    code = ""  # a run of code characters, scanned for placeholders at its end

    def flush():
        nonlocal code
        i, n = 0, len(code)
        while i < n:
            c = code[i]
            if c == ":" and code.startswith("::", i):
                out.append("::")
                i += 2
            elif c == ":" and i + 1 < n and IDENT_START.match(code[i + 1]):
                name = IDENT.match(code, i + 1).group(0)
                if name not in params:
                    raise KeyError(name)
                names.append(name)
                out.append("'" + params[name].replace("'", "''") + "'")
                i += 1 + len(name)
            else:
                out.append(c)
                i += 1
        code = ""

    for kind, text in sql_tokens(sql):
        if kind == "code":
            code += text
        else:
            flush()
            out.append(text)
    flush()
    return "".join(out), names


def has_top_level_order_by(sql: str) -> bool:
    """True when the statement itself (not a subquery or window) is ordered."""
    code = "".join(
        t if k == "code" else (" " if k == "comment" else " x ")
        for k, t in sql_tokens(sql)
    )
    depth = 0
    words: list[str] = []
    for m in re.finditer(r"[()]|[A-Za-z_][A-Za-z0-9_]*", code):
        tok = m.group(0)
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif depth == 0:
            words.append(tok.upper())
    return any(a == "ORDER" and b == "BY" for a, b in zip(words, words[1:]))


# ------------------------------------------------------------------- DuckDB


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def schema_columns(binary: str) -> dict[str, list[tuple[str, str]]]:
    """Table -> [(column, DuckDB type)] from `BIN schema`."""
    text = subprocess.run(
        [binary, "schema"], check=True, capture_output=True, text=True
    ).stdout
    tables: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^## `(\w+)`", line)
        if m:
            current = tables.setdefault(m.group(1), [])
            continue
        m = re.match(r"^\| `(\w+)` \| ([^|]+?) \|", line)
        if m and current is not None:
            typ = m.group(2).strip()
            if typ not in SCHEMA_TYPES:
                raise SystemExit(f"duckdb_check: unknown type {typ!r} in `{binary} schema`")
            current.append((m.group(1), SCHEMA_TYPES[typ]))
    return tables


def register_views(con, store: Path, binary: str) -> None:
    manifest = json.loads((store / "_trailblame.json").read_text())
    parts = manifest.get("parts", {})
    schema = None
    for table in TABLES:
        files = [str(store / p) for p in parts.get(table, [])]
        name = "events_raw" if table == "events" else table
        if files:
            opts = ", hive_partitioning = true, hive_types = {'event_date': DATE}"
            src = "read_parquet([{}]{})".format(
                ", ".join(sql_str(f) for f in files), opts if table == "events" else ""
            )
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {src}")
        else:
            schema = schema or schema_columns(binary)
            cols = list(schema[table])
            if table == "events":
                cols.append(("event_date", "DATE"))
            defs = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in cols)
            con.execute(f"CREATE VIEW {name} AS SELECT {defs} LIMIT 0")
    con.execute(
        "CREATE VIEW events AS SELECT * FROM events_raw LEFT JOIN attribution USING (event_key)"
    )


# ---------------------------------------------------------------- trailblame


CSV_FIELD = re.compile(r'(?:"((?:[^"]|"")*)"|([^,"\r\n]*))(,|\r?\n|$)')


def parse_csv(text: str) -> list[list[str | None]]:
    """RFC 4180 CSV where a bare empty field is NULL and "" the empty string."""
    rows: list[list[str | None]] = []
    row: list[str | None] = []
    i, n = 0, len(text)
    while i < n:
        m = CSV_FIELD.match(text, i)
        if m is None or m.end() == i:
            raise ValueError(f"unreadable CSV at character {i}")
        quoted, bare, sep = m.groups()
        if quoted is not None:
            row.append(quoted.replace('""', '"'))
        else:
            row.append(bare or None)
        i = m.end()
        if sep != ",":
            rows.append(row)
            row = []
    if row:  # no newline at the end, after a comma
        rows.append(row + [None])
    return rows


def run_trailblame(binary, store, file, config, params):
    """`BIN query FILE --store STORE --format csv`, parsed; `params` (only
    the ones the file uses) go along as `--param name=value`."""
    cmd = [binary, "query", str(file), "--store", str(store), "--format", "csv", "-q", "--progress", "off"]
    if config:
        cmd += ["--config", config]
    for k, v in params.items():
        cmd += ["--param", f"{k}={v}"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1):  # 1: the store holds quarantined records
        msg = (p.stderr.strip() or f"exit status {p.returncode}").splitlines()
        raise RuntimeError(" ".join(msg)[:500])
    return parse_csv(p.stdout)


# ---------------------------------------------------------------- comparison

TS_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def ts_text(s: str) -> str | None:
    """A timestamp written by trailblame, as µs UTC text; None if it is not one."""
    m = TS_RE.match(s.strip())
    if not m:
        return None
    day, hh, mm, ss, frac, zone = m.groups()
    frac = (frac or "").ljust(9, "0")
    t = dt.datetime.fromisoformat(f"{day}T{hh}:{mm}:{ss}").replace(
        microsecond=int(frac[:6]), tzinfo=dt.timezone.utc
    )
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        z = zone[1:].replace(":", "")
        off = dt.timedelta(hours=int(z[:2]), minutes=int(z[2:4] or 0))
        t -= sign * off
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def norm_duck(v, in_list=False):
    """A DuckDB value as a comparable tagged tuple."""
    if v is None:
        return ("null",)
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, int):
        return ("num", v)
    if isinstance(v, (float, decimal.Decimal)):
        return ("num", float(v))
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        return ("str", v.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    if isinstance(v, dt.date):
        return ("str", v.isoformat())
    if isinstance(v, (list, tuple)):
        return ("list", tuple(norm_duck(x, True) for x in v))
    if isinstance(v, str):
        t = ts_text(v) if in_list else None  # as norm_json does
        return ("str", t if t is not None else v)
    return ("str", str(v))


def norm_json(v):
    """An element of a list that trailblame wrote as JSON."""
    if v is None:
        return ("null",)
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, (int, float)):
        return ("num", v)
    if isinstance(v, list):
        return ("list", tuple(norm_json(x) for x in v))
    if isinstance(v, str):
        t = ts_text(v)  # a list of timestamps is written as JSON strings
        return ("str", t if t is not None else v)
    return ("str", json.dumps(v, sort_keys=True))


def kind_of(duck_type) -> str:
    t = str(duck_type).upper()
    if t.endswith("[]") or t.startswith(("LIST", "ARRAY")):
        return "list"
    if t == "BOOLEAN":
        return "bool"
    if t.startswith(("TIMESTAMP", "DATETIME")):
        return "ts"
    if re.match(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DECIMAL|NUMERIC|DOUBLE|FLOAT|REAL)", t):
        return "num"
    return "text"


def norm_tb(s: str | None, kind: str):
    """A trailblame CSV field, read as the DuckDB column's kind says."""
    if s is None:
        return ("null",)
    try:
        if kind == "bool" and s in ("true", "false"):
            return ("bool", s == "true")
        if kind == "num":
            if re.fullmatch(r"[+-]?\d+", s):
                return ("num", int(s))
            return ("num", float(s))
        if kind == "ts":
            t = ts_text(s)
            if t is not None:
                return ("str", t)
        if kind == "list":
            return ("list", tuple(norm_json(x) for x in json.loads(s)))
    except ValueError:
        pass
    return ("str", s)


def same(a, b) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "num":
        x, y = a[1], b[1]
        if isinstance(x, int) and isinstance(y, int):
            return x == y
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if a[0] == "list":
        return len(a[1]) == len(b[1]) and all(same(x, y) for x, y in zip(a[1], b[1]))
    return a == b


def sort_key(v):
    """Coarse key (numbers to 6 significant digits) for lining up multisets."""
    if v[0] == "num":
        x = float(v[1])
        return ("num", -math.inf if math.isnan(x) else float(f"{x:.6g}"))
    if v[0] == "list":
        return ("list", tuple(sort_key(x) for x in v[1]))
    return v  # ("null",), ("bool", b), ("str", s): the tag decides first


def show(v) -> str:
    if v[0] == "null":
        return "NULL"
    if v[0] == "list":
        return "[" + ", ".join(show(x) for x in v[1]) + "]"
    if v[0] == "str":
        return json.dumps(v[1], ensure_ascii=False)
    return str(v[1]).lower() if v[0] == "bool" else repr(v[1])


def show_row(cols, row) -> str:
    return "{" + ", ".join(f"{c}={show(v)}" for c, v in zip(cols, row)) + "}"


def rows_equal(a, b) -> bool:
    return all(same(x, y) for x, y in zip(a, b))


def compare(cols, duck_rows, tb_rows, ordered: bool) -> str | None:
    """None when equal, else what differs."""
    if len(duck_rows) != len(tb_rows):
        return f"{len(duck_rows)} rows in DuckDB, {len(tb_rows)} in trailblame"
    if not ordered:
        duck_rows = sorted(duck_rows, key=lambda r: [sort_key(v) for v in r])
        tb_rows = sorted(tb_rows, key=lambda r: [sort_key(v) for v in r])
    for i, (d, t) in enumerate(zip(duck_rows, tb_rows)):
        if not rows_equal(d, t):
            if not ordered and unordered_match(duck_rows, tb_rows):
                return None
            cs = [c for c, x, y in zip(cols, d, t) if not same(x, y)]
            where = f"row {i + 1}" if ordered else f"row {i + 1} (sorted)"
            return (
                f"{where}, column {', '.join(cs)}:\n"
                f"    duckdb:     {show_row(cols, d)}\n"
                f"    trailblame: {show_row(cols, t)}"
            )
    return None


def unordered_match(a, b) -> bool:
    """Exact multiset match with tolerance when the coarse sort misaligned
    near-equal numbers (quadratic: only for small results)."""
    if len(a) > 5000:
        return False
    left = list(b)
    for r in a:
        for j, s in enumerate(left):
            if rows_equal(r, s):
                del left[j]
                break
        else:
            return False
    return True


# ---------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("queries_dir", type=Path)
    ap.add_argument("--trailblame", required=True, help="the trailblame binary")
    ap.add_argument("--config", help="attribution settings passed to trailblame")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run only this query (file name, with or without .sql); repeatable")
    a = ap.parse_args()

    params: dict[str, str] = {}
    for p in a.param:
        name, eq, value = p.partition("=")
        if not eq or not IDENT.fullmatch(name):
            ap.error(f"--param wants name=value, got {p!r}")
        params[name] = value
    binary = str(Path(a.trailblame).resolve()) if os.sep in a.trailblame else a.trailblame
    store = a.store.resolve()
    if not (store / "_trailblame.json").is_file():
        ap.error(f"{store} is not a trailblame store (no _trailblame.json)")
    files = sorted(a.queries_dir.resolve().glob("*.sql"))
    only = {o[:-4] if o.endswith(".sql") else o for o in a.only}
    if only:
        unknown = only - {f.stem for f in files}
        if unknown:
            ap.error(f"no such query in {a.queries_dir}: {', '.join(sorted(unknown))}")
        files = [f for f in files if f.stem in only]
    if not files:
        ap.error(f"no *.sql in {a.queries_dir}")

    started = time.monotonic()
    try:
        # Any attribution rebuild happens now, before DuckDB reads the manifest.
        run_trailblame(binary, store, "SELECT COUNT(*) AS n FROM attribution", a.config, {})
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
        except duckdb.Error:
            pass  # no ICU: timestamps are converted to UTC in Python anyway
        register_views(con, store, binary)
    except (OSError, RuntimeError, subprocess.CalledProcessError, duckdb.Error) as e:
        print(f"duckdb_check: cannot set up: {' '.join(str(e).split())}", file=sys.stderr)
        return 2

    bad = 0
    for f in files:
        name = f.stem
        text = f.read_text()
        try:
            sql, names = substitute(text, params)
        except KeyError as e:
            print(f"ERROR {name}: no --param for :{e.args[0]}")
            bad += 1
            continue
        try:
            cur = con.execute(sql)
            duck_cols = [d[0] for d in cur.description]
            kinds = [kind_of(d[1]) for d in cur.description]
            duck_rows = [[norm_duck(v) for v in r] for r in cur.fetchall()]
        except duckdb.Error as e:
            print(f"ERROR {name}: duckdb: {' '.join(str(e).split())}")
            bad += 1
            continue
        try:
            used = {k: params[k] for k in dict.fromkeys(names)}
            tb = run_trailblame(binary, store, f, a.config, used)
        except (RuntimeError, ValueError) as e:
            print(f"ERROR {name}: trailblame: {e}")
            bad += 1
            continue
        tb_cols = tb[0] if tb else []
        if tb_cols != duck_cols:
            print(f"DIFF {name}: columns: duckdb {duck_cols}, trailblame {tb_cols}")
            bad += 1
            continue
        tb_rows = [[norm_tb(v, k) for v, k in zip(r, kinds)] for r in tb[1:]]
        diff = compare(duck_cols, duck_rows, tb_rows, has_top_level_order_by(sql))
        if diff:
            print(f"DIFF {name}: {diff}")
            bad += 1
        else:
            print(f"ok   {name} ({len(duck_rows)} rows)")
    took = time.monotonic() - started
    print(f"{len(files)} queries: {len(files) - bad} ok, {bad} differ or fail ({took:.1f} s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
