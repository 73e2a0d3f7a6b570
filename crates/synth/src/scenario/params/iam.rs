//! Parameters of IAM role calls; see `params` for the contract.

use crate::json::{Obj, java_time};
use crate::scenario::cast::ACCOUNTS;
use crate::scenario::params::shape::{Ev, Shape};

pub(super) fn write(shape: Shape, ev: &mut Ev<'_>) {
    let acct = ACCOUNTS[ev.acct as usize].id;
    let lists = ev.res_lists;
    match shape {
        Shape::Role | Shape::RolePolicy | Shape::RolePolicyArn | Shape::CreateRole => {
            let role = ev.pick(&lists.roles);
            let t = ev.t;
            let mut r = Obj::new(ev.req);
            r.str("roleName", &role);
            match shape {
                Shape::RolePolicy => {
                    r.str("policyName", ev.aux.unwrap_or("inline-access"));
                }
                Shape::RolePolicyArn => {
                    r.str(
                        "policyArn",
                        ev.aux.unwrap_or(
                            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                        ),
                    );
                }
                Shape::CreateRole => {
                    r.str("assumeRolePolicyDocument", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}");
                }
                _ => {}
            }
            r.end();
            if matches!(shape, Shape::CreateRole) && !ev.failed {
                let rid = crate::scenario::cast::role_id(ev.acct, &role);
                let mut o = Obj::new(ev.resp);
                o.obj("role")
                    .str("path", "/")
                    .str("roleName", &role)
                    .str("roleId", &rid)
                    .str("arn", &format!("arn:aws:iam::{acct}:role/{role}"))
                    .str("createDate", &java_time(t, false))
                    .end();
                o.end();
            }
        }
        _ => {}
    }
}
