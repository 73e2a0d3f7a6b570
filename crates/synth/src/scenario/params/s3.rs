//! Parameters of S3 bucket and object calls, with the transfer details
//! (`additionalEventData`) and `resources` of data events; see `params` for
//! the contract.

use crate::json::Obj;
use crate::scenario::params::shape::{Ev, Shape};

fn s3_host(bucket: &str, region: &str) -> String {
    format!("{bucket}.s3.{region}.amazonaws.com")
}

pub(super) fn write(shape: Shape, ev: &mut Ev<'_>) {
    let region = ev.region.to_string();
    if matches!(shape, Shape::ListBuckets) {
        ev.req()
            .str("Host", &format!("s3.{region}.amazonaws.com"))
            .end();
        return;
    }
    let lists = ev.res_lists;
    let bucket = ev.pick(&lists.buckets);
    let host = s3_host(&bucket, &region);
    match shape {
        Shape::Bucket(sub) => {
            let mut r = ev.req();
            r.str("bucketName", &bucket).str("Host", &host);
            if !sub.is_empty() {
                r.str(sub, "");
            }
            r.end();
        }
        Shape::CreateBucket => {
            let mut r = ev.req();
            r.str("bucketName", &bucket).str("Host", &host);
            if region != "us-east-1" {
                let mut c = r.obj("CreateBucketConfiguration");
                c.str("LocationConstraint", &region)
                    .str("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/");
                c.end();
            }
            r.end();
        }
        Shape::ListObjects => {
            let prefix = ev.aux.unwrap_or("").to_string();
            // CloudTrail logs ListObjectsV2 as `ListObjects` with `list-type: 2`.
            ev.req()
                .str("list-type", "2")
                .str("bucketName", &bucket)
                .str("encoding-type", "url")
                .str("prefix", &prefix)
                .str("delimiter", "/")
                .str("Host", &host)
                .end();
            data_extra(ev, 0, 0);
            s3_resources(ev, &bucket, None);
        }
        _ => {
            let key = match ev.aux {
                Some(k) => k.to_string(),
                None => format!(
                    "{}/{}.json",
                    ev.rng
                        .pick(&["reports", "exports", "builds", "tmp", "uploads"]),
                    ev.rng.hex(12)
                ),
            };
            ev.req()
                .str("bucketName", &bucket)
                .str("Host", &host)
                .str("key", &key)
                .end();
            if matches!(shape, Shape::PutObject)
                && let Some(mut o) = ev.resp()
            {
                o.str("x-amz-server-side-encryption", "AES256");
                o.end();
            }
            let size = 200 + ev.rng.below(400_000);
            let (inb, outb) = match shape {
                Shape::PutObject => (size, 0),
                Shape::Object if !ev.failed => (0, size),
                _ => (0, 0),
            };
            data_extra(ev, inb, outb);
            s3_resources(ev, &bucket, Some(&key));
        }
    }
}

fn data_extra(ev: &mut Ev<'_>, inb: u64, outb: u64) {
    let id2 = ev.rng.base64(76);
    let mut o = Obj::new(ev.extra);
    o.str("SignatureVersion", "SigV4")
        .str("CipherSuite", "TLS_AES_128_GCM_SHA256")
        .num("bytesTransferredIn", inb as i64)
        .str("AuthenticationMethod", "AuthHeader")
        .str("x-amz-id-2", &id2)
        .num("bytesTransferredOut", outb as i64);
    o.end();
}

fn s3_resources(ev: &mut Ev<'_>, bucket: &str, key: Option<&str>) {
    let acct = ev.acct_id();
    let mut a = crate::json::Arr::new(ev.resources);
    if let Some(k) = key {
        a.obj()
            .str("type", "AWS::S3::Object")
            .str("ARN", &format!("arn:aws:s3:::{bucket}/{k}"))
            .end();
    }
    a.obj()
        .str("accountId", acct)
        .str("type", "AWS::S3::Bucket")
        .str("ARN", &format!("arn:aws:s3:::{bucket}"))
        .end();
    a.end();
}
