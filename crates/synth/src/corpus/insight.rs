//! CloudTrail Insights events: an unusual call or error rate, reported as a
//! `Start` record and later an `End` record sharing one `sharedEventID`.
//! They have no `userIdentity`, `eventType:"AwsCloudTrailInsight"` and
//! `eventCategory:"Insight"`, and are delivered under `CloudTrail-Insight/`.
//!
//! Both halves derive everything from the pair's own seed, so the two files
//! agree even though they are written independently.

use crate::corpus::world::Account;
use crate::json::Obj;
use crate::rng::{Rng, mix};

/// (eventSource, eventName) pairs insights commonly flag.
const FLAGGED: &[(&str, &str)] = &[
    ("ec2.amazonaws.com", "RunInstances"),
    ("iam.amazonaws.com", "AttachRolePolicy"),
    ("s3.amazonaws.com", "PutBucketPolicy"),
    ("ssm.amazonaws.com", "UpdateInstanceInformation"),
    ("kms.amazonaws.com", "Decrypt"),
    ("sts.amazonaws.com", "AssumeRole"),
    ("secretsmanager.amazonaws.com", "GetSecretValue"),
];

/// How insight attributions abbreviate the user agents they group by.
const TOOLS: &[&str] = &["aws-cli/2.x", "Boto3/1.x", "aws-sdk-go-v2/1.x"];

pub(crate) struct Insight {
    source: &'static str,
    name: &'static str,
    error_rate: bool,
    baseline: f64,
    peak: f64,
    shared_id: String,
    caller: String,
    user_agent: &'static str,
}

impl Insight {
    pub(crate) fn new(cfg_seed: u64, pair: u32, acct: &Account) -> Insight {
        let mut rng = Rng::new(mix(cfg_seed, 0x1A5_1000 + u64::from(pair)));
        let (source, name) = *rng.pick(FLAGGED);
        let error_rate = rng.chance(0.3);
        let baseline = 0.2 + rng.f64() * 4.0;
        let peak = baseline * (5.0 + rng.f64() * 40.0);
        let roles: Vec<&str> = acct
            .principals
            .iter()
            .filter(|p| p.class.is_role())
            .map(|p| p.arn.as_str())
            .collect();
        let caller = if roles.is_empty() {
            format!("arn:aws:iam::{}:root", acct.id)
        } else {
            rng.pick(&roles).to_string()
        };
        Insight {
            source,
            name,
            error_rate,
            baseline,
            peak,
            shared_id: rng.uuid(),
            caller,
            user_agent: TOOLS[rng.index(TOOLS.len())],
        }
    }
}

fn stat(o: &mut Obj<'_>, key: &str, value: &str, average: f64) {
    let mut a = o.arr(key);
    a.obj()
        .str("value", value)
        .float("average", average, 6)
        .end();
    a.end();
}

/// Which half of an insight a record is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Half {
    pub t: i64,
    pub end: bool,
    pub duration_minutes: i64,
}

/// Writes the `Start` (or `End`) record of an insight.
pub(crate) fn write_insight(
    out: &mut Vec<u8>,
    rng: &mut Rng,
    insight: &Insight,
    acct: &Account,
    region: &str,
    half: Half,
) {
    let Half {
        t,
        end,
        duration_minutes,
    } = half;
    let mut id = String::with_capacity(36);
    rng.push_uuid(&mut id);
    let mut o = Obj::new(out);
    o.str("eventVersion", "1.08")
        .time("eventTime", t)
        .str("awsRegion", region)
        .str("eventID", &id)
        .str("eventType", "AwsCloudTrailInsight")
        .str("recipientAccountId", &acct.id)
        .str("sharedEventID", &insight.shared_id);
    {
        let mut d = o.obj("insightDetails");
        d.str("state", if end { "End" } else { "Start" })
            .str("eventSource", insight.source)
            .str("eventName", insight.name)
            .str(
                "insightType",
                if insight.error_rate {
                    "ApiErrorRateInsight"
                } else {
                    "ApiCallRateInsight"
                },
            );
        if insight.error_rate {
            d.str("errorCode", "AccessDenied");
        }
        let mut ctx = d.obj("insightContext");
        {
            let mut st = ctx.obj("statistics");
            st.obj("baseline")
                .float("average", insight.baseline, 10)
                .end();
            st.obj("insight").float("average", insight.peak, 10).end();
            if end {
                st.num("insightDuration", duration_minutes)
                    .num("baselineDuration", 10_079);
            }
            st.end();
        }
        if end {
            let mut attrs = ctx.arr("attributions");
            for (attr, value) in [
                ("userIdentityArn", insight.caller.as_str()),
                ("userAgent", insight.user_agent),
                (
                    "errorCode",
                    if insight.error_rate {
                        "AccessDenied"
                    } else {
                        "null"
                    },
                ),
            ] {
                let mut a = attrs.obj();
                a.str("attribute", attr);
                stat(&mut a, "insight", value, insight.peak * 0.9);
                stat(&mut a, "baseline", value, insight.baseline);
                a.end();
            }
            attrs.end();
        }
        ctx.end();
        d.end();
    }
    o.str("eventCategory", "Insight");
    o.end();
}
