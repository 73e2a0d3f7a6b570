//! S3 shapes: `bucketName`/`Host`/`key` parameters, the
//! `additionalEventData` S3 always adds (signature version, bytes
//! transferred, `x-amz-id-2`), object and bucket `resources`, and bucket
//! policies as nested JSON.

use crate::corpus::events::parts::Ev;
use crate::corpus::principal::Class;
use crate::json::{Obj, civil};

/// An object key that fits the bucket's purpose.
fn object_key(ev: &mut Ev<'_>, bucket: &str) -> String {
    let c = civil(ev.t);
    let date = format!("{:04}-{:02}-{:02}", c.year, c.month, c.day);
    let r = &mut *ev.rng;
    if bucket.contains("access-logs") {
        format!(
            "AWSLogs/{}/elasticloadbalancing/{}/{:04}/{:02}/{:02}/{}_elasticloadbalancing_{}_app.web.{}_{:04}{:02}{:02}T{:02}{:02}Z_{}_{}.log.gz",
            ev.acct.id,
            ev.region,
            c.year,
            c.month,
            c.day,
            ev.acct.id,
            ev.region,
            r.hex(16),
            c.year,
            c.month,
            c.day,
            c.hour,
            c.minute / 5 * 5,
            r.below(255),
            r.lower_alnum(8)
        )
    } else if bucket.contains("artifacts") {
        format!(
            "builds/{}/{}.zip",
            r.pick(&["orders-api", "payments", "web-frontend", "search"]),
            r.hex(40)
        )
    } else if bucket.contains("data-lake") {
        format!(
            "raw/{}/dt={date}/part-{:05}-{}.c000.snappy.parquet",
            r.pick(&["events", "clickstream", "orders", "payments"]),
            r.below(200),
            r.uuid()
        )
    } else if bucket.contains("static-assets") {
        format!(
            "assets/{}/{}.{}.{}",
            r.pick(&["js", "css", "img"]),
            r.pick(&["main", "vendor", "app", "logo"]),
            r.hex(8),
            r.pick(&["js", "css", "png"])
        )
    } else if bucket.contains("backups") {
        format!(
            "postgres/orders/{:04}/{:02}/{:02}/base-{}.tar.gz",
            c.year,
            c.month,
            c.day,
            r.below(24)
        )
    } else if bucket.contains("terraform-state") {
        format!(
            "env:/{}/{}/terraform.tfstate",
            ev.acct.env,
            r.pick(&["network", "eks", "databases", "iam"])
        )
    } else if bucket.contains("exports") {
        format!(
            "exports/{}-{date}.csv",
            r.pick(&["customers", "invoices", "usage"])
        )
    } else if bucket.contains("ml-datasets") {
        format!(
            "datasets/v{}/train-{:05}.jsonl",
            r.range(1, 4),
            r.below(500)
        )
    } else if bucket.contains("user-uploads") {
        format!(
            "uploads/{}/{}",
            r.uuid(),
            r.pick(&["avatar.png", "invoice.pdf", "photo.jpg"])
        )
    } else {
        format!("{}.zip", r.hex(64))
    }
}

fn host(ev: &Ev<'_>, bucket: &str) -> String {
    format!("{bucket}.s3.{}.amazonaws.com", ev.region)
}

/// The `additionalEventData` every S3 call carries.
fn s3_extra(ev: &mut Ev<'_>, bytes_in: i64, bytes_out: i64) {
    let id2 = ev.rng.base64(76);
    let cipher = if ev.rng.chance(0.9) {
        "TLS_AES_128_GCM_SHA256"
    } else {
        "ECDHE-RSA-AES128-GCM-SHA256"
    };
    let mut o = Obj::new(&mut ev.out.extra);
    o.str("SignatureVersion", "SigV4")
        .str("CipherSuite", cipher)
        .num("bytesTransferredIn", bytes_in)
        .str("AuthenticationMethod", "AuthHeader")
        .str("x-amz-id-2", &id2)
        .num("bytesTransferredOut", bytes_out);
    o.end();
}

fn bucket_resource(ev: &mut Ev<'_>, bucket: &str) {
    let arn = format!("arn:aws:s3:::{bucket}");
    ev.resource("AWS::S3::Bucket", &arn);
}

