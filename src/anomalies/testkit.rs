//! Builds `Activity` fixtures in code: `ev(time, "service:Action")` with
//! chained setters, collected by `Kit`, turned into columns by `build`.

use super::{Activity, Finding, Scope, Thresholds, US_PER_DAY, US_PER_HOUR, US_PER_MIN, Window};

/// 2026-03-02 00:00 UTC, a Monday: day 0 of every fixture.
pub const T0: i64 = 1_772_409_600_000_000;

/// µs at day `d`, hour `h`, minute `m` after `T0`.
pub fn at(d: i64, h: i64, m: i64) -> i64 {
    T0 + d * US_PER_DAY + h * US_PER_HOUR + m * US_PER_MIN
}

/// Baseline days 0–13, analysed days 14–20.
pub fn scope() -> Scope {
    Scope::new(
        Window {
            since_us: at(14, 0, 0),
            until_us: at(21, 0, 0),
        },
        &Thresholds::default(),
    )
}

#[derive(Clone, Debug)]
pub struct Ev {
    pub id: Option<String>,
    pub t: i64,
    pub kind: &'static str,
    pub actor: String,
    pub operator: Option<String>,
    pub session: Option<String>,
    pub account: String,
    pub region: String,
    pub source: String,
    pub name: String,
    pub ip: String,
    pub read_only: Option<bool>,
    pub error: Option<String>,
    pub destructive: bool,
    pub severity: Option<String>,
    pub approval: Option<String>,
    pub approval_rule: Option<String>,
    pub spoke: Option<i64>,
    pub params: Option<String>,
    pub resources: Vec<String>,
    /// The action the event belongs to; its own when `None`.
    pub action: Option<String>,
}

/// An event by human `alice` at `t` calling `action` (`ec2:DescribeInstances`);
/// read-only when the verb says so.
pub fn ev(t: i64, action: &str) -> Ev {
    let (svc, name) = action.split_once(':').unwrap_or(("ec2", action));
    let read = ["Describe", "List", "Get", "Head", "Lookup"]
        .iter()
        .any(|v| name.starts_with(v));
    Ev {
        id: None,
        t,
        kind: "human",
        actor: "alice".into(),
        operator: Some("alice".into()),
        session: None,
        account: "111122223333".into(),
        region: "us-east-1".into(),
        source: format!("{svc}.amazonaws.com"),
        name: name.into(),
        ip: "203.0.113.10".into(),
        read_only: Some(read),
        error: None,
        destructive: false,
        severity: None,
        approval: None,
        approval_rule: None,
        spoke: None,
        params: None,
        resources: vec![],
        action: None,
    }
}

impl Ev {
    /// Part of action `id` (one decision with several API calls).
    pub fn action(mut self, id: &str) -> Ev {
        self.action = Some(id.into());
        self
    }

    pub fn human(mut self, who: &str) -> Ev {
        self.kind = "human";
        self.actor = who.into();
        self.operator = Some(who.into());
        self.session = None;
        self
    }
    pub fn ai(mut self, agent: &str, operator: &str, session: &str) -> Ev {
        self.kind = "ai";
        self.actor = agent.into();
        self.operator = Some(operator.into());
        self.session = Some(session.into());
        self.approval = Some("approved".into());
        self.spoke = Some(30);
        self
    }
    pub fn service(mut self, who: &str) -> Ev {
        self.kind = "service";
        self.actor = who.into();
        self.operator = None;
        self.session = None;
        self
    }
    pub fn region(mut self, r: &str) -> Ev {
        self.region = r.into();
        self
    }
    pub fn ip(mut self, ip: &str) -> Ev {
        self.ip = ip.into();
        self
    }
    pub fn error(mut self, code: &str) -> Ev {
        self.error = Some(code.into());
        self
    }
    /// A successful destructive call of this catalog severity.
    pub fn destroys(mut self, severity: &str) -> Ev {
        self.destructive = true;
        self.severity = Some(severity.into());
        self
    }
    pub fn approval(mut self, a: Option<&str>, spoke_secs: Option<i64>) -> Ev {
        self.approval = a.map(Into::into);
        if a == Some("auto_approved") {
            self.approval_rule = Some("permissionMode=bypassPermissions".into());
        }
        self.spoke = spoke_secs;
        self
    }
    pub fn params(mut self, json: &str) -> Ev {
        self.params = Some(json.into());
        self
    }
}

#[derive(Default, Clone)]
pub struct Kit {
    pub evs: Vec<Ev>,
    pub marks: Vec<(String, i64)>,
}

impl Kit {
    pub fn add(&mut self, e: Ev) -> &mut Kit {
        self.evs.push(e);
        self
    }
    pub fn mark(&mut self, who: &str, t: i64) -> &mut Kit {
        self.marks.push((who.into(), t));
        self
    }
    pub fn build(&self) -> Activity {
        let mut a = Activity::default();
        for (i, e) in self.evs.iter().enumerate() {
            let id = e.id.clone().unwrap_or_else(|| format!("ev-{i:06}"));
            a.event_id.push(Some(&id));
            a.time_us.push(e.t);
            a.actor_kind.push(Some(e.kind));
            a.actor.push(Some(&e.actor));
            a.operator.push(e.operator.as_deref());
            a.agent_session_id.push(e.session.as_deref());
            a.tool_call_id.push(e.session.as_ref().map(|_| "call"));
            // Each event its own action unless the test says otherwise.
            a.action_id
                .push(Some(e.action.as_deref().unwrap_or(id.as_str())));
            a.account_id.push(Some(&e.account));
            a.aws_region.push(Some(&e.region));
            a.event_source.push(Some(&e.source));
            a.event_name.push(Some(&e.name));
            let svc = e.source.split('.').next().unwrap_or("");
            a.iam_action.push(Some(&format!("{svc}:{}", e.name)));
            a.source_ip.push(Some(&e.ip));
            a.read_only.push(e.read_only);
            a.error_code.push(e.error.as_deref());
            a.destructive.push(e.destructive);
            a.severity.push(e.severity.as_deref());
            a.approval.push(e.approval.as_deref());
            a.approval_rule.push(e.approval_rule.as_deref());
            a.human_last_spoke_secs.push(e.spoke);
            a.request_parameters
                .push(e.params.as_deref().map(Into::into));
            a.resources
                .push(e.resources.iter().map(|s| s.as_str().into()).collect());
        }
        a.operator_marks = self
            .marks
            .iter()
            .map(|(w, t)| (w.as_str().into(), *t))
            .collect();
        a
    }
}

/// Steady read-only background for `who` over days 0–20: `per_day` calls
/// of each of `apis`, spread over working hours (9–17 UTC, Monday–Friday
/// only when `weekdays`).
pub fn background(k: &mut Kit, who: &str, apis: &[&str], per_day: i64, weekdays: bool) {
    for d in 0..21 {
        if weekdays && d % 7 >= 5 {
            continue;
        }
        for (j, api) in apis.iter().enumerate() {
            for c in 0..per_day {
                let minute = (c * 480 / per_day.max(1) + j as i64 * 7) % 480;
                k.add(ev(at(d, 9, minute), api).human(who));
            }
        }
    }
}

/// Findings of one detector.
pub fn of<'a>(f: &'a [Finding], detector: &str) -> Vec<&'a Finding> {
    f.iter().filter(|x| x.detector == detector).collect()
}

/// A small deterministic generator (xorshift64*), for fixtures only.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}
