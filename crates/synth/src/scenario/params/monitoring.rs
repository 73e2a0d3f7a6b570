//! Parameters of CloudWatch Logs, CloudWatch metrics and alarms, and Cost
//! Explorer calls; see `params` for the contract.

use crate::json::{Obj, java_time};
use crate::scenario::params::shape::{Ev, Shape};

pub(super) fn write(shape: Shape, ev: &mut Ev<'_>) {
    let lists = ev.res_lists;
    match shape {
        Shape::LogGroupPrefix => {
            Obj::new(ev.req)
                .str("logGroupNamePrefix", "/aws/lambda/")
                .end();
        }
        Shape::LogGroup | Shape::Retention | Shape::LogStream | Shape::FilterLogs => {
            let g = ev.pick(&lists.log_groups);
            let t = ev.t;
            let mut r = Obj::new(ev.req);
            r.str("logGroupName", &g);
            match shape {
                Shape::Retention => {
                    r.num("retentionInDays", 30);
                }
                Shape::LogStream => {
                    r.str(
                        "logStreamName",
                        "2025/12/08/[$LATEST]0f3e8d2c1b5a4f6e9d7c8b1a2e3f4d5c",
                    )
                    .bool("startFromHead", false);
                }
                Shape::FilterLogs => {
                    r.num("startTime", (t - 3600) * 1000)
                        .bool("interleaved", true);
                }
                _ => {}
            }
            r.end();
        }
        Shape::Alarms => {
            let a = ev.pick(&lists.alarms);
            let mut r = Obj::new(ev.req);
            r.str_list("alarmNames", &[&a]);
            r.end();
        }
        Shape::MetricData => {
            let t = ev.t;
            let mut r = Obj::new(ev.req);
            {
                let mut q = r.arr("metricDataQueries");
                let mut m = q.obj();
                m.str("id", "m0");
                {
                    let mut ms = m.obj("metricStat");
                    {
                        let mut metric = ms.obj("metric");
                        metric
                            .str("namespace", "AWS/Lambda")
                            .str("metricName", "Errors");
                        metric.end();
                    }
                    ms.num("period", 300).str("stat", "Sum");
                    ms.end();
                }
                m.end();
                q.end();
            }
            r.str("startTime", &java_time(t - 10_800, true))
                .str("endTime", &java_time(t, true));
            r.end();
        }
        Shape::MetricStats => {
            let f = ev.pick(&lists.functions);
            let t = ev.t;
            let mut r = Obj::new(ev.req);
            r.str("namespace", "AWS/Lambda")
                .str("metricName", "Duration");
            {
                let mut d = r.arr("dimensions");
                d.obj().str("name", "FunctionName").str("value", &f).end();
                d.end();
            }
            r.str("startTime", &java_time(t - 3600, true))
                .str("endTime", &java_time(t, true))
                .num("period", 300)
                .str_list("statistics", &["Average", "Maximum"]);
            r.end();
        }
        Shape::PutAlarm => {
            let a = ev.pick(&lists.alarms);
            Obj::new(ev.req)
                .str("alarmName", &a)
                .str("metricName", "Errors")
                .str("namespace", "AWS/Lambda")
                .str("statistic", "Sum")
                .num("period", 300)
                .num("evaluationPeriods", 1)
                .float("threshold", 1.0, 1)
                .str("comparisonOperator", "GreaterThanOrEqualToThreshold")
                .end();
        }
        Shape::Cost => {
            let t = ev.t;
            let day = t - t.rem_euclid(86_400);
            let mut r = Obj::new(ev.req);
            {
                let mut p = r.obj("timePeriod");
                p.str("start", &crate::json::iso(day - 7 * 86_400)[..10])
                    .str("end", &crate::json::iso(day)[..10]);
                p.end();
            }
            r.str("granularity", "DAILY")
                .str_list("metrics", &["UnblendedCost"]);
            r.end();
        }
        _ => {}
    }
}
