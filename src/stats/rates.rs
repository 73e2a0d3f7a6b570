//! Comparing two event rates with exposures: incidents caused by
//! AI-attributed actions (x₁ events over exposure n₁, e.g. write calls)
//! against human ones (x₂ over n₂). The comparison behind the sentence
//! "AI-attributed write actions caused incidents at N× the human rate".
//!
//! Why exact methods: incidents are rare, so counts are small (often under
//! ten on a side) and large-sample intervals would be wrong exactly where
//! the question matters. All results here are exact in the conditional
//! sense and agree with R's `poisson.test`.
//!
//! Formulas:
//! - Rate per unit of exposure: λ̂ = x / n, with Garwood's (1936) exact
//!   interval [P⁻¹(α/2; x), P⁻¹(1−α/2; x+1)] / n (see [`super::gamma`]).
//! - Rate ratio RR = λ₁/λ₂, estimated by (x₁/n₁)/(x₂/n₂).
//! - Exact conditional interval: given the total N = x₁ + x₂, x₁ ~ Bin(N, π)
//!   with π = n₁·RR / (n₁·RR + n₂). A Clopper–Pearson interval [π_L, π_U]
//!   for π maps back through RR = (n₂/n₁) · π/(1−π) (the odds, computed from
//!   an accurate 1−π). x₁ = 0 gives RR = 0 and lower bound 0; x₂ = 0 gives
//!   RR = ∞ and upper bound ∞; N = 0 carries no information: interval [0, ∞],
//!   p = 1, verdict NoData.
//! - Test of RR = 1: the two-sided exact binomial test of x₁ ~ Bin(N, π₀),
//!   π₀ = n₁/(n₁+n₂), summing the probabilities of all outcomes no more
//!   likely than the observed one (relative tolerance 1e-7, as R's
//!   `binom.test`; R's `poisson.test(c(x1, x2), c(n1, n2))` is the same test).
//! - Verdict by rule: AiHigher when the interval lies above 1 *and* p < α,
//!   HumanHigher when below 1 and p < α, CannotTell otherwise (the
//!   Clopper–Pearson interval and the minimum-likelihood p-value are not
//!   exact duals, so in rare borderline cases they disagree; the verdict
//!   then takes the cautious side), NoData without events or exposure.
//! - When the data cannot tell, the sentence also gives the smallest rate
//!   ratio this exposure would detect (see [`super::power`]).

use serde::Serialize;

use super::beta::{binom_test_pq, clopper_pearson_bounds};
use super::gamma::garwood;
use super::power::min_detectable_ratio_alpha;
use super::{
    Counts, DEFAULT_CONFIDENCE, Interval, StatsError, Verdict, alpha_of, check_counts, format,
    serialize_opt_real,
};

/// The words of the verdict sentence, so one engine can phrase incidents
/// per write call, errors per call, or bursts per session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phrasing {
    /// Subject: "AI-attributed write actions".
    pub ai_subject: String,
    /// What they did, past tense: "caused incidents".
    pub outcome: String,
    /// The measure compared, for the "cannot tell" and "no data" sentences:
    /// "incident rates".
    pub measure: String,
}

impl Default for Phrasing {
    fn default() -> Phrasing {
        Phrasing {
            ai_subject: "AI-attributed write actions".to_string(),
            outcome: "caused incidents".to_string(),
            measure: "incident rates".to_string(),
        }
    }
}

/// Options of [`compare_rates`].
#[derive(Clone, Debug)]
pub struct RateOptions {
    /// Confidence level of every interval (0.95).
    pub confidence: f64,
    /// Power at which the smallest detectable ratio is computed (0.8);
    /// `None` skips that computation.
    pub detection_power: Option<f64>,
    pub phrasing: Phrasing,
}

impl Default for RateOptions {
    fn default() -> RateOptions {
        RateOptions {
            confidence: DEFAULT_CONFIDENCE,
            detection_power: Some(0.8),
            phrasing: Phrasing::default(),
        }
    }
}

/// One group's rate with its exact (Garwood) interval, per unit of exposure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupRate {
    pub events: u64,
    pub exposure: f64,
    /// events / exposure; `None` when the exposure is zero.
    #[serde(serialize_with = "serialize_opt_real")]
    pub rate: Option<f64>,
    /// Exact interval for the rate; `None` when the exposure is zero.
    pub ci: Option<Interval>,
}

impl GroupRate {
    /// The rate and its interval per `unit` of exposure (e.g. per 1,000
    /// write calls when exposure counts calls: `per(1000.0)`).
    pub fn per(&self, unit: f64) -> Option<(f64, Interval)> {
        Some((self.rate? * unit, self.ci?.scaled(unit)))
    }
}

