//! CloudWatch Logs, CloudWatch metrics and CloudTrail shapes: log group and
//! stream names, metric queries with dimensions and Java-style dates,
//! `LookupEvents` attributes.

use crate::corpus::events::parts::Ev;
use crate::json::{Obj, civil, java_time};

pub(super) fn describe_log_groups(ev: &mut Ev<'_>) {
    let prefix = *ev.rng.pick(&["/aws/lambda/", "/ecs/", "/aws/eks/"]);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("logGroupNamePrefix", prefix);
    o.end();
}

pub(super) fn log_group_only(ev: &mut Ev<'_>) {
    let g = ev.log_group();
    let mut o = Obj::new(&mut ev.out.req);
    o.str("logGroupName", g);
    o.end();
}

pub(super) fn filter_log_events(ev: &mut Ev<'_>) {
    let g = ev.log_group();
    let start = (ev.t - ev.rng.range(300, 86_400) as i64) * 1000;
    let pattern = *ev
        .rng
        .pick(&["ERROR", "?ERROR ?Exception", "\"Task timed out\"", ""]);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("logGroupName", g)
        .num("startTime", start)
        .bool("interleaved", true);
    if !pattern.is_empty() {
        o.str("filterPattern", pattern);
    }
    o.end();
}

pub(super) fn start_query(ev: &mut Ev<'_>) {
    let g = ev.log_group();
    let id = ev.rng.uuid();
    let start = ev.t - 3600 * ev.rng.range(1, 24) as i64;
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str_list("logGroupNames", &[g])
            .num("startTime", start)
            .num("endTime", ev.t)
            .str(
                "queryString",
                "fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 100",
            );
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("queryId", &id);
    o.end();
}

pub(super) fn create_log_stream(ev: &mut Ev<'_>) {
    let f = ev.function();
    let c = civil(ev.t);
    let stream = format!(
        "{:04}/{:02}/{:02}/[$LATEST]{}",
        c.year,
        c.month,
        c.day,
        ev.rng.hex(32)
    );
    let mut o = Obj::new(&mut ev.out.req);
    o.str("logGroupName", &format!("/aws/lambda/{f}"))
        .str("logStreamName", &stream);
    o.end();
}

pub(super) fn put_retention_policy(ev: &mut Ev<'_>) {
    let g = ev.log_group();
    let days = *ev.rng.pick(&[7i64, 14, 30, 90, 365]);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("logGroupName", g).num("retentionInDays", days);
    o.end();
}

fn metric(ev: &mut Ev<'_>) -> (&'static str, &'static str, &'static str, String) {
    match ev.rng.below(4) {
        0 => (
            "AWS/EC2",
            "CPUUtilization",
            "InstanceId",
            ev.instance().to_string(),
        ),
        1 => (
            "AWS/Lambda",
            "Errors",
            "FunctionName",
            ev.function().to_string(),
        ),
        2 => (
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            "TableName",
            ev.table().to_string(),
        ),
        _ => (
            "AWS/ApplicationELB",
            "TargetResponseTime",
            "TargetGroup",
            format!("targetgroup/{}", ev.target_group()),
        ),
    }
}

pub(super) fn get_metric_data(ev: &mut Ev<'_>) {
    let n = ev.rng.range(1, 3);
    let metrics: Vec<_> = (0..n).map(|_| metric(ev)).collect();
    let end = ev.t - ev.t % 60;
    let start = end - 3 * 3600;
    let mut o = Obj::new(&mut ev.out.req);
    {
        let mut qs = o.arr("metricDataQueries");
        for (i, (ns, name, dim, value)) in metrics.iter().enumerate() {
            let mut q = qs.obj();
            q.str("id", &format!("m{i}"));
            {
                let mut ms = q.obj("metricStat");
                {
                    let mut m = ms.obj("metric");
                    m.str("namespace", ns).str("metricName", name);
                    let mut ds = m.arr("dimensions");
                    ds.obj().str("name", dim).str("value", value).end();
                    ds.end();
                    m.end();
                }
                ms.num("period", 300).str("stat", "Average");
                ms.end();
            }
            q.bool("returnData", true);
            q.end();
        }
        qs.end();
    }
    o.str("startTime", &java_time(start, true))
        .str("endTime", &java_time(end, true));
    o.end();
}

pub(super) fn describe_alarms(ev: &mut Ev<'_>) {
    let by_state = ev.rng.chance(0.5);
    let f = ev.function();
    let mut o = Obj::new(&mut ev.out.req);
    if by_state {
        o.str("stateValue", "ALARM").num("maxRecords", 100);
    } else {
        o.str_list("alarmNames", &[&format!("{f}-errors")]);
    }
    o.end();
}

pub(super) fn get_metric_statistics(ev: &mut Ev<'_>) {
    let (ns, name, dim, value) = metric(ev);
    let end = ev.t - ev.t % 60;
    let mut o = Obj::new(&mut ev.out.req);
    o.str("namespace", ns).str("metricName", name);
    {
        let mut ds = o.arr("dimensions");
        ds.obj().str("name", dim).str("value", &value).end();
        ds.end();
    }
    o.str("startTime", &java_time(end - 3600, true))
        .str("endTime", &java_time(end, true))
        .num("period", 60)
        .str_list("statistics", &["Sum", "Maximum"]);
    o.end();
}

pub(super) fn list_metrics(ev: &mut Ev<'_>) {
    let ns = *ev
        .rng
        .pick(&["AWS/EC2", "AWS/Lambda", "AWS/RDS", "CWAgent"]);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("namespace", ns);
    o.end();
}

pub(super) fn put_metric_alarm(ev: &mut Ev<'_>) {
    let (ns, name, dim, value) = metric(ev);
    let topic = ev.arn("sns", &format!("{}-alerts", ev.acct.env));
    let mut o = Obj::new(&mut ev.out.req);
    o.str("alarmName", &format!("{value}-{}", name.to_lowercase()))
        .str_list("alarmActions", &[&topic])
        .str("metricName", name)
        .str("namespace", ns)
        .str("statistic", "Average");
    {
        let mut ds = o.arr("dimensions");
        ds.obj().str("name", dim).str("value", &value).end();
        ds.end();
    }
    o.num("period", 300)
        .num("evaluationPeriods", 2)
        .float("threshold", 80.0, 1)
        .str("comparisonOperator", "GreaterThanThreshold")
        .str("treatMissingData", "notBreaching");
    o.end();
}

pub(super) fn lookup_events(ev: &mut Ev<'_>) {
    let name = *ev.rng.pick(&[
        "RunInstances",
        "ConsoleLogin",
        "DeleteBucket",
        "AssumeRole",
        "CreateAccessKey",
    ]);
    let start = ev.t - 86_400 * ev.rng.range(1, 7) as i64;
    let mut o = Obj::new(&mut ev.out.req);
    {
        let mut la = o.arr("lookupAttributes");
        la.obj()
            .str("attributeKey", "EventName")
            .str("attributeValue", name)
            .end();
        la.end();
    }
    o.str("startTime", &java_time(start, true))
        .str("endTime", &java_time(ev.t, true))
        .num("maxResults", 50);
    o.end();
}

pub(super) fn trail_status(ev: &mut Ev<'_>) {
    let arn = format!(
        "arn:aws:cloudtrail:us-east-1:{}:trail/{}",
        ev.world.accounts[0].id, ev.world.trail
    );
    let mut o = Obj::new(&mut ev.out.req);
    o.str("name", &arn);
    o.end();
}