fn object_resources(ev: &mut Ev<'_>, bucket: &str, key: &str) {
    // The object entry has no accountId; the bucket entry does.
    let buf = &mut ev.out.resources;
    buf.clear();
    buf.push(b'[');
    let mut o = Obj::new(buf);
    o.str("type", "AWS::S3::Object")
        .str("ARN", &format!("arn:aws:s3:::{bucket}/{key}"));
    o.end();
    buf.push(b']');
    bucket_resource(ev, bucket);
}

/// A bucket sub-resource read: `{"bucketName","Host","<sub>":""}`.
fn bucket_sub(ev: &mut Ev<'_>, sub: Option<&str>) {
    let bucket = ev.bucket();
    let h = host(ev, bucket);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("bucketName", bucket).str("Host", &h);
        if let Some(s) = sub {
            o.str(s, "");
        }
        o.end();
    }
    ev.out.host.clone_from(&h);
    s3_extra(ev, 0, 0);
    bucket_resource(ev, bucket);
}

pub(super) fn list_buckets(ev: &mut Ev<'_>) {
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("Host", "s3.amazonaws.com");
        o.end();
    }
    ev.out.host.push_str("s3.amazonaws.com");
    s3_extra(ev, 0, 0);
}

pub(super) fn get_bucket_location(ev: &mut Ev<'_>) {
    bucket_sub(ev, Some("location"));
}
pub(super) fn get_bucket_policy(ev: &mut Ev<'_>) {
    bucket_sub(ev, Some("policy"));
}
pub(super) fn get_bucket_acl(ev: &mut Ev<'_>) {
    bucket_sub(ev, Some("acl"));
}
pub(super) fn get_bucket_versioning(ev: &mut Ev<'_>) {
    bucket_sub(ev, Some("versioning"));
}
pub(super) fn get_bucket_encryption(ev: &mut Ev<'_>) {
    bucket_sub(ev, Some("encryption"));
}
pub(super) fn get_bucket_tagging(ev: &mut Ev<'_>) {
    bucket_sub(ev, Some("tagging"));
}
pub(super) fn head_bucket(ev: &mut Ev<'_>) {
    bucket_sub(ev, None);
}

pub(super) fn put_bucket_policy(ev: &mut Ev<'_>) {
    let bucket = ev.bucket();
    let h = host(ev, bucket);
    let other = ev.rng.pick(&ev.world.partners).clone();
    let cloudfront = ev.rng.chance(0.5);
    let oac = format!("E{}", ev.rng.upper_alnum(13));
    let acct = ev.acct.id.clone();
    {
        let mut o = Obj::new(&mut ev.out.req);
        {
            let mut bp = o.obj("bucketPolicy");
            bp.str("Version", "2012-10-17");
            let mut st = bp.arr("Statement");
            if cloudfront {
                let mut s = st.obj();
                s.str("Sid", "AllowCloudFrontServicePrincipal")
                    .str("Effect", "Allow");
                s.obj("Principal")
                    .str("Service", "cloudfront.amazonaws.com")
                    .end();
                s.str("Action", "s3:GetObject")
                    .str("Resource", &format!("arn:aws:s3:::{bucket}/*"));
                let mut c = s.obj("Condition");
                c.obj("StringEquals")
                    .str(
                        "AWS:SourceArn",
                        &format!("arn:aws:cloudfront::{acct}:distribution/{oac}"),
                    )
                    .end();
                c.end();
                s.end();
            } else {
                let mut s = st.obj();
                s.str("Sid", "CrossAccountRead").str("Effect", "Allow");
                s.obj("Principal")
                    .str("AWS", &format!("arn:aws:iam::{other}:root"))
                    .end();
                s.str_list("Action", &["s3:GetObject", "s3:ListBucket"]);
                s.str_list(
                    "Resource",
                    &[
                        &format!("arn:aws:s3:::{bucket}"),
                        &format!("arn:aws:s3:::{bucket}/*"),
                    ],
                );
                s.end();
            }
            let mut deny = st.obj();
            deny.str("Sid", "DenyInsecureTransport")
                .str("Effect", "Deny")
                .str("Principal", "*")
                .str("Action", "s3:*")
                .str_list(
                    "Resource",
                    &[
                        &format!("arn:aws:s3:::{bucket}"),
                        &format!("arn:aws:s3:::{bucket}/*"),
                    ],
                );
            let mut c = deny.obj("Condition");
            c.obj("Bool").str("aws:SecureTransport", "false").end();
            c.end();
            deny.end();
            st.end();
            bp.end();
        }
        o.str("bucketName", bucket)
            .str("Host", &h)
            .str("policy", "");
        o.end();
    }
    ev.out.host.clone_from(&h);
    s3_extra(ev, 0, 0);
    bucket_resource(ev, bucket);
}