/// Everything [`compare_rates`] found; `--format json` prints it whole.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RateComparison {
    pub ai: GroupRate,
    pub human: GroupRate,
    pub confidence: f64,
    /// (x₁/n₁)/(x₂/n₂): 0 when the AI side has no events, +∞ when the human
    /// side has none, `None` when neither has or an exposure is zero.
    #[serde(serialize_with = "serialize_opt_real")]
    pub rate_ratio: Option<f64>,
    /// Exact conditional interval for the rate ratio ([0, ∞] without data).
    pub ci: Interval,
    /// Two-sided exact conditional test of rate ratio = 1 (1 without data).
    pub p_value: f64,
    /// Smallest ratio above 1 that this exposure would detect with the
    /// chosen power at the same level, assuming the pooled rate for humans.
    #[serde(serialize_with = "serialize_opt_real")]
    pub min_detectable_ratio: Option<f64>,
    pub verdict: Verdict,
    pub sentence: String,
}

/// One group's rate and Garwood interval.
pub(crate) fn group_rate(c: Counts, confidence: f64) -> Option<GroupRate> {
    if c.exposure > 0.0 {
        let ci = garwood(c.events, confidence)?.scaled(1.0 / c.exposure);
        Some(GroupRate {
            events: c.events,
            exposure: c.exposure,
            rate: Some(c.events as f64 / c.exposure),
            ci: Some(ci),
        })
    } else {
        Some(GroupRate {
            events: c.events,
            exposure: c.exposure,
            rate: None,
            ci: None,
        })
    }
}

/// The exact conditional estimate, interval and test of one rate ratio.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ExactRatio {
    pub(crate) estimate: Option<f64>,
    pub(crate) ci: Interval,
    pub(crate) p_value: f64,
}

/// Exact conditional inference on λ₁/λ₂; `None` only if a numeric routine
/// fails. Exposures must both be > 0.
pub(crate) fn exact_ratio(ai: Counts, human: Counts, alpha: f64) -> Option<ExactRatio> {
    let (x1, x2) = (ai.events, human.events);
    let (n1, n2) = (ai.exposure, human.exposure);
    let total = x1 + x2;
    if total == 0 {
        return Some(ExactRatio {
            estimate: None,
            ci: Interval::UNINFORMATIVE_RATIO,
            p_value: 1.0,
        });
    }
    let estimate = if x2 == 0 {
        f64::INFINITY
    } else {
        (x1 as f64 / n1) / (x2 as f64 / n2)
    };
    let (lo, hi) = clopper_pearson_bounds(x1, total, alpha)?;
    let scale = n2 / n1;
    let ci = Interval {
        lower: lo.odds() * scale,
        upper: hi.odds() * scale,
    };
    let (p0, q0) = (n1 / (n1 + n2), n2 / (n1 + n2));
    let p_value = binom_test_pq(x1, total, p0, q0)?;
    if ci.lower.is_nan() || ci.upper.is_nan() || p_value.is_nan() {
        return None;
    }
    Some(ExactRatio {
        estimate: Some(estimate),
        ci,
        p_value,
    })
}

/// The verdict rule shared by every ratio comparison.
pub(crate) fn ratio_verdict(ci: Interval, p_value: f64, alpha: f64) -> Verdict {
    if ci.lower > 1.0 && p_value < alpha {
        Verdict::AiHigher
    } else if ci.upper < 1.0 && p_value < alpha {
        Verdict::HumanHigher
    } else {
        Verdict::CannotTell
    }
}

/// What a ratio sentence is made of.
pub(crate) struct RatioSentence<'a> {
    pub(crate) phrasing: &'a Phrasing,
    /// Put before the subject, e.g. "Within the same privilege tier, ".
    pub(crate) prefix: &'a str,
    pub(crate) verdict: Verdict,
    pub(crate) estimate: Option<f64>,
    pub(crate) ci: Interval,
    pub(crate) p_value: f64,
    pub(crate) confidence: f64,
    pub(crate) ai_events: u64,
    pub(crate) human_events: u64,
    pub(crate) min_detectable_ratio: Option<f64>,
    /// Why there is no data, for the NoData sentence.
    pub(crate) no_data_reason: &'a str,
}

