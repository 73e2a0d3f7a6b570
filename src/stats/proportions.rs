//! Comparing two shares: the secondary indicators that are proportions of
//! a whole (the destructive share of write calls, the share of calls that
//! failed with AccessDenied and friends, the share of destructive actions
//! taken without a human's approval), AI-attributed against human.
//!
//! Why these methods: the shares are often near 0 and the counts small, so
//! the textbook Wald interval p ± z√(p(1−p)/n) would be wrong (zero width
//! at 0 %). The score-based intervals below stay within [0, 1] and keep
//! their coverage, and Fisher's test is exact at any size.
//!
//! Formulas, for k₁ of n₁ (AI) and k₂ of n₂ (human), z = Φ⁻¹(1−α/2):
//! - Wilson (1927) score interval per share:
//!   (k + z²/2)/(n + z²) ± z/(n + z²) · √(k(n−k)/n + z²/4).
//! - Difference p₁ − p₂: Newcombe's (1998) hybrid score interval (his
//!   method 10), from the Wilson limits (l₁, u₁), (l₂, u₂):
//!   [d − √((p₁−l₁)² + (u₂−p₂)²), d + √((u₁−p₁)² + (p₂−l₂)²)].
//! - Ratio p₁/p₂: Katz et al. (1978) log interval,
//!   exp(ln(p₁/p₂) ± z·√(1/k₁ − 1/n₁ + 1/k₂ − 1/n₂)). With a zero count
//!   the standard error is taken with ½ added to each count and 1 to each
//!   total (Haldane–Anscombe), and the interval is widened to reach the
//!   estimate: lower bound 0 when k₁ = 0, upper bound ∞ when k₂ = 0. No
//!   ratio when both are zero.
//! - Fisher's exact test, two-sided, as R's `fisher.test` for a 2×2 table:
//!   given the margins, k₁ is hypergeometric; the p-value sums the
//!   probabilities of all tables no more likely than the observed one
//!   (relative tolerance 1e-7).
//! - Verdict: directional when the Newcombe interval excludes 0 and Fisher's
//!   p < α; NoData when a group has no trials.

use serde::Serialize;

use super::beta::{REL_ERR, ln_choose};
use super::normal::two_sided_z;
use super::{
    DEFAULT_CONFIDENCE, Interval, StatsError, Verdict, alpha_of, format, serialize_opt_real,
};

/// k successes out of n trials (e.g. destructive calls out of write calls).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Trials {
    pub successes: u64,
    pub trials: u64,
}

impl Trials {
    pub fn new(successes: u64, trials: u64) -> Trials {
        Trials { successes, trials }
    }
}

/// Options of [`compare_proportions`].
#[derive(Clone, Debug)]
pub struct ProportionOptions {
    pub confidence: f64,
    /// What the share is, for the sentence: "destructive share of writes".
    pub measure: String,
}

impl Default for ProportionOptions {
    fn default() -> ProportionOptions {
        ProportionOptions {
            confidence: DEFAULT_CONFIDENCE,
            measure: "destructive share of writes".to_string(),
        }
    }
}

/// One group's share with its Wilson interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    pub successes: u64,
    pub trials: u64,
    /// k/n; `None` without trials.
    #[serde(serialize_with = "serialize_opt_real")]
    pub share: Option<f64>,
    pub ci: Option<Interval>,
}

/// Everything [`compare_proportions`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProportionComparison {
    pub ai: Share,
    pub human: Share,
    pub confidence: f64,
    /// p₁ − p₂ and its Newcombe interval.
    #[serde(serialize_with = "serialize_opt_real")]
    pub difference: Option<f64>,
    pub difference_ci: Option<Interval>,
    /// p₁ / p₂ (0 or +∞ allowed) and its Katz interval.
    #[serde(serialize_with = "serialize_opt_real")]
    pub ratio: Option<f64>,
    pub ratio_ci: Option<Interval>,
    /// Fisher's exact test, two-sided (1 without data).
    pub fisher_p: f64,
    pub verdict: Verdict,
    pub sentence: String,
}