pub(super) fn create_bucket(ev: &mut Ev<'_>) {
    let name = format!(
        "{}-{}-{}-{}",
        ev.world.company,
        ev.acct.env,
        ev.rng.pick(&["scratch", "tmp", "exports", "reports"]),
        ev.rng.lower_alnum(6)
    );
    let h = host(ev, &name);
    let region = ev.region;
    {
        let mut o = Obj::new(&mut ev.out.req);
        if region != "us-east-1" {
            o.obj("CreateBucketConfiguration")
                .str("LocationConstraint", region)
                .str("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/")
                .end();
        }
        o.str("bucketName", &name).str("Host", &h);
        o.end();
    }
    ev.out.host.clone_from(&h);
    s3_extra(ev, 0, 0);
    bucket_resource(ev, &name);
}

pub(super) fn put_bucket_tagging(ev: &mut Ev<'_>) {
    let bucket = ev.bucket();
    let h = host(ev, bucket);
    let env = ev.acct.env;
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("bucketName", bucket).str("Host", &h);
        {
            let mut ts = o.obj("Tagging");
            {
                let mut set = ts.obj("TagSet");
                let mut a = set.arr("Tag");
                a.obj().str("Key", "Environment").str("Value", env).end();
                a.obj()
                    .str("Key", "ManagedBy")
                    .str("Value", "terraform")
                    .end();
                a.end();
                set.end();
            }
            ts.str("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/");
            ts.end();
        }
        o.str("tagging", "");
        o.end();
    }
    ev.out.host.clone_from(&h);
    s3_extra(ev, 0, 0);
    bucket_resource(ev, bucket);
}

fn object_call(ev: &mut Ev<'_>, bytes_in: i64, bytes_out: i64) {
    // AWS services deliver into the account's logs bucket.
    let bucket = if ev.principal.class == Class::AwsService {
        let a = ev.acct;
        a.res
            .buckets
            .iter()
            .find(|b| b.contains("access-logs"))
            .map_or("", |b| b.as_str())
    } else {
        ev.bucket()
    };
    let key = object_key(ev, bucket);
    let h = host(ev, bucket);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("bucketName", bucket).str("Host", &h).str("key", &key);
        o.end();
    }
    ev.out.host.clone_from(&h);
    s3_extra(ev, bytes_in, bytes_out);
    object_resources(ev, bucket, &key);
}

pub(super) fn get_object(ev: &mut Ev<'_>) {
    let size = object_size(ev);
    object_call(ev, 0, size);
}

pub(super) fn head_object(ev: &mut Ev<'_>) {
    object_call(ev, 0, 0);
}

pub(super) fn put_object(ev: &mut Ev<'_>) {
    let size = object_size(ev);
    object_call(ev, size, 0);
    let version = ev.rng.base64_url(32);
    let versioned = ev.rng.chance(0.4);
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("x-amz-server-side-encryption", "AES256");
    if versioned {
        o.str("x-amz-version-id", &version);
    }
    o.end();
}

pub(super) fn delete_object(ev: &mut Ev<'_>) {
    object_call(ev, 0, 0);
}

pub(super) fn list_objects(ev: &mut Ev<'_>) {
    let bucket = ev.bucket();
    let h = host(ev, bucket);
    let prefix = ev
        .rng
        .pick(&["", "raw/", "builds/", "uploads/", "exports/", "AWSLogs/"])
        .to_string();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("list-type", "2")
            .str("bucketName", bucket)
            .str("encoding-type", "url")
            .str("prefix", &prefix)
            .str("delimiter", "/")
            .str("Host", &h);
        o.end();
    }
    ev.out.host.clone_from(&h);
    s3_extra(ev, 0, 0);
    bucket_resource(ev, bucket);
}

fn object_size(ev: &mut Ev<'_>) -> i64 {
    // Heavy-tailed: most objects are small, a few are large.
    let exp = ev.rng.range(8, 27);
    let base = 1i64 << exp;
    base + ev.rng.below(base as u64) as i64
}
