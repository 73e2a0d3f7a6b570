#!/usr/bin/env python3
"""Regenerate trailblame's AWS operation catalogs from the botocore package.

Why this exists: an agent transcript says `aws ec2 describe-db-instances ...`;
CloudTrail says `eventSource: rds.amazonaws.com, eventName: DescribeDBInstances`.
Joining the two needs the exact map from a CLI command to the API operation it
calls, and the kebab-case CLI name cannot be turned back into the operation
name by string guessing (DescribeDBInstances -> describe-db-instances loses the
capitals). botocore's service models are the machine-readable source the AWS
CLI itself is built from, so we read them directly.

Outputs (written next to this script, in ../catalogs/):
  aws_operations.tsv.gz  one row per (CLI service, CLI operation); gzip -n style
                         (no name, mtime 0) so the bytes are reproducible.
  aws_waiters.tsv        one row per `aws <svc> wait <waiter>` command and the
                         operation the waiter polls.

Usage:
  python3 scripts/gen_aws_operations.py             # pip-downloads the pinned wheel
  python3 scripts/gen_aws_operations.py --wheel botocore-1.44.5-py3-none-any.whl

Needs only the Python standard library and `pip` (for the download). botocore
is never installed: the wheel is a zip file, read in place; its top-level
package `botocore/__init__.py` (which defines `xform_name` and imports nothing
outside the standard library) is imported from the zip so the CLI names are
exactly the ones botocore/awscli compute.

botocore is Apache-2.0 (Copyright Amazon.com, Inc. or its affiliates).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

BOTOCORE_VERSION = "1.44.5"
# sha256 of botocore-1.44.5-py3-none-any.whl as served by PyPI; checked before use.
BOTOCORE_WHEEL_SHA256 = "8f16a56d1dff125dd65322ae021efa7ba5195a6db5102b96862566055b748921"

# --- CLI service names ------------------------------------------------------
# The AWS CLI names each service command after the botocore service name,
# except where an awscli customization renames the command. Sources are files
# in the awscli package (PyPI `awscli`, checked in 1.46.3; the v2 CLI carries
# the same customizations).
SERVICE_RENAMES = {
    # awscli/customizations/s3/s3.py: utils.rename_command(command_table, 's3', 's3api')
    "s3": "s3api",
    # awscli/customizations/configservice/rename_cmd.py: rename_command(..., 'config', 'configservice')
    "config": "configservice",
    # awscli/customizations/codedeploy/codedeploy.py: rename_command(..., 'codedeploy', 'deploy')
    "codedeploy": "deploy",
}

# Hidden aliases the CLI also accepts (make_hidden_command_alias). Emitted as
# extra rows so a transcript using the old spelling still resolves.
SERVICE_ALIASES = {
    # awscli/customizations/sagemaker.py: alias 'runtime.sagemaker' -> 'sagemaker-runtime'
    "runtime.sagemaker": "sagemaker-runtime",
}
OPERATION_ALIASES = {
    # (cli service, alias) -> canonical cli operation
    # awscli/customizations/cloudwatch.py
    ("cloudwatch", "get-o-tel-enrichment"): "get-otel-enrichment",
    ("cloudwatch", "start-o-tel-enrichment"): "start-otel-enrichment",
    ("cloudwatch", "stop-o-tel-enrichment"): "stop-otel-enrichment",
    # awscli/customizations/signin.py
    ("signin", "create-o-auth2-token"): "create-oauth2-token",
    # awscli/customizations/mturk.py
    ("mturk", "list-hi-ts-for-qualification-type"): "list-hits-for-qualification-type",
    # awscli/customizations/socialmessaging.py
    ("socialmessaging", "delete-whatsapp-media-message"): "delete-whatsapp-message-media",
}

# --- CloudTrail eventSource ---------------------------------------------------
# Default rule: `<signingName or endpointPrefix>.amazonaws.com`. Overrides are
# keyed by botocore service name. Sources:
#   [ebref]  Amazon EventBridge event reference, docs.aws.amazon.com/eventbridge/latest/ref/events-ref-<svc>.html
#            ("eventSource: ..." for events delivered via CloudTrail)
#   [iamds]  iann0036/iam-dataset aws/map.json, `cloudtrail_service_mappings`
#            (eventSource -> IAM prefix, compiled from AWS documentation)
EVENT_SOURCE_OVERRIDES = {
    "application-insights": "application-insights.amazonaws.com",  # [iamds]; signingName applicationinsights
    "connect-contact-lens": "contact-lens.amazonaws.com",  # [iamds]; signingName connect
    "connectparticipant": "participant-connect.amazonaws.com",  # [iamds]; signingName execute-api
    "marketplace-agreement": "agreement-marketplace.amazonaws.com",  # [iamds]; signingName aws-marketplace
    "marketplace-catalog": "marketplacecatalog.amazonaws.com",  # [iamds]
    "marketplace-discovery": "discovery-marketplace.amazonaws.com",  # [iamds]
    "marketplace-reporting": "reporting-marketplace.amazonaws.com",  # [iamds]
    "mgh": "migrationhub.amazonaws.com",  # [iamds]; endpointPrefix mgh
    "migrationhub-config": "migrationhub.amazonaws.com",  # [iamds]; signingName mgh
    "mq": "amazonmq.amazonaws.com",  # [iamds]; Amazon MQ developer guide CloudTrail examples
    "pinpoint": "pinpoint.amazonaws.com",  # [iamds]; signingName mobiletargeting
    "pricing": "pricelist.amazonaws.com",  # [ebref] events-ref-pricelist: eventSource pricelist.amazonaws.com
    "qconnect": "qconnect.amazonaws.com",  # [iamds]; signingName wisdom
    "wisdom": "qconnect.amazonaws.com",  # [iamds] lists only qconnect.amazonaws.com for prefix wisdom
    "rds-data": "rdsdata.amazonaws.com",  # [iamds]; RDS Data API user guide
    "sso": "sso.amazonaws.com",  # [iamds]; signingName awsssoportal (portal API: GetRoleCredentials...)
}

# --- IAM service prefix -------------------------------------------------------
# Default rule: signingName, else endpointPrefix. Overrides keyed by botocore
# service name. Sources:
#   [ctref] CloudTrail record contents doc (cloudwatch: eventSource monitoring, IAM cloudwatch)
#   [sar]   Service Authorization Reference, docs.aws.amazon.com/service-authorization/latest/reference/
#   [iamds] as above (eventSource -> IAM prefix)
IAM_PREFIX_OVERRIDES = {
    "cloudwatch": "cloudwatch",  # [ctref][iamds] monitoring.amazonaws.com -> cloudwatch
    "cloudcontrol": "cloudformation",  # [iamds] cloudcontrolapi.amazonaws.com -> cloudformation
    "resourcegroupstaggingapi": "tag",  # [iamds] tagging.amazonaws.com -> tag
    "connectparticipant": "connect",  # [iamds] participant-connect.amazonaws.com -> connect
    "iot-data": "iot",  # [sar] iot:Publish, iot:GetThingShadow (signingName iotdata)
    "iot-jobs-data": "iotjobsdata",  # [sar] AWS IoT Jobs DataPlane prefix iotjobsdata
    "iotsecuretunneling": "iot",  # [sar] iot:OpenTunnel (signingName IoTSecuredTunneling)
    "mturk": "mechanicalturk",  # [sar] Amazon Mechanical Turk prefix mechanicalturk (endpointPrefix mturk-requester)
    "sso": "sso",  # [iamds] sso.amazonaws.com -> sso (signingName awsssoportal is not an IAM prefix)
}

# --- Lambda versioned event names --------------------------------------------
# Lambda logs many management calls with the API version of the request path
# appended: POST /2015-03-31/functions is logged as CreateFunction20150331.
# Newer operations (request paths dated 2019 and later) are logged under the
# plain name. Some calls have been seen with a further "v2". Sources: CloudTrail
# samples in public detection rules and recorded traces (stratus-red-team
# lambda-overwrite-code docs; falco cloudtrail rules; Datadog/Panther rules),
# e.g. CreateFunction20150331, UpdateFunctionCode20150331v2,
# UpdateFunctionConfiguration20150331v2, AddPermission20150331v2,
# RemovePermission20150331v2, GetPolicy20150331v2, GetFunction20150331v2,
# TagResource20170331v2, PutFunctionConcurrency20171031,
# PublishLayerVersion20181031, ListTags20170331.
LAMBDA_SUFFIX_BEFORE = "2019-01-01"  # request paths dated before this get a suffix
LAMBDA_NO_SUFFIX = {"Invoke", "InvokeAsync"}  # data events logged as plain "Invoke"
LAMBDA_V2 = {
    "AddPermission",
    "RemovePermission",
    "GetPolicy",
    "GetFunction",
    "GetFunctionConfiguration",
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
    "TagResource",
    "UntagResource",
}

# CloudFront: botocore keys operations by the plain name (the CLI uses it) and
# keeps the versioned wire name in the model's `name` field
# (UpdateDistribution -> UpdateDistribution2020_05_31). CloudTrail records from
# 2014 show the versioned form (UpdateDistribution2014_01_31), recent ones the
# plain form, so the wire name is kept as an alternative event name.

# --- read-only guess -----------------------------------------------------------
READ_ONLY_PREFIXES = (
    "Get",
    "List",
    "Describe",
    "Head",
    "BatchGet",
    "BatchDescribe",
    "Search",
    "Lookup",
    "Query",
    "Scan",
    "Filter",
    "View",
    "Preview",
    "Estimate",
)

HEADER = [
    "cli_service",
    "cli_operation",
    "event_source",
    "event_name",
    "iam_prefix",
    "read_only",
    "alt_event_names",
    "botocore_service",
    "event_source_basis",
]
WAITER_HEADER = ["cli_service", "waiter", "event_source", "event_name", "botocore_service"]


def fetch_wheel(dest: str) -> str:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            f"botocore=={BOTOCORE_VERSION}",
            "-d",
            dest,
        ],
        check=True,
    )
    for name in os.listdir(dest):
        if name.startswith("botocore-") and name.endswith(".whl"):
            return os.path.join(dest, name)
    raise SystemExit(f"pip download left no botocore wheel in {dest}")


def load_json(zf: zipfile.ZipFile, path: str):
    names = set(zf.namelist())
    if path in names:
        return json.loads(zf.read(path))
    if path + ".gz" in names:
        return json.loads(gzip.decompress(zf.read(path + ".gz")))
    return None


def latest_models(zf: zipfile.ZipFile):
    """Yield (service, api_version_dir) with the newest dir holding service-2.json."""
    pat = re.compile(r"^botocore/data/([^/]+)/([^/]+)/service-2\.json(\.gz)?$")
    best: dict[str, str] = {}
    for name in zf.namelist():
        m = pat.match(name)
        if m:
            svc, ver = m.group(1), m.group(2)
            if ver > best.get(svc, ""):
                best[svc] = ver
    return sorted(best.items())


def read_only_guess(op: str) -> bool:
    return any(
        op.startswith(p) and (len(op) == len(p) or op[len(p)].isupper() or op[len(p)].isdigit())
        for p in READ_ONLY_PREFIXES
    )


def lambda_alt_names(op: str, request_uri: str) -> list[str]:
    if op in LAMBDA_NO_SUFFIX:
        return []
    m = re.match(r"^/(\d{4})-(\d{2})-(\d{2})/", request_uri)
    if not m:
        return []
    date = "-".join(m.groups())
    if date >= LAMBDA_SUFFIX_BEFORE:
        return []
    stamp = "".join(m.groups())
    names = [f"{op}{stamp}"]
    if op in LAMBDA_V2:
        names.append(f"{op}{stamp}v2")
    return names


def check_field(value: str, what: str) -> str:
    if not value or any(c in value for c in "\t\r\n"):
        raise SystemExit(f"bad {what}: {value!r}")
    return value


def check_wheel(wheel: str) -> None:
    with open(wheel, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != BOTOCORE_WHEEL_SHA256:
        raise SystemExit(f"{wheel}: sha256 {digest}, expected {BOTOCORE_WHEEL_SHA256}")


def build(wheel: str):
    check_wheel(wheel)
    sys.path.insert(0, wheel)  # zipimport: only botocore/__init__.py is loaded
    import botocore  # noqa: E402

    if botocore.__version__ != BOTOCORE_VERSION:
        raise SystemExit(f"wheel is botocore {botocore.__version__}, expected {BOTOCORE_VERSION}")
    xform_name = botocore.xform_name

    rows: dict[tuple[str, str], list[str]] = {}
    waiters: dict[tuple[str, str], list[str]] = {}
    stats = {"services": 0, "operations": 0}
    with zipfile.ZipFile(wheel) as zf:
        for svc, ver in latest_models(zf):
            model = load_json(zf, f"botocore/data/{svc}/{ver}/service-2.json")
            meta = model["metadata"]
            endpoint_prefix = meta["endpointPrefix"]
            signing_name = meta.get("signingName") or endpoint_prefix
            if svc in EVENT_SOURCE_OVERRIDES:
                event_source, basis = EVENT_SOURCE_OVERRIDES[svc], "override"
            elif meta.get("signingName"):
                event_source, basis = f"{signing_name}.amazonaws.com", "signing_name"
            else:
                event_source, basis = f"{endpoint_prefix}.amazonaws.com", "endpoint_prefix"
            iam_prefix = IAM_PREFIX_OVERRIDES.get(svc, signing_name)
            cli_service = SERVICE_RENAMES.get(svc, svc)
            stats["services"] += 1
            for op_name, op in sorted(model["operations"].items()):
                alts = []
                wire_name = op.get("name", op_name)
                if wire_name != op_name:
                    # CloudFront: key CreateInvalidation, wire name CreateInvalidation2020_05_31.
                    # CloudTrail has logged both forms over the years.
                    alts.append(wire_name)
                if svc == "lambda":
                    alts += lambda_alt_names(op_name, op.get("http", {}).get("requestUri", ""))
                row = [
                    check_field(cli_service, "cli_service"),
                    check_field(xform_name(op_name, "-"), "cli_operation"),
                    check_field(event_source, "event_source"),
                    check_field(op_name, "event_name"),
                    check_field(iam_prefix, "iam_prefix"),
                    "true" if read_only_guess(op_name) else "false",
                    ",".join(alts),
                    svc,
                    basis,
                ]
                key = (row[0], row[1])
                if key in rows:
                    raise SystemExit(f"duplicate CLI command {key}")
                rows[key] = row
                stats["operations"] += 1
            wmodel = load_json(zf, f"botocore/data/{svc}/{ver}/waiters-2.json")
            for wname, w in sorted(((wmodel or {}).get("waiters") or {}).items()):
                key = (cli_service, xform_name(wname, "-"))
                waiters[key] = [key[0], key[1], event_source, w["operation"], svc]

    for (svc_alias, svc) in SERVICE_ALIASES.items():
        for (cli_service, cli_op), row in list(rows.items()):
            if cli_service == svc:
                rows[(svc_alias, cli_op)] = [svc_alias, *row[1:]]
    for (cli_service, alias), canonical in OPERATION_ALIASES.items():
        row = rows.get((cli_service, canonical))
        if row is None:
            raise SystemExit(f"alias target {cli_service} {canonical} not in botocore {BOTOCORE_VERSION}")
        rows[(cli_service, alias)] = [cli_service, alias, *row[2:]]
    return rows, waiters, stats


def tsv(header, rows) -> bytes:
    out = io.StringIO()
    out.write("\t".join(header) + "\n")
    for key in sorted(rows):
        out.write("\t".join(rows[key]) + "\n")
    return out.getvalue().encode("utf-8")


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", help=f"a local botocore-{BOTOCORE_VERSION} wheel (else pip download)")
    ap.add_argument("--out", default=os.path.join(here, "..", "catalogs"), help="output directory")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(tmp)
        rows, waiters, stats = build(wheel)

    os.makedirs(args.out, exist_ok=True)
    data = tsv(HEADER, rows)
    gz = io.BytesIO()
    # Same as `gzip -n -9`: no file name, mtime 0 -> identical bytes on every run.
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz, compresslevel=9, mtime=0) as f:
        f.write(data)
    with open(os.path.join(args.out, "aws_operations.tsv.gz"), "wb") as f:
        f.write(gz.getvalue())
    with open(os.path.join(args.out, "aws_waiters.tsv"), "wb") as f:
        f.write(tsv(WAITER_HEADER, waiters))
    print(
        f"botocore {BOTOCORE_VERSION}: {stats['services']} services, {stats['operations']} operations, "
        f"{len(rows)} rows ({len(data)} bytes, {len(gz.getvalue())} gzipped), {len(waiters)} waiters",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