/// The Wilson score interval for k of n > 0 at critical value z.
pub fn wilson(k: u64, n: u64, z: f64) -> Option<Interval> {
    if n == 0 || k > n || !(z > 0.0 && z.is_finite()) {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let z2 = z * z;
    let center = (k + z2 / 2.0) / (n + z2);
    let half = z / (n + z2) * (k * (n - k) / n + z2 / 4.0).sqrt();
    Some(Interval {
        lower: (center - half).max(0.0),
        upper: (center + half).min(1.0),
    })
}

/// Two-sided Fisher exact test p-value for the 2×2 table
/// [[k₁, n₁−k₁], [k₂, n₂−k₂]] (R: `fisher.test(...)$p.value`).
///
/// The hypergeometric probabilities are walked outward from the mode by
/// their ratio f(k+1)/f(k) = (n₁−k)(K−k) / ((k+1)(n₂−K+k+1)), K = k₁+k₂, and
/// the walk stops where terms fall below 1e-18 of both the mode and the
/// observed table's probability, so the cost grows with the spread of the
/// distribution, not with the table's size.
pub fn fisher_exact(ai: Trials, human: Trials) -> Option<f64> {
    let (k1, n1, k2, n2) = (ai.successes, ai.trials, human.successes, human.trials);
    if k1 > n1 || k2 > n2 {
        return None;
    }
    let total = k1 + k2;
    let lo = total.saturating_sub(n2);
    let hi = total.min(n1);
    if lo == hi {
        return Some(1.0);
    }
    let (fn1, fn2, fk) = (n1 as f64, n2 as f64, total as f64);
    let mode = ((((total + 1) as f64) * ((n1 + 1) as f64) / ((n1 + n2 + 2) as f64)).floor() as u64)
        .clamp(lo, hi);
    let ln_pmf = |k: u64| ln_choose(n1, k) + ln_choose(n2, total - k);
    // Probabilities relative to the mode's.
    let observed = (ln_pmf(k1) - ln_pmf(mode)).exp() * REL_ERR;
    let cutoff = 1e-18 * observed.min(1.0);
    let (mut all, mut extreme) = (1.0, if 1.0 <= observed { 1.0 } else { 0.0 });
    let mut d = 1.0;
    for k in mode..hi {
        let kf = k as f64;
        d *= (fn1 - kf) * (fk - kf) / ((kf + 1.0) * (fn2 - fk + kf + 1.0));
        all += d;
        if d <= observed {
            extreme += d;
        }
        if d < cutoff {
            break;
        }
    }
    d = 1.0;
    for k in (lo + 1..=mode).rev() {
        let kf = k as f64;
        d *= kf * (fn2 - fk + kf) / ((fn1 - kf + 1.0) * (fk - kf + 1.0));
        all += d;
        if d <= observed {
            extreme += d;
        }
        if d < cutoff {
            break;
        }
    }
    Some((extreme / all).min(1.0))
}

fn share_of(t: Trials, z: f64) -> Share {
    Share {
        successes: t.successes,
        trials: t.trials,
        share: (t.trials > 0).then(|| t.successes as f64 / t.trials as f64),
        ci: wilson(t.successes, t.trials, z),
    }
}

/// Katz log interval for p₁/p₂ (with the zero-count handling above).
fn katz(ai: Trials, human: Trials, z: f64) -> (Option<f64>, Option<Interval>) {
    let (k1, n1, k2, n2) = (
        ai.successes as f64,
        ai.trials as f64,
        human.successes as f64,
        human.trials as f64,
    );
    if ai.successes == 0 && human.successes == 0 {
        return (None, None);
    }
    let estimate = if human.successes == 0 {
        f64::INFINITY
    } else {
        (k1 / n1) / (k2 / n2)
    };
    let zero = ai.successes == 0 || human.successes == 0;
    let (a, m1, b, m2) = if zero {
        (k1 + 0.5, n1 + 1.0, k2 + 0.5, n2 + 1.0)
    } else {
        (k1, n1, k2, n2)
    };
    let center = ((a / m1) / (b / m2)).ln();
    let se = (1.0 / a - 1.0 / m1 + 1.0 / b - 1.0 / m2).max(0.0).sqrt();
    let mut ci = Interval {
        lower: (center - z * se).exp(),
        upper: (center + z * se).exp(),
    };
    if ai.successes == 0 {
        ci.lower = 0.0;
    }
    if human.successes == 0 {
        ci.upper = f64::INFINITY;
    }
    (Some(estimate), Some(ci))
}

/// A difference of shares in percentage points, signed: "+2.9".
fn points(d: f64) -> String {
    let p = d * 100.0;
    let text = format::significant(p.abs(), 2);
    if p > 0.0 {
        format!("+{text}")
    } else if p < 0.0 {
        format!("−{text}")
    } else {
        text
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Compares the AI-attributed share with the human one: Wilson intervals,
/// Newcombe interval of the difference, Katz interval of the ratio,
/// Fisher's exact test, verdict and sentence.
pub fn compare_proportions(
    ai: Trials,
    human: Trials,
    options: &ProportionOptions,
) -> Result<ProportionComparison, StatsError> {
    for (what, t) in [("AI-attributed group", ai), ("human group", human)] {
        if t.successes > t.trials {
            return Err(StatsError::new(format!(
                "{what}: {} successes out of only {} trials",
                t.successes, t.trials
            )));
        }
    }
    let alpha = alpha_of(options.confidence)?;
    let z =
        two_sided_z(options.confidence).ok_or_else(|| StatsError::new("normal quantile failed"))?;
    let (a, h) = (share_of(ai, z), share_of(human, z));
    let level = format::level(options.confidence);
    let measure = capitalized(&options.measure);

    let (Some(p1), Some(p2), Some(w1), Some(w2)) = (a.share, h.share, a.ci, h.ci) else {
        let reason = if ai.trials == 0 && human.trials == 0 {
            "no trials in either group"
        } else if ai.trials == 0 {
            "no AI-attributed trials"
        } else {
            "no human trials"
        };
        return Ok(ProportionComparison {
            ai: a,
            human: h,
            confidence: options.confidence,
            difference: None,
            difference_ci: None,
            ratio: None,
            ratio_ci: None,
            fisher_p: 1.0,
            verdict: Verdict::NoData,
            sentence: format!("{measure}, AI-attributed vs human: not enough data ({reason})."),
        });
    };

    let d = p1 - p2;
    let difference_ci = Interval {
        lower: d - ((p1 - w1.lower).powi(2) + (w2.upper - p2).powi(2)).sqrt(),
        upper: d + ((w1.upper - p1).powi(2) + (p2 - w2.lower).powi(2)).sqrt(),
    };
    let (ratio, ratio_ci) = katz(ai, human, z);
    let fisher_p = fisher_exact(ai, human).ok_or_else(|| StatsError::new("Fisher test failed"))?;
    let verdict = if difference_ci.lower > 0.0 && fisher_p < alpha {
        Verdict::AiHigher
    } else if difference_ci.upper < 0.0 && fisher_p < alpha {
        Verdict::HumanHigher
    } else {
        Verdict::CannotTell
    };

    let ratio_text = match (ratio, ratio_ci) {
        (Some(r), Some(ci)) => format!(
            "; ratio {}, {level} CI {}",
            format::ratio(r),
            format::ratio_interval(ci)
        ),
        _ => String::new(),
    };
    let numbers = format!(
        "{} vs {}; difference {} points, {level} CI {} to {}{ratio_text}; Fisher {}",
        format::percent(p1),
        format::percent(p2),
        points(d),
        points(difference_ci.lower),
        points(difference_ci.upper),
        format::p_value(fisher_p)
    );
    let sentence = match verdict {
        Verdict::AiHigher => format!("{measure} is higher for AI-attributed actions ({numbers})."),
        Verdict::HumanHigher => {
            format!("{measure} is lower for AI-attributed actions ({numbers}).")
        }
        _ => format!(
            "{measure}, AI-attributed vs human: the data cannot tell the difference ({numbers})."
        ),
    };
    Ok(ProportionComparison {
        ai: a,
        human: h,
        confidence: options.confidence,
        difference: Some(d),
        difference_ci: Some(difference_ci),
        ratio,
        ratio_ci,
        fisher_p,
        verdict,
        sentence,
    })
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // expected values as R prints them
mod tests {
    use super::*;
    use crate::stats::testing::assert_close;

    fn cmp(k1: u64, n1: u64, k2: u64, n2: u64) -> ProportionComparison {
        compare_proportions(
            Trials::new(k1, n1),
            Trials::new(k2, n2),
            &ProportionOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn wilson_matches_r() {
        // R: prop.test(56, 70, correct = FALSE)$conf.int
        let ci = wilson(56, 70, 1.959963984540054).unwrap();
        assert_close!(ci.lower, 0.691833555037469, 1e-12);
        assert_close!(ci.upper, 0.876952607516370, 1e-12);
        assert_eq!(wilson(0, 10, 1.96).unwrap().lower, 0.0);
        assert_eq!(wilson(1, 0, 1.96), None);
    }

    #[test]
    fn newcombe_matches_his_published_examples() {
        // Newcombe (1998), Statistics in Medicine 17:873, Table II, method 10;
        // more digits from the formula in R (Wilson limits by
        // prop.test(k, n, correct = FALSE)$conf.int).
        let cases = [
            ((56, 70, 48, 80), (0.0524314724023649, 0.3338726540369059)),
            ((9, 10, 3, 10), (0.170522723934503, 0.809017973535488)),
            ((5, 56, 0, 29), (-0.0381371479035369, 0.1925600138551116)),
            ((0, 10, 0, 20), (-0.161125158052819, 0.277532799862889)),
        ];
        for ((k1, n1, k2, n2), (lo, hi)) in cases {
            let c = cmp(k1, n1, k2, n2);
            let ci = c.difference_ci.unwrap();
            assert_close!(ci.lower, lo, 1e-11);
            assert_close!(ci.upper, hi, 1e-11);
        }
    }

    #[test]
    fn katz_matches_formula() {
        // R: r <- (56/70)/(48/80); se <- sqrt(1/56-1/70+1/48-1/80)
        //    r * exp(c(-1, 1) * qnorm(0.975) * se)
        let c = cmp(56, 70, 48, 80);
        assert_close!(c.ratio.unwrap(), 1.33333333333333, 1e-13);
        let ci = c.ratio_ci.unwrap();
        assert_close!(ci.lower, 1.07662642276319, 1e-12);
        assert_close!(ci.upper, 1.65124851126639, 1e-12);
    }

    #[test]
    fn fisher_matches_r() {
        // R: fisher.test(matrix(c(56, 14, 48, 32), 2))$p.value
        assert_close!(
            fisher_exact(Trials::new(56, 70), Trials::new(48, 80)).unwrap(),
            0.0125211297492092,
            1e-10
        );
        // R: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value  (the tea-tasting lady)
        assert_close!(
            fisher_exact(Trials::new(3, 4), Trials::new(1, 4)).unwrap(),
            0.485714285714286,
            1e-12
        );
        // R: fisher.test(matrix(c(12, 3988, 5, 8995), 2))$p.value
        assert_close!(
            fisher_exact(Trials::new(12, 4000), Trials::new(5, 9000)).unwrap(),
            0.000840196602673609,
            1e-9
        );
        // R: fisher.test(matrix(c(0, 100, 3, 497), 2))$p.value
        assert_eq!(
            fisher_exact(Trials::new(0, 100), Trials::new(3, 500)),
            Some(1.0)
        );
        // R: fisher.test(matrix(c(7, 93, 2, 198), 2))$p.value
        assert_close!(
            fisher_exact(Trials::new(7, 100), Trials::new(2, 200)).unwrap(),
            0.00744336284828924,
            1e-10
        );
        assert_eq!(fisher_exact(Trials::new(3, 2), Trials::new(1, 4)), None);
    }

    #[test]
    fn fisher_large_tables_match_r() {
        // R: fisher.test(matrix(c(5100, 994900, 4900, 995100), 2))$p.value
        assert_close!(
            fisher_exact(Trials::new(5100, 1_000_000), Trials::new(4900, 1_000_000)).unwrap(),
            0.0460382133660465,
            1e-8
        );
        // R: fisher.test(matrix(c(40, 999960, 5, 199995), 2))$p.value
        assert_close!(
            fisher_exact(Trials::new(40, 1_000_000), Trials::new(5, 200_000)).unwrap(),
            0.423692766795674,
            1e-8
        );
        // R: fisher.test(matrix(c(300, 700, 100, 900), 2))$p.value
        assert_close!(
            fisher_exact(Trials::new(300, 1000), Trials::new(100, 1000)).unwrap(),
            9.49376890822425e-30,
            1e-8
        );
    }

    #[test]
    fn fisher_agrees_with_the_definition() {
        // Every table with margins up to 12 against a direct sum.
        for n1 in 1..=12u64 {
            for n2 in [1u64, 5, 12] {
                for k1 in 0..=n1 {
                    for k2 in 0..=n2 {
                        let total = k1 + k2;
                        let (lo, hi) = (total.saturating_sub(n2), total.min(n1));
                        let pmf = |k: u64| (ln_choose(n1, k) + ln_choose(n2, total - k)).exp();
                        let all: f64 = (lo..=hi).map(pmf).sum();
                        let obs = pmf(k1) * REL_ERR;
                        let brute =
                            ((lo..=hi).map(pmf).filter(|&d| d <= obs).sum::<f64>() / all).min(1.0);
                        let got = fisher_exact(Trials::new(k1, n1), Trials::new(k2, n2)).unwrap();
                        assert!(
                            (got - brute).abs() < 1e-12,
                            "{k1}/{n1} {k2}/{n2}: {got} vs {brute}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn verdict_and_sentence() {
        let c = cmp(7, 100, 2, 200);
        assert_eq!(c.verdict, Verdict::AiHigher);
        assert_eq!(
            c.sentence,
            format!(
                "Destructive share of writes is higher for AI-attributed actions (7.0% vs 1.0%; \
                 difference +6.0 points, 95% CI {} to {}; ratio 7.0, 95% CI {}; Fisher p = 0.0074).",
                points(c.difference_ci.unwrap().lower),
                points(c.difference_ci.unwrap().upper),
                format::ratio_interval(c.ratio_ci.unwrap())
            )
        );
        let c = cmp(56, 70, 48, 80);
        assert_eq!(c.verdict, Verdict::AiHigher);
        let c = cmp(2, 100, 3, 120);
        assert_eq!(c.verdict, Verdict::CannotTell);
        assert!(c.sentence.contains("cannot tell"), "{}", c.sentence);
        let c = cmp(1, 1000, 30, 1000);
        assert_eq!(c.verdict, Verdict::HumanHigher);
    }

    #[test]
    fn zero_cases() {
        // AI zero: ratio 0, lower bound 0, finite upper bound.
        let c = cmp(0, 100, 3, 500);
        assert_eq!(c.ratio, Some(0.0));
        let ci = c.ratio_ci.unwrap();
        assert_eq!(ci.lower, 0.0);
        assert!(ci.upper.is_finite());
        assert_eq!(c.fisher_p, 1.0);
        assert_eq!(c.verdict, Verdict::CannotTell);
        // Human zero: ratio ∞.
        let c = cmp(5, 56, 0, 29);
        assert_eq!(c.ratio, Some(f64::INFINITY));
        assert_eq!(c.ratio_ci.unwrap().upper, f64::INFINITY);
        // Both zero: no ratio, but the difference is still informative.
        let c = cmp(0, 10, 0, 20);
        assert_eq!(c.ratio, None);
        assert_eq!(c.difference, Some(0.0));
        assert_eq!(c.verdict, Verdict::CannotTell);
        // No trials: no data.
        let c = cmp(0, 0, 3, 20);
        assert_eq!(c.verdict, Verdict::NoData);
        assert!(
            c.sentence.contains("no AI-attributed trials"),
            "{}",
            c.sentence
        );
        let json = serde_json::to_value(&c).unwrap();
        assert!(json["ai"]["share"].is_null());
        // Impossible input.
        assert!(
            compare_proportions(
                Trials::new(5, 3),
                Trials::new(1, 2),
                &ProportionOptions::default()
            )
            .is_err()
        );
    }

    #[test]
    fn swapping_groups_mirrors_everything() {
        let a = cmp(12, 300, 5, 400);
        let b = cmp(5, 400, 12, 300);
        let (da, db) = (a.difference_ci.unwrap(), b.difference_ci.unwrap());
        assert_close!(da.lower, -db.upper, 1e-12);
        assert_close!(da.upper, -db.lower, 1e-12);
        let (ra, rb) = (a.ratio_ci.unwrap(), b.ratio_ci.unwrap());
        assert_close!(ra.lower * rb.upper, 1.0, 1e-12);
        assert_close!(a.fisher_p, b.fisher_p, 1e-12);
    }
}