/// The one sentence a verdict is reported with, chosen by rule.
pub(crate) fn ratio_sentence(s: &RatioSentence<'_>) -> String {
    let ph = s.phrasing;
    let level = format::level(s.confidence);
    let p = format::p_value(s.p_value);
    let ci = format::ratio_interval(s.ci);
    match (s.verdict, s.estimate) {
        (Verdict::NoData, _) | (_, None) => format!(
            "{}{} vs human ones: not enough data to compare {} ({}).",
            s.prefix, ph.ai_subject, ph.measure, s.no_data_reason
        ),
        (Verdict::AiHigher | Verdict::HumanHigher, Some(rr)) if rr == 0.0 || rr.is_infinite() => {
            let direction = if rr == 0.0 { "lower" } else { "higher" };
            format!(
                "{}{} {} at a {direction} rate than human ones ({} vs {} events; rate ratio {}, {level} CI {ci}, {p}).",
                s.prefix,
                ph.ai_subject,
                ph.outcome,
                s.ai_events,
                s.human_events,
                format::ratio(rr)
            )
        }
        (Verdict::AiHigher | Verdict::HumanHigher, Some(rr)) => format!(
            "{}{} {} at {}× the human rate ({level} CI {ci}, {p}).",
            s.prefix,
            ph.ai_subject,
            ph.outcome,
            format::ratio(rr)
        ),
        (Verdict::CannotTell, Some(rr)) => {
            // A point estimate above the detectable ratio next to "cannot
            // tell" reads as a contradiction (issue 22): say why in plain words.
            let detectable = match s.min_detectable_ratio {
                Some(m) if rr >= m || rr <= 1.0 / m => format!(
                    "; at this exposure a true ratio of about {}× or more would likely show, and the \
                     estimate is beyond that, but with only {} AI-side and {} human-side events a ratio this \
                     far from 1 also arises by chance when the rates are equal",
                    format::ratio(m),
                    s.ai_events,
                    s.human_events
                ),
                Some(m) => format!(
                    "; at this exposure only a ratio of about {}× or more would likely show",
                    format::ratio(m)
                ),
                None => String::new(),
            };
            format!(
                "{}{} vs human ones: the data cannot tell the difference in {} (rate ratio {}, {level} CI {ci}, {p}){detectable}.",
                s.prefix,
                ph.ai_subject,
                ph.measure,
                format::ratio(rr)
            )
        }
    }
}

/// Why a comparison has no data, or `None` if it has some.
pub(crate) fn no_data_reason(ai: Counts, human: Counts) -> Option<&'static str> {
    match (ai.exposure > 0.0, human.exposure > 0.0) {
        (false, false) => Some("no exposure in either group"),
        (false, true) => Some("no AI-attributed exposure"),
        (true, false) => Some("no human exposure"),
        (true, true) if ai.events + human.events == 0 => Some("no events in either group"),
        (true, true) => None,
    }
}

