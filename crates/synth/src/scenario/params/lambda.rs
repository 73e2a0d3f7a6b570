//! Parameters of Lambda function calls; see `params` for the contract.

use crate::json::{Obj, lambda_time};
use crate::rng::Rng;
use crate::scenario::params::shape::{Ev, Shape};

fn function_arn(acct: &str, region: &str, f: &str) -> String {
    format!("arn:aws:lambda:{region}:{acct}:function:{f}")
}

fn function_config(o: &mut Obj<'_>, ev_t: i64, arn: &str, f: &str, role: &str, rng: &mut Rng) {
    o.str("functionName", f)
        .str("functionArn", arn)
        .str("runtime", "python3.12")
        .str("role", role)
        .str("handler", "app.handler")
        .num("codeSize", 1_000 + rng.below(9_000_000) as i64)
        .str("description", "")
        .num("timeout", 30)
        .num("memorySize", 512)
        .str("lastModified", &lambda_time(ev_t))
        .str("codeSha256", &rng.base64(43))
        .str("version", "$LATEST")
        .empty("tracingConfig")
        .str("revisionId", &rng.uuid())
        .str("state", "Active")
        .str("lastUpdateStatus", "InProgress")
        .str("packageType", "Zip")
        .str_list("architectures", &["x86_64"]);
}

pub(super) fn write(shape: Shape, ev: &mut Ev<'_>) {
    let acct = ev.acct_id();
    let region = ev.region.to_string();
    let lists = ev.res_lists;
    let f = ev.pick(&lists.functions);
    let role = format!("arn:aws:iam::{acct}:role/{f}-role");
    let arn = function_arn(acct, &region, &f);
    match shape {
        Shape::Function => {
            Obj::new(ev.req).str("functionName", &f).end();
        }
        Shape::FunctionCode | Shape::FunctionConfig | Shape::CreateFunction => {
            {
                let mut r = Obj::new(ev.req);
                r.str("functionName", &f);
                match shape {
                    Shape::FunctionCode => {
                        r.bool("publish", false).bool("dryRun", false);
                    }
                    Shape::FunctionConfig => match ev.aux {
                        Some(a) if a.starts_with("memory=") => {
                            let (mem, timeout) = a[7..].split_once(',').unwrap_or(("256", "10"));
                            r.num("memorySize", mem.parse().unwrap_or(256))
                                .num("timeout", timeout.parse().unwrap_or(10));
                        }
                        Some(_) => {
                            r.obj("environment").empty("variables").end();
                        }
                        None => {
                            r.num("timeout", 30);
                        }
                    },
                    _ => {
                        r.str("runtime", "python3.12")
                            .str("role", &role)
                            .str("handler", "app.handler")
                            .obj("code")
                            .end();
                        r.num("timeout", 30)
                            .num("memorySize", 512)
                            .bool("publish", false);
                    }
                }
                r.end();
            }
            if !ev.failed {
                let mut o = Obj::new(ev.resp);
                function_config(&mut o, ev.t, &arn, &f, &role, ev.rng);
                o.end();
            }
        }
        Shape::LambdaPermission => {
            Obj::new(ev.req)
                .str("functionName", &f)
                .str("statementId", "apigateway-invoke")
                .str("action", "lambda:InvokeFunction")
                .str("principal", "apigateway.amazonaws.com")
                .end();
        }
        Shape::EventSourceMapping => {
            let uuid = ev.rng.uuid();
            Obj::new(ev.req).str("uUID", &uuid).end();
            if !ev.failed {
                Obj::new(ev.resp)
                    .str("uUID", &uuid)
                    .num("batchSize", 10)
                    .str("functionArn", &arn)
                    .str("state", "Deleting")
                    .end();
            }
        }
        _ => {}
    }
}
