//! Parameters of STS credential calls (`AssumeRole`,
//! `AssumeRoleWithWebIdentity`) and of the console's `ConsoleLogin`; see
//! `params` for the contract.

use crate::json::{Obj, java_time};
use crate::rng::Rng;
use crate::scenario::params::shape::{Ev, Shape};

/// `"responseElements"` of an STS credential response; `issued` is the
/// access key the caller then uses, when the scenario knows it.
fn credentials(o: &mut Obj<'_>, rng: &mut Rng, t: i64, secs: i64, issued: Option<&str>) {
    let drawn = format!("ASIA{}", rng.upper_alnum(16));
    let key = issued.map_or(drawn, str::to_owned);
    let token = rng.base64(96);
    let mut c = o.obj("credentials");
    c.str("accessKeyId", &key)
        .str("sessionToken", &token)
        .str("expiration", &java_time(t + secs, true));
    c.end();
}

pub(super) fn sts(shape: Shape, ev: &mut Ev<'_>) {
    let acct = ev.acct_id();
    let role = ev
        .res
        .unwrap_or("OrganizationAccountAccessRole")
        .to_string();
    let session = ev.aux.unwrap_or("session").to_string();
    let role_arn = format!("arn:aws:iam::{acct}:role/{role}");
    let web = matches!(shape, Shape::WebIdentity);
    // `AssumeRole`: `<session>|<source identity>`; web identity:
    // `<session>|<OIDC subject>|<issued access key>`.
    let mut parts = session.split('|').map(str::to_string);
    let session = parts.next().unwrap_or_else(|| "session".to_string());
    let (source_identity, subject, issued) = if web {
        (None, parts.next(), parts.next())
    } else {
        (parts.next(), None, None)
    };
    {
        let mut r = ev.req();
        r.str("roleArn", &role_arn).str("roleSessionName", &session);
        if let Some(si) = &source_identity {
            r.str("sourceIdentity", si);
        }
        r.num(
            "durationSeconds",
            if source_identity.is_some() {
                14_400
            } else {
                3600
            },
        );
        r.end();
    }
    let (t, failed) = (ev.t, ev.failed);
    if !failed {
        let role_id = crate::scenario::cast::role_id(ev.acct, &role);
        let mut o = Obj::new(ev.resp);
        credentials(
            &mut o,
            ev.rng,
            t,
            if source_identity.is_some() {
                14_400
            } else {
                3600
            },
            issued.as_deref(),
        );
        let mut u = o.obj("assumedRoleUser");
        u.str("assumedRoleId", &format!("{role_id}:{session}")).str(
            "arn",
            &format!("arn:aws:sts::{acct}:assumed-role/{role}/{session}"),
        );
        u.end();
        if let Some(si) = &source_identity {
            o.str("sourceIdentity", si);
        }
        if web {
            o.str(
                "subjectFromWebIdentityToken",
                subject
                    .as_deref()
                    .unwrap_or(crate::scenario::cast::CI_SUBJECT),
            )
            .str("audience", "sts.amazonaws.com")
            .str(
                "provider",
                &format!("arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com"),
            );
        }
        o.end();
    }
    let mut a = crate::json::Arr::new(ev.resources);
    a.obj()
        .str("accountId", acct)
        .str("type", "AWS::IAM::Role")
        .str("ARN", &role_arn)
        .end();
    a.end();
}

/// The sign-in page's `ConsoleLogin`.
pub(super) fn console_login(ev: &mut Ev<'_>) {
    if !ev.failed {
        Obj::new(ev.resp).str("ConsoleLogin", "Success").end();
    }
    Obj::new(ev.extra)
        .str("MobileVersion", "No")
        .str("MFAUsed", "No")
        .str("LoginTo", "https://console.aws.amazon.com/console/home")
        .end();
}
