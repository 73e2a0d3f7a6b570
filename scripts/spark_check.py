#!/usr/bin/env python3
"""Runs every shipped query on Spark SQL and on trailblame, and compares them.

    spark_check.py STORE QUERIES_DIR --trailblame BIN [--config FILE]
                   [--param name=value ...] [--only NAME ...] [--check-ddl]
                   [--also STORE ...]

The Spark twin of scripts/duckdb_check.py (issue 21), with the same
comparison rules (it imports them from there). The Spark views are the ones
queries/README.md documents: one temporary view per table folder, read as
it is (`USING parquet OPTIONS (path 'STORE/<table>')`, `event_date` a
partition column inferred as DATE), and `events` = `events_raw` LEFT JOIN
`attribution` USING (event_key). No view is left out or made by hand: every
table folder has a typed part.

--also checks more stores with the same Spark session (it takes seconds to
start). For each store, before trailblame touches it, Spark reads
`store_state` and the script prints whether the stored attribution was
current (`store STORE: attribution current: false` after `ingest
--no-attribution`); then one trailblame query brings it up to date, as in
duckdb_check.py, and the queries are compared.

With --check-ddl, the first store's tables are also declared with `BIN schema --ddl spark
--location STORE` in a database of their own, and each must hold the same
rows as its view.

Runs Spark in local mode (`local[2]`, or $SPARK_MASTER). Needs pyspark and
Java 17 (scripts/test-deps installs them) and the duckdb package, for the
shared code. Exit status as duckdb_check.py: 1 a query differs or fails,
2 setup failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import os
import sys
import time
from pathlib import Path

# Spark hands timestamps to Python in the process's time zone: make it UTC.
os.environ["TZ"] = "UTC"
time.tzset()

sys.path.insert(0, str(Path(__file__).resolve().parent))
from duckdb_check import (  # noqa: E402
    IDENT,
    compare,
    has_top_level_order_by,
    norm_tb,
    run_trailblame,
    substitute,
    ts_text,
)

TABLES = [
    "events",
    "quarantine",
    "ingested_files",
    "agent_sessions",
    "tool_calls",
    "messages",
    "attribution",
    "findings",
    "store_state",
]


def norm_spark(v, in_list=False):
    """A Spark value as a comparable tagged tuple (as duckdb_check.norm_duck)."""
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
        return ("list", tuple(norm_spark(x, True) for x in v))
    if isinstance(v, str):
        t = ts_text(v) if in_list else None
        return ("str", t if t is not None else v)
    return ("str", str(v))


def kind_of(spark_type) -> str:
    from pyspark.sql import types as T

    if isinstance(spark_type, T.ArrayType):
        return "list"
    if isinstance(spark_type, T.BooleanType):
        return "bool"
    if isinstance(spark_type, (T.TimestampType, T.TimestampNTZType)):
        return "ts"
    if isinstance(spark_type, T.NumericType):
        return "num"
    return "text"


def sql_str(s: str) -> str:
    if "\\" in s or "'" in s:
        raise SystemExit(f"spark_check: a path with ' or \\ cannot be quoted for Spark: {s}")
    return "'" + s + "'"


def register_views(spark, store: Path) -> None:
    """queries/README.md's Spark SQL views, as written there."""
    spark.sql("SET spark.sql.session.timeZone = UTC")
    for table in TABLES:
        name = "events_raw" if table == "events" else table
        spark.sql(
            f"CREATE OR REPLACE TEMPORARY VIEW {name} USING parquet "
            f"OPTIONS (path {sql_str(str(store / table))})"
        )
    spark.sql(
        "CREATE OR REPLACE TEMPORARY VIEW events AS "
        "SELECT * FROM events_raw LEFT JOIN attribution USING (event_key)"
    )


def check_ddl(spark, store: Path, binary: str) -> list[str]:
    """`BIN schema --ddl spark` run in a database of its own; each table
    must hold what its folder holds. Returns the problems. The temporary
    views are dropped first (they would shadow the tables' names);
    `register_views` makes them again."""
    import subprocess

    ddl = subprocess.run(
        [binary, "schema", "--ddl", "spark", "--location", str(store)],
        check=True, capture_output=True, text=True,
    ).stdout
    for view in TABLES + ["events_raw"]:
        spark.catalog.dropTempView(view)
    spark.sql("DROP DATABASE IF EXISTS tb_ddl CASCADE")
    spark.sql("CREATE DATABASE tb_ddl")
    spark.sql("USE tb_ddl")
    problems = []
    try:
        for stmt in statements(ddl):
            spark.sql(stmt)
        for table in TABLES:
            name = "events_raw" if table == "events" else table
            ours = spark.table(f"tb_ddl.{name}")
            folder = spark.read.parquet(str(store / table))
            if sorted(ours.columns) != sorted(folder.columns):
                problems.append(f"{name}: DDL columns {ours.columns}, folder {folder.columns}")
                continue
            # Rows and a hash of every value: reads every column, so a
            # mistyped column fails here, in one pass without a shuffle.
            def digest(df):
                from pyspark.sql import functions as F

                cols = [F.col(f"`{c}`") for c in folder.columns]
                return df.agg(F.count(F.lit(1)), F.sum(F.hash(*cols))).collect()[0]

            a, b = digest(ours), digest(folder)
            if tuple(a) != tuple(b):
                problems.append(f"{name}: DDL table {tuple(a)}, folder {tuple(b)} (rows, hash)")
        n = spark.sql("SELECT COUNT(actor_kind) AS n FROM tb_ddl.events").collect()[0]["n"]
        m = spark.read.parquet(str(store / "attribution")).count()
        if n != m:
            problems.append(f"events view: {n} events with a label, {m} attribution rows")
    finally:
        spark.sql("USE default")
    return problems


