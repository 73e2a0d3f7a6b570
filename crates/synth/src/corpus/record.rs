//! Writes one CloudTrail record: picks who acts (principal, then the tool
//! they use), what they call (from the catalog slice that tool reaches and
//! the region allows), whether it fails, and assembles the envelope in the
//! field order CloudTrail itself writes.
//!
//! All randomness comes from the file's generator, so a record depends only
//! on the file seed and its position in the file.

use crate::cloudtrail::tls_details;
use crate::corpus::errors::{Failure, error_rate, failure};
use crate::corpus::events::{CATALOG, Catalog, Ev, Kind, Parts};
use crate::corpus::identity::{IdentityMode, Session, write_identity};
use crate::corpus::principal::{Class, Principal};
use crate::corpus::user_agent::{Ua, UaCall};
use crate::corpus::world::{Account, HOME_REGION, REGIONS, World, runner_ip};
use crate::json::Obj;
use crate::rng::Rng;

/// Buffers reused from record to record on one worker.
#[derive(Default)]
pub(crate) struct Scratch {
    pub parts: Parts,
    pub ua: String,
    pub ids: String,
}

/// Where the records of one file come from.
pub(crate) struct FileCtx<'a> {
    pub world: &'a World,
    pub catalog: &'a Catalog,
    pub acct: &'a Account,
    pub region_idx: usize,
}

impl FileCtx<'_> {
    fn region(&self) -> &'static str {
        REGIONS[self.region_idx].0
    }
}

/// `eventVersion` per service: real trails mix 1.08 to 1.11.
fn event_version(kind: &Kind) -> &'static str {
    const VERSIONS: [&str; 4] = ["1.08", "1.09", "1.10", "1.11"];
    let h = xxhash_rust::xxh3::xxh3_64(kind.source.as_bytes());
    VERSIONS[(h % 4) as usize]
}

/// (principal index, channel index, catalog index) for one call.
fn choose(rng: &mut Rng, ctx: &FileCtx<'_>) -> (usize, usize, usize) {
    let home = ctx.region_idx == HOME_REGION;
    let picker = if home {
        &ctx.acct.pick_home
    } else {
        &ctx.acct.pick_other
    };
    for _ in 0..16 {
        let pi = picker.sample(rng);
        let Some(p) = ctx.acct.principals.get(pi) else {
            continue;
        };
        if p.channels.is_empty() {
            continue;
        }
        let ci = p.pick_channel.sample(rng);
        if let Some(k) = ctx.catalog.sample(rng, p.channels[ci].who, home) {
            return (pi, ci, k);
        }
    }
    (0, 0, ctx.catalog.fallback)
}

fn source_ip(
    rng: &mut Rng,
    ctx: &FileCtx<'_>,
    p: &Principal,
    ua: &Ua,
    session: &Session,
) -> String {
    if let Some(svc) = p.invoked_by {
        return svc.to_string();
    }
    if ua.is_console() && rng.chance(0.08) {
        return "AWS Internal".to_string();
    }
    if p.vpce.is_some() {
        let mut r = Rng::new(session.seed);
        return format!("10.{}.{}.{}", r.below(4), r.below(256), 1 + r.below(254));
    }
    match p.class {
        Class::Ci => return runner_ip(&mut Rng::new(session.seed)),
        Class::WebIdentity if p.name.starts_with("repo:") => {
            return runner_ip(&mut Rng::new(session.seed));
        }
        Class::AwsAccount if p.ips.len() > 2 => return rng.pick(&p.ips).clone(),
        _ => {}
    }
    if p.ips.is_empty() {
        ctx.acct.res.nat_ips[ctx.region_idx].clone()
    } else {
        p.ips[((session.seed >> 8) % p.ips.len() as u64) as usize].clone()
    }
}

/// `tlsDetails.clientProvidedHostHeader` for a call.
fn host_header(rng: &mut Rng, kind: &Kind, region: &str) -> String {
    let prefix = kind.source.trim_end_matches(".amazonaws.com");
    match prefix {
        "iam" | "route53" => format!("{prefix}.amazonaws.com"),
        "sts" if region == "us-east-1" && rng.chance(0.5) => "sts.amazonaws.com".to_string(),
        "ecr" => format!("api.ecr.{region}.amazonaws.com"),
        "organizations" | "q" | "codewhisperer" => format!("{prefix}.us-east-1.amazonaws.com"),
        _ => format!("{prefix}.{region}.amazonaws.com"),
    }
}

