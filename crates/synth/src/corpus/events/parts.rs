//! What a parameter writer works on: `Ev` (the world, the caller, the time)
//! and `Parts`, the record's part buffers it fills; plus the list shapes
//! several writers share.

use crate::corpus::identity::Session;
use crate::corpus::principal::Principal;
use crate::corpus::world::{Account, World};
use crate::json::{Arr, Obj};
use crate::rng::Rng;

/// The variable parts of one record, reused between records.
#[derive(Default)]
pub(crate) struct Parts {
    pub req: Vec<u8>,
    pub resp: Vec<u8>,
    pub extra: Vec<u8>,
    pub resources: Vec<u8>,
    /// `tlsDetails.clientProvidedHostHeader` when it is not the default.
    pub host: String,
    pub shared_event_id: bool,
    pub api_version: Option<&'static str>,
    /// Failure response for sign-in events (no `errorCode`).
    pub signin_failed: bool,
}

impl Parts {
    pub(crate) fn clear(&mut self) {
        self.req.clear();
        self.resp.clear();
        self.extra.clear();
        self.resources.clear();
        self.host.clear();
        self.shared_event_id = false;
        self.api_version = None;
        self.signin_failed = false;
    }
}

/// What a writer sees: the world, the caller, the time, and the buffers.
pub(crate) struct Ev<'a> {
    pub rng: &'a mut Rng,
    pub world: &'a World,
    pub acct: &'a Account,
    pub region: &'static str,
    pub t: i64,
    pub principal: &'a Principal,
    pub session: &'a Session,
    pub out: &'a mut Parts,
}

fn pick<'a>(rng: &mut Rng, items: &'a [String]) -> &'a str {
    if items.is_empty() {
        ""
    } else {
        &items[rng.index(items.len())]
    }
}

impl<'a> Ev<'a> {
    pub(crate) fn bucket(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.buckets)
    }
    pub(crate) fn instance(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.instances)
    }
    pub(crate) fn ami(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.amis)
    }
    pub(crate) fn security_group(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.security_groups)
    }
    pub(crate) fn vpc(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.vpcs)
    }
    pub(crate) fn subnet(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.subnets)
    }
    pub(crate) fn volume(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.volumes)
    }
    pub(crate) fn function(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.functions)
    }
    pub(crate) fn table(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.tables)
    }
    /// (stack name, stack uuid).
    pub(crate) fn stack(&mut self) -> (&'a str, &'a str) {
        let a = self.acct;
        let i = self.rng.index(a.res.stacks.len().max(1));
        (
            a.res.stacks.get(i).map_or("", |s| s.as_str()),
            a.res.stack_ids.get(i).map_or("", |s| s.as_str()),
        )
    }
    pub(crate) fn secret(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.secrets)
    }
    pub(crate) fn parameter(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.parameters)
    }
    pub(crate) fn log_group(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.log_groups)
    }
    pub(crate) fn kms_key(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.kms_keys)
    }
    pub(crate) fn cluster(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.clusters)
    }
    pub(crate) fn repository(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.repositories)
    }
    pub(crate) fn database(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.databases)
    }
    pub(crate) fn asg(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.asgs)
    }
    pub(crate) fn target_group(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.target_groups)
    }
    pub(crate) fn hosted_zone(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.hosted_zones)
    }
    pub(crate) fn ecs_service(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.ecs_services)
    }
    pub(crate) fn user_name(&mut self) -> &'a str {
        let a = self.acct;
        pick(self.rng, &a.res.users)
    }
    /// Any role of the account: a principal's role or one of the extra ones.
    pub(crate) fn role_name(&mut self) -> &'a str {
        let a = self.acct;
        let roles: usize = a.principals.iter().filter(|p| p.class.is_role()).count();
        let i = self.rng.index(roles + a.res.roles.len());
        if i < roles {
            a.principals
                .iter()
                .filter(|p| p.class.is_role())
                .nth(i)
                .map_or("", |p| p.name.as_str())
        } else {
            a.res.roles[i - roles].as_str()
        }
    }

    /// `us-east-1a`-style zone.
    pub(crate) fn az(&mut self) -> String {
        let letter = (b'a' + self.rng.below(3) as u8) as char;
        format!("{}{letter}", self.region)
    }

    pub(crate) fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:aws:{service}:{}:{}:{resource}",
            self.region, self.acct.id
        )
    }

    /// Appends one `{"accountId","type","ARN"}` entry to `resources`.
    pub(crate) fn resource(&mut self, kind: &str, arn: &str) {
        let buf = &mut self.out.resources;
        if buf.is_empty() {
            buf.push(b'[');
        } else {
            buf.pop();
            buf.push(b',');
        }
        let mut o = Obj::new(buf);
        o.str("accountId", &self.acct.id)
            .str("type", kind)
            .str("ARN", arn);
        o.end();
        buf.push(b']');
    }
}

/// An EC2 `filterSet` with (name, value) pairs.
pub(crate) fn filter_set(o: &mut Obj<'_>, filters: &[(&str, &str)]) {
    let mut fs = o.obj("filterSet");
    if !filters.is_empty() {
        let mut a = fs.arr("items");
        for (name, value) in filters {
            let mut f = a.obj();
            f.str("name", name);
            let mut vs = f.obj("valueSet");
            let mut va = vs.arr("items");
            va.obj().str("value", value).end();
            va.end();
            vs.end();
            f.end();
        }
        a.end();
    }
    fs.end();
}

/// `[{"key":k,"value":v},…]` as IAM, CloudFormation and EC2 tag lists are.
pub(crate) fn tag_list(a: &mut Arr<'_>, tags: &[(&str, &str)], key: &str, value: &str) {
    for (k, v) in tags {
        a.obj().str(key, k).str(value, v).end();
    }
}