def statements(sql: str) -> list[str]:
    """`;`-separated statements without comment lines (the DDL has no `;`
    inside literals)."""
    out = []
    for part in sql.split(";"):
        lines = [ln for ln in part.splitlines() if not ln.strip().startswith("--")]
        text = "\n".join(lines).strip()
        if text:
            out.append(text)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("queries_dir", type=Path)
    ap.add_argument("--trailblame", required=True, help="the trailblame binary")
    ap.add_argument("--config", help="attribution settings passed to trailblame")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--only", action="append", default=[], metavar="NAME")
    ap.add_argument("--also", action="append", default=[], type=Path, metavar="STORE",
                    help="check this store too, in the same Spark session; repeatable")
    ap.add_argument("--check-ddl", action="store_true",
                    help="also declare the tables with `BIN schema --ddl spark` and compare")
    a = ap.parse_args()

    params: dict[str, str] = {}
    for p in a.param:
        name, eq, value = p.partition("=")
        if not eq or not IDENT.fullmatch(name):
            ap.error(f"--param wants name=value, got {p!r}")
        params[name] = value
    binary = str(Path(a.trailblame).resolve()) if os.sep in a.trailblame else a.trailblame
    stores = [p.resolve() for p in [a.store, *a.also]]
    for store in stores:
        if not (store / "_trailblame.json").is_file():
            ap.error(f"{store} is not a trailblame store (no _trailblame.json)")
    files = sorted(a.queries_dir.resolve().glob("*.sql"))
    only = {o[:-4] if o.endswith(".sql") else o for o in a.only}
    if only:
        files = [f for f in files if f.stem in only]
    if not files:
        ap.error(f"no *.sql in {a.queries_dir}")

    started = time.monotonic()
    # The DDL check's database lives in a warehouse folder of its own, not
    # in `spark-warehouse/` under whatever folder the check was run from.
    import tempfile

    warehouse = tempfile.TemporaryDirectory(prefix="tb-spark-warehouse-")
    try:
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[2]"))
            .appName("trailblame spark_check")
            .config("spark.sql.warehouse.dir", warehouse.name)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
    except Exception as e:  # noqa: BLE001 - Py4J and Spark raise many kinds
        print(f"spark_check: cannot start Spark: {' '.join(str(e).split())[:1000]}", file=sys.stderr)
        return 2
    bad = 0
    total = 0
    for store in stores:
        try:
            state = spark.read.parquet(str(store / "store_state")).collect()
            current = state[0]["attribution_current"] if state else None
            print(f"store {store}: attribution current: {str(current).lower()}")
            # Any attribution rebuild happens now, before Spark reads the files.
            run_trailblame(binary, store, "SELECT COUNT(*) AS n FROM attribution", a.config, {})
            spark.catalog.clearCache()
            register_views(spark, store)
        except Exception as e:  # noqa: BLE001
            print(f"spark_check: cannot set up {store}: {' '.join(str(e).split())[:1000]}",
                  file=sys.stderr)
            return 2
        total += len(files)
        bad += check_store(spark, store, files, binary, a.config, params)
        if a.check_ddl and store == stores[0]:
            problems = check_ddl(spark, store, binary)
            for p in problems:
                print(f"DIFF ddl: {p}")
            if problems:
                bad += 1
            else:
                print("ok   ddl (schema --ddl spark: every table as its view)")
    spark.stop()
    took = time.monotonic() - started
    print(f"{total} queries: {total - bad} ok, {bad} differ or fail ({took:.1f} s)")
    return 1 if bad else 0


def check_store(spark, store, files, binary, config, params) -> int:
    """Runs each query on Spark and trailblame; returns how many differ."""
    bad = 0
    for f in files:
        name = f.stem
        try:
            sql, names = substitute(f.read_text(), params)
        except KeyError as e:
            print(f"ERROR {name}: no --param for :{e.args[0]}")
            bad += 1
            continue
        try:
            df = spark.sql(sql)
            cols = df.columns
            kinds = [kind_of(fld.dataType) for fld in df.schema.fields]
            rows = [[norm_spark(v) for v in r] for r in df.collect()]
        except Exception as e:  # noqa: BLE001
            print(f"ERROR {name}: spark: {' '.join(str(e).split())[:500]}")
            bad += 1
            continue
        try:
            used = {k: params[k] for k in dict.fromkeys(names)}
            tb = run_trailblame(binary, store, f, config, used)
        except (RuntimeError, ValueError) as e:
            print(f"ERROR {name}: trailblame: {e}")
            bad += 1
            continue
        tb_cols = tb[0] if tb else []
        if tb_cols != cols:
            print(f"DIFF {name}: columns: spark {cols}, trailblame {tb_cols}")
            bad += 1
            continue
        tb_rows = [[norm_tb(v, k) for v, k in zip(r, kinds)] for r in tb[1:]]
        diff = compare(cols, rows, tb_rows, has_top_level_order_by(sql))
        if diff:
            print(f"DIFF {name}: {diff.replace('duckdb:    ', 'spark:     ')}")
            bad += 1
        else:
            print(f"ok   {name} ({len(rows)} rows)")
    return bad


if __name__ == "__main__":
    sys.exit(main())
