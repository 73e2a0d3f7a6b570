//! The CloudFormation cascades that several incidents involve: after
//! `CreateStack`, `UpdateStack`, `DeleteStack` or `ExecuteChangeSet`,
//! CloudFormation makes the resource calls itself, with the caller's
//! identity, `invokedBy`, `sourceIPAddress` and `userAgent` all
//! `cloudformation.amazonaws.com`. The ground truth gives those events the
//! actor, session and tool call of the stack operation that caused them.
//! Also a person's single scripted call, which the incidents share.

use crate::rng::Rng;
use crate::scenario::cast::SVC_CLOUDFORMATION;
use crate::scenario::ops::O;
use crate::scenario::plan::Plan;
use crate::scenario::spec::{Case, Err, Kind, Spec, Truth, Who};
use crate::scenario::user_agent::Ua;

/// An owned copy of a literal.
pub(crate) fn s(x: &'static str) -> String {
    x.to_string()
}

/// One step of a cascade: operation, resource, second resource, error.
pub(crate) type Step<'a> = (O, &'a str, String, Err);

/// The stack operation a cascade belongs to.
pub(crate) struct StackOp {
    pub human: u8,
    pub acct: u8,
    pub region: u8,
    /// Numbers the operation's forward-access session.
    pub op_no: u32,
    /// Truth of the stack operation's caller (its call, actor, operator).
    pub caller: Truth,
}

/// Emits CloudFormation's own calls for a stack operation, starting at `t0`
/// and spaced `gap.0..gap.1` seconds apart. Returns `(uid, time)` of each
/// event written and the time of the last step.
pub(crate) fn cascade(
    plan: &mut Plan,
    rng: &mut Rng,
    op: &StackOp,
    t0: i64,
    steps: &[Step<'_>],
    gap: (i64, i64),
) -> (Vec<(u64, i64)>, i64) {
    let case = if op.caller.kind == Kind::Ai {
        Case::AiCfnInherited
    } else {
        Case::HumanCfnInherited
    };
    let mut t = t0;
    let mut uids = Vec::new();
    for (o, res, aux, err) in steps {
        t += gap.0 + rng.below((gap.1 - gap.0).max(1) as u64) as i64;
        let res = plan.names.id(res);
        let aux = plan.names.id(aux);
        let spec = Spec {
            uid: 0,
            t,
            acct: op.acct,
            region: op.region,
            op: *o,
            who: Who::CfnFor {
                human: op.human,
                op: op.op_no,
            },
            ua: Ua::Service {
                svc: SVC_CLOUDFORMATION,
            },
            err: *err,
            res,
            aux,
            cli: 0,
            truth: Truth { case, ..op.caller },
        };
        if let Some(u) = plan.push(spec) {
            uids.push((u, t));
        }
    }
    (uids, t)
}

/// A person's single call (console or CLI) as a scripted spec.
#[allow(clippy::too_many_arguments)]
pub(crate) fn human_call(
    plan: &mut Plan,
    h: u8,
    acct: u8,
    region: u8,
    t: i64,
    op: O,
    ua: Ua,
    res: &str,
    aux: &str,
    cli: &str,
) -> Option<u64> {
    let console = ua.is_console();
    let case = match ua {
        Ua::Console { .. } | Ua::Browser { .. } => Case::Console,
        Ua::CliOld { .. } => Case::HumanCliOld,
        Ua::Terraform { .. } => Case::HumanTerraform,
        _ => Case::HumanCli,
    };
    let res = plan.names.id(res);
    let aux = plan.names.id(aux);
    let cli = plan.names.id(cli);
    plan.push(Spec {
        uid: 0,
        t,
        acct,
        region,
        op,
        who: Who::Sso { human: h, console },
        ua,
        err: Err::None,
        res,
        aux,
        cli,
        truth: Truth::human(h, case),
    })
}
