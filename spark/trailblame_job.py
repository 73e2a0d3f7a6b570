#!/usr/bin/env python3
"""Ingest CloudTrail logs and agent transcripts into a trailblame store on Spark.

    python3 spark/trailblame_job.py --master local[2] --binary BIN --store DIR INPUT...
    spark-submit --files BIN spark/trailblame_job.py --binary trailblame --store DIR INPUT...

The trailblame binary stays the unit of work; Spark schedules it (issue 21):

1. The driver lists the input files (local folders, or s3://bucket/prefix
   with boto3), sorted by path as `trailblame ingest` sorts them, and cuts
   the list into contiguous shards of about equal size.
2. Each executor runs `BIN ingest FILES --store WORK/shard-NNNNN
   --no-attribution` on its shard (the binary is shipped with
   SparkContext.addFile and found with SparkFiles.get).
3. The driver runs `BIN store merge WORK/shard-* --into STORE`, which keeps
   what a single ingest of all the files would have kept (the first copy of
   an event in path order), carries over every run's accounting, and
   computes the attribution.

The attribution runs centrally, on the driver, over the merged store: it
needs every transcript and every CLI session together, and a shard's own
attribution lacks the other shards' (measured: 48% AI recall when an account
was split). Only the ingest, which is most of the work, is distributed.

WORK must be a folder the driver and every executor see (local mode: a
temporary folder; a cluster: a shared mount such as /dbfs, a Unity Catalog
volume or EFS). STORE is written on the driver's file system; copy it to S3
afterwards (`aws s3 sync STORE s3://bucket/tb`) for Athena or Spark SQL.
Objects under s3:// inputs are downloaded by the executors into
WORK/inputs/<bucket>/<key>, so the store's `source_file` names those copies.

Prints a JSON summary on stdout (shards, seconds per step, the merge's
report). Exit status: 0 all read, 1 something was quarantined or skipped
(as `trailblame ingest`), 2 an error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# A shard's file list is given to the binary in batches of at most this
# many bytes of arguments (successive runs into one store de-duplicate
# exactly as one run would).
ARG_BYTES = 1_000_000


# ------------------------------------------------------------ input listing


def list_local(root: str) -> list[tuple[str, int]]:
    """(path, size) of every file under `root` (or `root` itself), as
    `trailblame ingest` would name it: the path as given, joined with the
    names below it. Symlinks and special files are listed too, so that the
    binary reports them as it does in a single ingest."""
    p = Path(root)
    if not p.is_dir() or p.is_symlink():
        return [(root, p.lstat().st_size if p.exists() or p.is_symlink() else 0)]
    out = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        # Symlinked folders are not walked by os.walk; give them to the binary.
        for d in list(dirnames):
            full = os.path.join(dirpath, d)
            if os.path.islink(full):
                out.append((full, 0))
        for f in filenames:
            full = os.path.join(dirpath, f)
            try:
                st = os.lstat(full)
                out.append((full, st.st_size if stat.S_ISREG(st.st_mode) else 0))
            except OSError:
                out.append((full, 0))
    return out


def list_s3(uri: str) -> list[tuple[str, int]]:
    import boto3  # only needed for s3:// inputs

    bucket, _, prefix = uri[len("s3://"):].partition("/")
    s3 = boto3.client("s3")
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith("/"):
                out.append((f"s3://{bucket}/{obj['Key']}", obj["Size"]))
    return out


def display(path: str) -> str:
    """The name trailblame gives a path: without a leading `./`."""
    return path[2:] if path.startswith("./") else path


def list_inputs(inputs: list[str]) -> list[tuple[str, int]]:
    """Every input file, sorted by name as `trailblame ingest` sorts them
    (byte order of the UTF-8 path), each once."""
    files: dict[str, int] = {}
    for i in inputs:
        listed = list_s3(i) if i.startswith("s3://") else list_local(i)
        for path, size in listed:
            files[display(path)] = size
    return sorted(files.items(), key=lambda kv: kv[0].encode("utf-8", "surrogateescape"))


def make_shards(files: list[tuple[str, int]], count: int) -> list[list[str]]:
    """Contiguous runs of the sorted list, of about equal bytes. Contiguous
    matters: the merge keeps the first copy of an event in shard order,
    which is then the first in path order, as in a single ingest."""
    count = max(1, min(count, len(files)))
    total = sum(max(s, 1) for _, s in files)
    shards: list[list[str]] = [[] for _ in range(count)]
    done = 0
    for path, size in files:
        i = min(count - 1, done * count // max(total, 1))
        shards[i].append(path)
        done += max(size, 1)
    return [s for s in shards if s]


def batches(paths: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    cur: list[str] = []
    n = 0
    for p in paths:
        if cur and n + len(p) + 1 > ARG_BYTES:
            out.append(cur)
            cur, n = [], 0
        cur.append(p)
        n += len(p) + 1
    if cur:
        out.append(cur)
    return out


# ------------------------------------------------------------ on executors


def run_shard(shard: int, paths: list[str], binary: str, work: str, ingest_args: list[str]) -> dict:
    """Runs on an executor: ingests one shard into WORK/shard-NNNNN."""
    started = time.monotonic()
    store = os.path.join(work, f"shard-{shard:05d}")
    if os.path.exists(store):
        shutil.rmtree(store)  # a retried task starts again
    local = []
    for p in paths:
        if p.startswith("s3://"):
            local.append(download(p, os.path.join(work, "inputs")))
        else:
            local.append(p)
    status = 0
    stderr_tail = ""
    for batch in batches(local):
        cmd = [binary, "ingest", *batch, "--store", store, "--no-attribution",
               "--progress", "off", "--format", "json", *ingest_args]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode not in (0, 1):
            return {"shard": shard, "store": store, "status": 2, "files": len(paths),
                    "seconds": time.monotonic() - started,
                    "error": (p.stderr.strip() or f"exit status {p.returncode}")[-2000:]}
        status = max(status, p.returncode)
        stderr_tail = p.stderr[-2000:]
    return {"shard": shard, "store": store, "status": status, "files": len(paths),
            "seconds": time.monotonic() - started, "stderr": stderr_tail}


def download(uri: str, into: str) -> str:
    import boto3

    bucket, _, key = uri[len("s3://"):].partition("/")
    dest = os.path.join(into, bucket, key)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    boto3.client("s3").download_file(bucket, key, dest)
    return dest


def executor_binary(name: str) -> str:
    """The binary shipped with addFile, made executable."""
    from pyspark import SparkFiles

    path = SparkFiles.get(name)
    mode = os.stat(path).st_mode
    if not mode & stat.S_IXUSR:
        os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


# ------------------------------------------------------------------ driver


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", metavar="INPUT",
                    help="files, folders or s3://bucket/prefix to read")
    ap.add_argument("--binary", required=True,
                    help="the trailblame binary (a path on the driver; shipped to executors)")
    ap.add_argument("--store", required=True, help="the store to write (created if missing)")
    ap.add_argument("--master", help="Spark master (local[2], yarn, …); spark-submit sets it")
    ap.add_argument("--shards", type=int,
                    help="how many shards (default: twice Spark's default parallelism)")
    ap.add_argument("--work", help="folder for shard stores, seen by driver and executors "
                    "(default: a temporary folder; removed at the end)")
    ap.add_argument("--config", help="trailblame.toml for the ingest and the attribution")
    ap.add_argument("--operator", help="passed to each shard's ingest")
    ap.add_argument("--operator-map", help="passed to each shard's ingest")
    ap.add_argument("--aider-tz", help="passed to each shard's ingest")
    a = ap.parse_args()

    binary = os.path.abspath(a.binary) if os.sep in a.binary else shutil.which(a.binary)
    if not binary or not os.path.isfile(binary):
        ap.error(f"--binary {a.binary}: no such file")
    timings: dict[str, float] = {}
    clock = time.monotonic()

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("trailblame ingest")
    if a.master:
        builder = builder.master(a.master)
    spark = (
        builder.config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    sc = spark.sparkContext
    sc.setLogLevel("ERROR")
    timings["spark_start"] = time.monotonic() - clock

    t = time.monotonic()
    files = list_inputs(a.inputs)
    if not files:
        print(f"trailblame_job: no input files under {', '.join(a.inputs)}", file=sys.stderr)
        return 2
    count = a.shards or max(1, 2 * sc.defaultParallelism)
    shards = make_shards(files, count)
    timings["list"] = time.monotonic() - t

    own_work = a.work is None
    work = a.work or tempfile.mkdtemp(prefix="trailblame-job-")
    os.makedirs(work, exist_ok=True)
    work = os.path.abspath(work)
    sc.addFile(binary)
    name = os.path.basename(binary)
    ingest_args: list[str] = []
    for flag, value in (("--config", a.config), ("--operator", a.operator),
                        ("--operator-map", a.operator_map), ("--aider-tz", a.aider_tz)):
        if value is not None:
            v = os.path.abspath(value) if flag in ("--config", "--operator-map") else value
            ingest_args += [flag, v]

    t = time.monotonic()
    jobs = list(enumerate(shards))

    def ingest_partition(items):
        exe = executor_binary(name)
        for shard, paths in items:
            yield run_shard(shard, paths, exe, work, ingest_args)

    results = sc.parallelize(jobs, len(jobs)).mapPartitions(ingest_partition).collect()
    results.sort(key=lambda r: r["shard"])
    timings["ingest_shards"] = time.monotonic() - t
    failed = [r for r in results if r["status"] == 2]
    if failed:
        for r in failed:
            print(f"trailblame_job: shard {r['shard']}: {r['error']}", file=sys.stderr)
        return 2

    # Central step: merge in shard order, then attribute the whole store.
    t = time.monotonic()
    cmd = [binary, "store", "merge", *[r["store"] for r in results], "--into", a.store,
           "--format", "json"]
    if a.config:
        cmd += ["--config", os.path.abspath(a.config)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    timings["merge_and_attribute"] = time.monotonic() - t
    if p.returncode != 0:
        print(f"trailblame_job: merge failed: {p.stderr.strip()}", file=sys.stderr)
        return 2
    merge_report = json.loads(p.stdout)
    spark.stop()
    if own_work:
        shutil.rmtree(work, ignore_errors=True)
    timings["total"] = time.monotonic() - clock
    summary = {
        "store": a.store,
        "files": len(files),
        "shards": [{k: r[k] for k in ("shard", "files", "status", "seconds")} for r in results],
        "attribution": "computed centrally, on the driver, over the merged store",
        "merge": merge_report,
        "seconds": {k: round(v, 3) for k, v in timings.items()},
    }
    print(json.dumps(summary, indent=2))
    return max(r["status"] for r in results)


if __name__ == "__main__":
    sys.exit(main())
