//! Agent commands that fan out into many S3 events: publishing a site
//! build with `aws s3 sync --delete`, and a scratch bucket's life
//! (`aws s3 mb`, a recursive upload, `aws s3 rb --force`).

use crate::rng::Rng;
use crate::scenario::agent_commands::{AwsCmd, Env, Planned, Target, ev, fanout};
use crate::scenario::cast::ACCOUNTS;
use crate::scenario::ops::O;
use crate::scenario::spec::Err;

/// `aws s3 sync ./build s3://<site bucket>/ --delete`.
pub(crate) fn sync(rng: &mut Rng, env: &Env, tg: &Target<'_>) -> Planned {
    let b = tg
        .world
        .acct(env.acct)
        .buckets
        .iter()
        .find(|b| b.ends_with("-site") || b.ends_with("-assets"))
        .cloned()
        .unwrap_or_else(|| tg.bucket(rng));
    let cmd = AwsCmd::new("s3", "sync")
        .pos("./build")
        .pos(&format!("s3://{b}/"))
        .flag("delete");
    let mut evs = vec![ev(env, O::ListObjects, &b, "", Err::None, "s3.sync")];
    let mut out = String::new();
    let puts = 3 + rng.below(10);
    for i in 0..puts {
        let key = if i == 0 {
            "index.html".to_string()
        } else {
            format!(
                "assets/{}.{}.js",
                rng.pick(&["app", "vendor", "chunk"]),
                rng.hex(8)
            )
        };
        out.push_str(&format!("upload: build/{key} to s3://{b}/{key}\n"));
        evs.push(ev(env, O::PutObject, &b, &key, Err::None, "s3.sync"));
    }
    for _ in 0..rng.below(5) {
        let key = format!("assets/app.{}.js", rng.hex(8));
        out.push_str(&format!("delete: s3://{b}/{key}\n"));
        evs.push(ev(env, O::DeleteObject, &b, &key, Err::None, "s3.sync"));
    }
    let ms = 1500 + evs.len() as i64 * 180;
    fanout(cmd.shell(env), evs, out, ms, "Publish the site build")
}

/// `aws s3 mb`, an upload of a few files, then `aws s3 rb --force`.
pub(crate) fn scratch_cycle(rng: &mut Rng, env: &Env) -> Vec<Planned> {
    let b = format!(
        "acme-{}-scratch-{}",
        ACCOUNTS[env.acct as usize].name,
        rng.hex(6)
    );
    let mb = AwsCmd::new("s3", "mb").pos(&format!("s3://{b}"));
    let mk = vec![ev(env, O::CreateBucket, &b, "", Err::None, "s3.mb")];
    let n = 4 + rng.below(12);
    let keys: Vec<String> = (0..n)
        .map(|i| format!("fixtures/part-{i:04}.parquet"))
        .collect();
    let cp = AwsCmd::new("s3", "cp")
        .pos("./fixtures")
        .pos(&format!("s3://{b}/fixtures/"))
        .flag("recursive");
    let ups = keys
        .iter()
        .map(|k| ev(env, O::PutObject, &b, k, Err::None, "s3.cp"))
        .collect::<Vec<_>>();
    let rb = AwsCmd::new("s3", "rb")
        .pos(&format!("s3://{b}"))
        .flag("force");
    let mut del = vec![ev(env, O::ListObjects, &b, "", Err::None, "s3.rb")];
    del.extend(
        keys.iter()
            .map(|k| ev(env, O::DeleteObject, &b, k, Err::None, "s3.rb")),
    );
    del.push(ev(env, O::DeleteBucket, &b, "", Err::None, "s3.rb"));
    let up_out: String = keys
        .iter()
        .map(|k| format!("upload: {k} to s3://{b}/{k}\n"))
        .collect();
    let del_out: String = keys
        .iter()
        .map(|k| format!("delete: s3://{b}/{k}\n"))
        .chain(std::iter::once(format!("remove_bucket: {b}\n")))
        .collect();
    let nk = keys.len() as i64;
    vec![
        fanout(
            mb.shell(env),
            mk,
            format!("make_bucket: {b}\n"),
            1100,
            "Create a scratch bucket",
        ),
        fanout(
            cp.shell(env),
            ups,
            up_out,
            1200 + nk * 150,
            "Upload the test fixtures",
        ),
        fanout(
            rb.shell(env),
            del,
            del_out,
            1500 + nk * 120,
            "Remove the scratch bucket",
        ),
    ]
}

/// `aws s3 rm s3://<data bucket>/tmp/ --recursive`: one listing, then one
/// `DeleteObject` per key.
pub(crate) fn rm_recursive(rng: &mut Rng, env: &Env, tg: &Target<'_>) -> Planned {
    let b = tg
        .world
        .acct(env.acct)
        .buckets
        .iter()
        .find(|b| b.ends_with("-data") || b.ends_with("-assets"))
        .cloned()
        .unwrap_or_else(|| tg.bucket(rng));
    let cmd = AwsCmd::new("s3", "rm")
        .pos(&format!("s3://{b}/tmp/"))
        .flag("recursive");
    let mut evs = vec![ev(env, O::ListObjects, &b, "tmp/", Err::None, "s3.rm")];
    let mut out = String::new();
    for i in 0..2 + rng.below(14) {
        let key = format!("tmp/export-{i:03}-{}.csv", rng.hex(6));
        out.push_str(&format!("delete: s3://{b}/{key}\n"));
        evs.push(ev(env, O::DeleteObject, &b, &key, Err::None, "s3.rm"));
    }
    let ms = 1200 + evs.len() as i64 * 110;
    fanout(cmd.shell(env), evs, out, ms, "Remove temporary exports")
}
