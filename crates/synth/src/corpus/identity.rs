//! Principals' sessions over time, and the `userIdentity` block CloudTrail
//! writes for each `userIdentity.type`.
//!
//! A principal's temporary credentials are a pure function of (account,
//! principal, time bucket): the access key, session name and creation date
//! repeat for every call in one session and change at the next, and an
//! `AssumeRole` event for that principal at that time returns the same
//! `ASIA…` key later events carry. No state is shared between files, so
//! files can be written in any order on any thread.

use crate::corpus::principal::{Class, Naming, Principal};
use crate::corpus::world::Account;
use crate::json::Obj;
use crate::rng::{Rng, mix};

/// One set of credentials, valid for `Principal::session_secs`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Session {
    pub name: String,
    pub key: String,
    pub created: i64,
    /// The CLI's `sid/` (12 hex), shared for 30 minutes.
    pub sid: String,
    /// Seed of this session, for choices that must stay fixed within it.
    pub seed: u64,
}

impl Principal {
    /// The session active at time `t`, identical for every caller.
    pub(crate) fn session(&self, acct: &Account, idx: usize, t: i64) -> Session {
        let len = self.session_secs.max(60);
        let bucket = (t + self.phase).div_euclid(len);
        let created = bucket * len - self.phase;
        let pseed = mix(acct.seed, 0x5E55_0000 + idx as u64);
        let seed = mix(pseed, bucket as u64);
        let mut rng = Rng::new(seed);
        let mut key = String::with_capacity(20);
        key.push_str("ASIA");
        rng.push_upper_alnum(&mut key, 16);
        let name = match &self.naming {
            Naming::Fixed(s) => s.clone(),
            Naming::Botocore => format!("botocore-session-{created}"),
            Naming::GoSdk => format!("aws-go-sdk-{created}{:09}", rng.below(1_000_000_000)),
            Naming::TaskId => rng.hex(32),
            Naming::Prefixed(p) => format!("{p}-{}", rng.hex(8)),
        };
        let mut sid_rng = Rng::new(mix(pseed, (t.div_euclid(1800)) as u64 ^ 0x51D));
        Session {
            name,
            key,
            created,
            sid: sid_rng.hex(12),
            seed,
        }
    }

    /// The `sourceIdentity` a session carries, if the role sets one.
    pub(crate) fn source_identity(&self, session: &Session) -> Option<&str> {
        if self.source_identities.is_empty() {
            None
        } else {
            let i = (session.seed % self.source_identities.len() as u64) as usize;
            Some(self.source_identities[i].as_str())
        }
    }

    /// `arn:aws:sts::<acct>:assumed-role/<role>/<session>` for roles, the
    /// principal's own ARN otherwise.
    pub(crate) fn session_arn(&self, acct: &Account, session: &Session) -> String {
        match self.class {
            c if c.is_role() => format!(
                "arn:aws:sts::{}:assumed-role/{}/{}",
                acct.id, self.name, session.name
            ),
            Class::Federated => format!("arn:aws:sts::{}:federated-user/{}", acct.id, self.name),
            _ => self.arn.clone(),
        }
    }
}

/// Which shape an IAM user's or root's identity takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdentityMode {
    /// Programmatic call: the long-term `AKIA…` key.
    Api,
    /// Console session: a temporary key and `sessionContext`.
    Console,
    /// The `ConsoleLogin` event itself: no key at all.
    SignIn,
}

