//! Parameters of CloudFormation stack and change-set calls; see `params`
//! for the contract.

use crate::json::Obj;
use crate::scenario::cast::ACCOUNTS;
use crate::scenario::params::shape::{Ev, Shape};

pub(super) fn write(shape: Shape, ev: &mut Ev<'_>) {
    let acct = ACCOUNTS[ev.acct as usize].id;
    let region = ev.region.to_string();
    let lists = ev.res_lists;
    match shape {
        Shape::Stack | Shape::UpdateStack | Shape::CreateStack => {
            let s = ev.pick(&lists.stacks);
            let mut r = Obj::new(ev.req);
            r.str("stackName", &s);
            if !matches!(shape, Shape::Stack) {
                r.str(
                    "templateURL",
                    &format!(
                        "https://acme-cfn-templates-{acct}.s3.amazonaws.com/{s}/template.yaml"
                    ),
                )
                .str_list("capabilities", &["CAPABILITY_NAMED_IAM"]);
                {
                    let mut p = r.arr("parameters");
                    p.obj()
                        .str("parameterKey", "Environment")
                        .str("parameterValue", ACCOUNTS[ev.acct as usize].name)
                        .end();
                    p.end();
                }
                if matches!(shape, Shape::CreateStack) {
                    r.bool("disableRollback", false);
                }
            }
            r.end();
            if !matches!(shape, Shape::Stack) && !ev.failed {
                let id = ev.rng.uuid();
                Obj::new(ev.resp)
                    .str(
                        "stackId",
                        &format!("arn:aws:cloudformation:{region}:{acct}:stack/{s}/{id}"),
                    )
                    .end();
            }
        }
        Shape::DriftStatus => {
            let id = ev.rng.uuid();
            Obj::new(ev.req).str("stackDriftDetectionId", &id).end();
        }
        Shape::ListStacks => {
            let mut r = Obj::new(ev.req);
            r.str_list(
                "stackStatusFilter",
                &[
                    "CREATE_COMPLETE",
                    "UPDATE_COMPLETE",
                    "UPDATE_ROLLBACK_COMPLETE",
                ],
            );
            r.end();
        }
        Shape::CreateChangeSet | Shape::ChangeSet => {
            let s = ev.pick(&lists.stacks);
            let cs = ev.aux.unwrap_or("samcli-deploy1765200000").to_string();
            let mut r = Obj::new(ev.req);
            r.str("stackName", &s).str("changeSetName", &cs);
            if matches!(shape, Shape::CreateChangeSet) {
                r.str(
                    "templateURL",
                    &format!(
                        "https://acme-cfn-templates-{acct}.s3.amazonaws.com/{s}/template.yaml"
                    ),
                )
                .str("changeSetType", "UPDATE")
                .str_list("capabilities", &["CAPABILITY_IAM"]);
            }
            r.end();
            if matches!(shape, Shape::CreateChangeSet) && !ev.failed {
                let a = ev.rng.uuid();
                let b = ev.rng.uuid();
                Obj::new(ev.resp)
                    .str(
                        "id",
                        &format!("arn:aws:cloudformation:{region}:{acct}:changeSet/{cs}/{a}"),
                    )
                    .str(
                        "stackId",
                        &format!("arn:aws:cloudformation:{region}:{acct}:stack/{s}/{b}"),
                    )
                    .end();
            }
        }
        _ => {}
    }
}