/// Appends one record (a JSON object, no separator) to `out`.
pub(crate) fn write_record(
    out: &mut Vec<u8>,
    rng: &mut Rng,
    ctx: &FileCtx<'_>,
    t: i64,
    scratch: &mut Scratch,
) {
    let (pi, ci, ki) = choose(rng, ctx);
    let acct = ctx.acct;
    let p = &acct.principals[pi];
    let channel = &p.channels[ci];
    let kind = &CATALOG[ki];
    let region = ctx.region();
    let session = p.session(acct, pi, t);
    let signin = kind.source == "signin.amazonaws.com";
    let console = channel.ua.is_console() || p.class == Class::Root;

    scratch.parts.clear();
    if let Some(write) = kind.write {
        let mut ev = Ev {
            rng: &mut *rng,
            world: ctx.world,
            acct,
            region,
            t,
            principal: p,
            session: &session,
            out: &mut scratch.parts,
        };
        write(&mut ev);
    }
    let parts = &scratch.parts;

    let failed: Option<Failure> = if !signin && rng.chance(error_rate(p.class)) {
        let caller = p.session_arn(acct, &session);
        Some(failure(rng, kind, &caller, &acct.id, region))
    } else {
        None
    };

    // User agent.
    scratch.ua.clear();
    match (&channel.ua, signin) {
        (Ua::Console { browser }, true) => scratch.ua.push_str(browser),
        (ua, _) => ua.write(
            &mut scratch.ua,
            rng,
            &UaCall {
                cli: kind.cli,
                service: kind.service,
                sid: &session.sid,
                s3: kind.service == "s3",
            },
        ),
    }
    let ip = source_ip(rng, ctx, p, &channel.ua, &session);

    let mode = if signin {
        IdentityMode::SignIn
    } else if console {
        IdentityMode::Console
    } else {
        IdentityMode::Api
    };

    let mut o = Obj::new(out);
    o.str("eventVersion", event_version(kind));
    write_identity(&mut o, acct, p, &session, mode);
    o.time("eventTime", t)
        .str("eventSource", kind.source)
        .str("eventName", kind.name)
        .str("awsRegion", region)
        .str("sourceIPAddress", &ip)
        .str("userAgent", &scratch.ua);
    if let Some(f) = &failed {
        o.str("errorCode", f.code);
        if !f.message.is_empty() {
            o.str("errorMessage", &f.message);
        }
    } else if parts.signin_failed {
        o.str("errorMessage", "Failed authentication");
    }
    o.raw("requestParameters", &parts.req);
    o.raw(
        "responseElements",
        if failed.is_some() { &[] } else { &parts.resp },
    );
    if !parts.extra.is_empty() {
        o.raw("additionalEventData", &parts.extra);
    }
    let ids = &mut scratch.ids;
    if !signin {
        ids.clear();
        match kind.service {
            "s3" => rng.push_upper_alnum(ids, 16),
            "dynamodb" => rng.push_upper_alnum(ids, 52),
            _ => rng.push_uuid(ids),
        }
        o.str("requestID", ids);
    }
    ids.clear();
    rng.push_uuid(ids);
    o.str("eventID", ids).bool("readOnly", kind.read_only);
    if !parts.resources.is_empty() {
        o.raw("resources", &parts.resources);
    }
    o.str(
        "eventType",
        if signin {
            "AwsConsoleSignIn"
        } else {
            "AwsApiCall"
        },
    );
    if let Some(v) = parts.api_version {
        o.str("apiVersion", v);
    }
    o.bool("managementEvent", !kind.data)
        .str("recipientAccountId", &acct.id);
    if parts.shared_event_id {
        ids.clear();
        rng.push_uuid(ids);
        o.str("sharedEventID", ids);
    }
    if let Some(vpce) = &p.vpce {
        o.str("vpcEndpointId", vpce)
            .str("vpcEndpointAccountId", &acct.id);
    }
    o.str(
        "eventCategory",
        if kind.data { "Data" } else { "Management" },
    );
    if p.invoked_by.is_none() && p.class != Class::AwsService {
        let host = if parts.host.is_empty() {
            host_header(rng, kind, region)
        } else {
            parts.host.clone()
        };
        let tls12 = rng.chance(0.12);
        tls_details(&mut o, tls12, &host);
    }
    if console && !signin {
        o.str("sessionCredentialFromConsole", "true");
    }
    o.end();
}
