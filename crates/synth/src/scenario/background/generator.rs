//! `Gen`: one background job's events under construction, kept inside the
//! job's day and numbered from the job's own uid range.

use crate::rng::Rng;
use crate::scenario::cast::USE1;
use crate::scenario::ops::O;
use crate::scenario::plan::Plan;
use crate::scenario::spec::{Err, Spec, Truth, Who};
use crate::scenario::user_agent::Ua;

/// One job's output under construction.
pub(crate) struct Gen<'a> {
    pub plan: &'a Plan,
    pub rng: Rng,
    pub acct: u8,
    pub region: u8,
    pub day: u32,
    pub day_start: i64,
    pub scale: u32,
    pub next: u64,
    pub out: Vec<Spec>,
}

impl Gen<'_> {
    pub(crate) fn push(&mut self, t: i64, op: O, who: Who, ua: Ua, err: Err, truth: Truth) {
        self.push_res(t, op, who, ua, err, truth, "", "");
    }

    /// `push` naming the resources (strings interned by `intern_names`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_res(
        &mut self,
        t: i64,
        op: O,
        who: Who,
        ua: Ua,
        err: Err,
        truth: Truth,
        res: &str,
        aux: &str,
    ) {
        if t < self.day_start || t >= self.day_start + 86_400 {
            return;
        }
        if op.def().global() && self.region != USE1 {
            return;
        }
        self.next += 1;
        self.out.push(Spec {
            uid: self.next,
            t,
            acct: self.acct,
            region: self.region,
            op,
            who,
            ua,
            err,
            res: self.plan.names.find(res),
            aux: self.plan.names.find(aux),
            cli: 0,
            truth,
        });
    }
}