/// Compares the AI-attributed rate with the human one: per-group exact
/// rates, the exact conditional rate ratio interval and test, the verdict
/// and its sentence.
///
/// Errors only on impossible input (negative or non-finite exposure, events
/// with zero exposure, a confidence level outside (0, 1)).
pub fn compare_rates(
    ai: Counts,
    human: Counts,
    options: &RateOptions,
) -> Result<RateComparison, StatsError> {
    check_counts("AI-attributed group", ai)?;
    check_counts("human group", human)?;
    let alpha = alpha_of(options.confidence)?;
    let failed = || StatsError::new("numerical routine failed to converge");
    let ai_rate = group_rate(ai, options.confidence).ok_or_else(failed)?;
    let human_rate = group_rate(human, options.confidence).ok_or_else(failed)?;

    let reason = no_data_reason(ai, human);
    let (exact, verdict) = match reason {
        Some(_) => (
            ExactRatio {
                estimate: None,
                ci: Interval::UNINFORMATIVE_RATIO,
                p_value: 1.0,
            },
            Verdict::NoData,
        ),
        None => {
            let exact = exact_ratio(ai, human, alpha).ok_or_else(failed)?;
            (exact, ratio_verdict(exact.ci, exact.p_value, alpha))
        }
    };
    let min_detectable_ratio = match (verdict, options.detection_power) {
        (Verdict::CannotTell, Some(power)) => min_detectable_ratio_alpha(ai, human, alpha, power),
        _ => None,
    };
    let sentence = ratio_sentence(&RatioSentence {
        phrasing: &options.phrasing,
        prefix: "",
        verdict,
        estimate: exact.estimate,
        ci: exact.ci,
        p_value: exact.p_value,
        confidence: options.confidence,
        ai_events: ai.events,
        human_events: human.events,
        min_detectable_ratio,
        no_data_reason: reason.unwrap_or(""),
    });
    Ok(RateComparison {
        ai: ai_rate,
        human: human_rate,
        confidence: options.confidence,
        rate_ratio: exact.estimate,
        ci: exact.ci,
        p_value: exact.p_value,
        min_detectable_ratio,
        verdict,
        sentence,
    })
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // expected values as R prints them
mod tests {
    use super::*;
    use crate::stats::testing::assert_close;

    fn cmp(x1: u64, n1: f64, x2: u64, n2: f64) -> RateComparison {
        compare_rates(
            Counts::new(x1, n1),
            Counts::new(x2, n2),
            &RateOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn worked_example_ai_higher() {
        // R: poisson.test(c(12, 5), c(4000, 9000))
        let c = cmp(12, 4000.0, 5, 9000.0);
        assert_close!(c.rate_ratio.unwrap(), 5.4, 1e-14);
        assert_close!(c.ci.lower, 1.77085326188884, 1e-11);
        assert_close!(c.ci.upper, 19.5659575170306, 1e-11);
        assert_close!(c.p_value, 0.000846641702589494, 1e-10);
        // R: poisson.test(12, 4000)$conf.int; poisson.test(5, 9000)$conf.int
        let ai = c.ai.ci.unwrap();
        assert_close!(ai.lower, 0.00155014377718055, 1e-11);
        assert_close!(ai.upper, 0.00524039626204424, 1e-11);
        let human = c.human.ci.unwrap();
        assert_close!(human.lower, 0.000180387376679825, 1e-11);
        assert_close!(human.upper, 0.001296481342146963, 1e-11);
        assert_eq!(c.verdict, Verdict::AiHigher);
        assert_eq!(c.min_detectable_ratio, None);
        assert_eq!(
            c.sentence,
            "AI-attributed write actions caused incidents at 5.4× the human rate (95% CI 1.8–20, p < 0.001)."
        );
        let (per_k, ci_k) = c.ai.per(1000.0).unwrap();
        assert_close!(per_k, 3.0, 1e-14);
        assert_close!(ci_k.lower, 1.55014377718055, 1e-11);
    }

    #[test]
    fn zero_ai_events_gives_finite_upper_bound() {
        // R: poisson.test(c(0, 3), c(100, 500))
        let c = cmp(0, 100.0, 3, 500.0);
        assert_eq!(c.rate_ratio, Some(0.0));
        assert_eq!(c.ci.lower, 0.0);
        assert_close!(c.ci.upper, 12.099759466767, 1e-11);
        assert_eq!(c.p_value, 1.0);
        assert_eq!(c.verdict, Verdict::CannotTell);
        // R: poisson.test(0, 100)$conf.int
        assert_close!(c.ai.ci.unwrap().upper, 0.0368887945411394, 1e-11);
        assert!(c.sentence.contains("cannot tell"), "{}", c.sentence);
        assert!(
            c.sentence.contains("rate ratio 0, 95% CI 0–12, p = 1"),
            "{}",
            c.sentence
        );
    }

    #[test]
    fn zero_human_events_gives_infinite_upper_bound() {
        // R: poisson.test(c(5, 0), c(100, 300))
        let c = cmp(5, 100.0, 0, 300.0);
        assert_eq!(c.rate_ratio, Some(f64::INFINITY));
        assert_close!(c.ci.lower, 2.74906757194638, 1e-11);
        assert_eq!(c.ci.upper, f64::INFINITY);
        assert_close!(c.p_value, 0.0009765625, 1e-10);
        assert_eq!(c.verdict, Verdict::AiHigher);
        assert_eq!(
            c.sentence,
            "AI-attributed write actions caused incidents at a higher rate than human ones \
             (5 vs 0 events; rate ratio ∞, 95% CI 2.7–∞, p < 0.001)."
        );
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["rate_ratio"], serde_json::json!("Infinity"));
        assert_eq!(json["ci"]["upper"], serde_json::json!("Infinity"));
        assert_eq!(json["verdict"], serde_json::json!("ai_higher"));
    }

    #[test]
    fn no_events_is_no_data() {
        let c = cmp(0, 10.0, 0, 10.0);
        assert_eq!(c.verdict, Verdict::NoData);
        assert_eq!(c.rate_ratio, None);
        assert_eq!(c.ci, Interval::UNINFORMATIVE_RATIO);
        assert_eq!(c.p_value, 1.0);
        assert_eq!(
            c.sentence,
            "AI-attributed write actions vs human ones: not enough data to compare incident rates \
             (no events in either group)."
        );
        // Per-group rates still exist: zero, with a finite upper bound.
        assert_eq!(c.ai.rate, Some(0.0));
        assert!(c.ai.ci.unwrap().upper > 0.0);
    }

    #[test]
    fn no_exposure_is_no_data() {
        let c = cmp(0, 0.0, 4, 1000.0);
        assert_eq!(c.verdict, Verdict::NoData);
        assert_eq!(c.ai.rate, None);
        assert_eq!(c.ai.ci, None);
        assert!(c.sentence.contains("no AI-attributed exposure"));
        let json = serde_json::to_value(&c).unwrap();
        assert!(json["ai"]["rate"].is_null());
        assert!(json["rate_ratio"].is_null());
    }

    #[test]
    fn impossible_input_is_an_error() {
        let o = RateOptions::default();
        assert!(compare_rates(Counts::new(3, 0.0), Counts::new(1, 5.0), &o).is_err());
        assert!(compare_rates(Counts::new(3, -1.0), Counts::new(1, 5.0), &o).is_err());
        assert!(compare_rates(Counts::new(3, f64::NAN), Counts::new(1, 5.0), &o).is_err());
        let bad_level = RateOptions {
            confidence: 95.0,
            ..RateOptions::default()
        };
        assert!(compare_rates(Counts::new(3, 1.0), Counts::new(1, 5.0), &bad_level).is_err());
    }

    #[test]
    fn swapping_groups_inverts_ratio_and_interval() {
        for &(x1, n1, x2, n2) in &[
            (12, 4000.0, 5, 9000.0),
            (7, 1000.0, 3, 1000.0),
            (0, 100.0, 3, 500.0),
            (40, 2.5e5, 31, 1.1e5),
        ] {
            let a = cmp(x1, n1, x2, n2);
            let b = cmp(x2, n2, x1, n1);
            let (ra, rb) = (a.rate_ratio.unwrap(), b.rate_ratio.unwrap());
            if ra == 0.0 {
                assert_eq!(rb, f64::INFINITY);
                assert_eq!(b.ci.upper, f64::INFINITY);
                assert_close!(b.ci.lower, 1.0 / a.ci.upper, 1e-10);
            } else {
                assert_close!(ra * rb, 1.0, 1e-13);
                assert_close!(a.ci.lower * b.ci.upper, 1.0, 1e-10);
                assert_close!(a.ci.upper * b.ci.lower, 1.0, 1e-10);
            }
            assert_close!(a.p_value, b.p_value, 1e-10);
        }
    }

    #[test]
    fn cannot_tell_reports_detectable_ratio() {
        // R: poisson.test(c(7, 3), c(1000, 1000))
        let c = cmp(7, 1000.0, 3, 1000.0);
        assert_eq!(c.verdict, Verdict::CannotTell);
        assert_close!(c.rate_ratio.unwrap(), 7.0 / 3.0, 1e-14);
        assert!(c.ci.contains(1.0));
        let mdr = c.min_detectable_ratio.unwrap();
        assert!(mdr > 2.0 && mdr < 10.0, "{mdr}");
        assert!(
            c.sentence.starts_with(
                "AI-attributed write actions vs human ones: the data cannot tell the difference in \
                 incident rates (rate ratio 2.3, 95% CI"
            ),
            "{}",
            c.sentence
        );
        assert!(c.sentence.contains("would likely show"), "{}", c.sentence);
    }

    /// Issue 22: an estimate above the detectable ratio with "cannot tell"
    /// says, in the same sentence, why that is no contradiction.
    #[test]
    fn cannot_tell_with_a_large_estimate_explains_itself() {
        let c = cmp(7, 1_000.0, 1, 1_000.0);
        assert_eq!(c.verdict, Verdict::CannotTell, "{}", c.sentence);
        let mdr = c.min_detectable_ratio.unwrap();
        assert!(c.rate_ratio.unwrap() >= mdr, "{mdr} {}", c.sentence);
        assert!(
            c.sentence.contains("the estimate is beyond that")
                && c.sentence.contains("7 AI-side and 1 human-side events")
                && c.sentence.contains("by chance"),
            "{}",
            c.sentence
        );
    }

    #[test]
    fn human_higher_verdict() {
        let c = cmp(2, 10_000.0, 30, 10_000.0);
        assert_eq!(c.verdict, Verdict::HumanHigher);
        assert!(c.ci.upper < 1.0);
        assert!(
            c.sentence.contains("at 0.067× the human rate"),
            "{}",
            c.sentence
        );
    }

    #[test]
    fn exposure_units_do_not_matter() {
        let a = cmp(12, 4000.0, 5, 9000.0);
        let b = cmp(12, 4.0, 5, 9.0);
        assert_close!(a.ci.lower, b.ci.lower, 1e-12);
        assert_close!(a.ci.upper, b.ci.upper, 1e-12);
        assert_close!(a.p_value, b.p_value, 1e-12);
    }
}