/// Writes `"userIdentity":{…}` for `p` in `session`.
pub(crate) fn write_identity(
    o: &mut Obj<'_>,
    acct: &Account,
    p: &Principal,
    session: &Session,
    mode: IdentityMode,
) {
    let mut u = o.obj("userIdentity");
    u.str("type", p.class.identity_type());
    match p.class {
        Class::Sso | Class::App | Class::Agent | Class::Ci | Class::ServiceRole => {
            let principal_id = format!("{}:{}", p.id, session.name);
            let arn = p.session_arn(acct, session);
            u.str("principalId", &principal_id)
                .str("arn", &arn)
                .str("accountId", &acct.id)
                .str("accessKeyId", &session.key);
            let mut sc = u.obj("sessionContext");
            {
                let mut si = sc.obj("sessionIssuer");
                si.str("type", "Role")
                    .str("principalId", &p.id)
                    .str("arn", &p.arn)
                    .str("accountId", &acct.id)
                    .str("userName", &p.name);
                si.end();
            }
            // Only OIDC-assumed sessions say who federated them; current
            // records leave the empty object out for the rest.
            if let Some(provider) = &p.web_provider {
                sc.obj("webIdFederationData")
                    .str("federatedProvider", provider)
                    .empty("attributes")
                    .end();
            }
            session_attributes(&mut sc, session.created, p.mfa);
            sc.opt_str("sourceIdentity", p.source_identity(session));
            if p.ec2_delivery {
                sc.str("ec2RoleDelivery", "2.0");
            }
            sc.end();
            u.opt_str("invokedBy", p.invoked_by);
        }
        Class::IamUser => {
            u.str("principalId", &p.id)
                .str("arn", &p.arn)
                .str("accountId", &acct.id);
            match mode {
                IdentityMode::Console => {
                    u.str("accessKeyId", &session.key).str("userName", &p.name);
                    let mut sc = u.obj("sessionContext");
                    sc.empty("sessionIssuer").empty("webIdFederationData");
                    session_attributes(&mut sc, session.created, p.mfa);
                    sc.end();
                }
                IdentityMode::Api => {
                    u.str("accessKeyId", p.fixed_key.as_deref().unwrap_or(""))
                        .str("userName", &p.name);
                }
                IdentityMode::SignIn => {
                    u.str("userName", &p.name);
                }
            }
        }
        Class::Root => {
            u.str("principalId", &acct.id)
                .str("arn", &p.arn)
                .str("accountId", &acct.id);
            if mode == IdentityMode::SignIn {
                u.str("accessKeyId", "");
            } else {
                u.str("accessKeyId", &session.key);
                let mut sc = u.obj("sessionContext");
                sc.empty("sessionIssuer").empty("webIdFederationData");
                session_attributes(&mut sc, session.created, p.mfa);
                sc.end();
            }
        }
        Class::AwsService => {
            u.opt_str("invokedBy", p.invoked_by);
        }
        Class::Federated => {
            let arn = p.session_arn(acct, session);
            let principal_id = format!("{}:{}", acct.id, p.name);
            u.str("principalId", &principal_id)
                .str("arn", &arn)
                .str("accountId", &acct.id)
                .str("accessKeyId", &session.key);
            let mut sc = u.obj("sessionContext");
            if let Some((user, id)) = &p.issuer {
                let mut si = sc.obj("sessionIssuer");
                si.str("type", "IAMUser")
                    .str("principalId", id)
                    .str("arn", &format!("arn:aws:iam::{}:user/{user}", acct.id))
                    .str("accountId", &acct.id)
                    .str("userName", user);
                si.end();
            }
            sc.empty("webIdFederationData");
            session_attributes(&mut sc, session.created, false);
            sc.end();
        }
        Class::AwsAccount => {
            u.str("principalId", &p.id).str(
                "accountId",
                p.other_account.as_deref().unwrap_or("anonymous"),
            );
        }
        Class::IdentityCenter => {
            u.str("accountId", &acct.id);
            {
                let mut ob = u.obj("onBehalfOf");
                ob.str("userId", p.user_id.as_deref().unwrap_or(""))
                    .str("identityStoreArn", &p.arn);
                ob.end();
            }
            u.opt_str("credentialId", p.fixed_key.as_deref());
        }
        Class::Saml | Class::WebIdentity => {
            u.str("principalId", &p.id)
                .str("userName", &p.name)
                .str("identityProvider", &p.arn);
        }
        Class::Unknown => {
            u.str("principalId", &p.id)
                .str("accountId", &acct.id)
                .str("userName", &p.name);
        }
    }
    u.end();
}

fn session_attributes(sc: &mut Obj<'_>, created: i64, mfa: bool) {
    let mut at = sc.obj("attributes");
    at.time("creationDate", created)
        .str("mfaAuthenticated", if mfa { "true" } else { "false" });
    at.end();
}
