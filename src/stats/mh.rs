//! The comparison at equal privilege: rate ratios within strata (privilege
//! tier: admin-equivalent / not / unknown) combined into one
//! Mantel–Haenszel rate ratio. This answers "a human with the same
//! privileges could have done the same": if AI actions look worse only
//! because agents more often run as admin, the crude ratio is high and the
//! stratified one is not.
//!
//! Formulas, for stratum i with AI events x₁ᵢ over exposure n₁ᵢ, human x₂ᵢ
//! over n₂ᵢ, Nᵢ = n₁ᵢ + n₂ᵢ, Mᵢ = x₁ᵢ + x₂ᵢ:
//! - Mantel–Haenszel (1959) rate ratio for person-time data (Rothman &
//!   Greenland, *Modern Epidemiology*, ch. 15):
//!   RR_MH = R / S, R = Σ x₁ᵢ n₂ᵢ / Nᵢ, S = Σ x₂ᵢ n₁ᵢ / Nᵢ.
//! - Greenland–Robins (1985) variance of ln RR_MH for rate data:
//!   Var = Σ (Mᵢ n₁ᵢ n₂ᵢ / Nᵢ²) / (R · S); interval exp(ln RR_MH ± z·√Var).
//! - Mantel–Haenszel χ² (1 df) for person-time (Shore et al. 1976):
//!   χ² = (Σ x₁ᵢ − Σ Mᵢ n₁ᵢ/Nᵢ)² / Σ Mᵢ n₁ᵢ n₂ᵢ / Nᵢ², no continuity correction.
//! - Exact stratified inference (for small counts, where the two above are
//!   asymptotic): given every Mᵢ, x₁ᵢ ~ Bin(Mᵢ, πᵢ(ψ)) with
//!   πᵢ = n₁ᵢψ / (n₁ᵢψ + n₂ᵢ) under a common rate ratio ψ, so
//!   T = Σ x₁ᵢ has the convolution of those binomials. The exact interval
//!   solves P(T ≥ t; ψ_L) = α/2 and P(T ≤ t; ψ_U) = α/2 (bisection on ln ψ);
//!   the exact p-value sums the outcomes of T no more likely than t at ψ = 1
//!   (as in [`super::rates`]). With one stratum this is exactly the
//!   conditional binomial method. The convolution costs O(M²) per ψ, so it
//!   is computed up to [`EXACT_MAX_EVENTS`] events; the bound of a ratio
//!   whose numerator or denominator sum is zero needs no convolution
//!   (P(T = 0) = Πᵢ (1−πᵢ)^Mᵢ) and is always computed.
//!
//! Strata: a stratum needs exposure on both sides to say anything about the
//! ratio; one with an exposure of zero is excluded ([`StratumUse`] says
//! which side). One with exposure on both sides but no events adds nothing
//! to any sum; it is kept and reported as such. The headline interval is
//! Greenland–Robins when both R and S are positive; when one is zero
//! (RR_MH = 0 or ∞) the log-scale interval does not exist and the exact
//! bound is used ([`CiMethod`] says which). The verdict is directional only
//! if the headline and the exact analysis (when computed) agree.

use serde::Serialize;

use super::beta::{REL_ERR, ln_choose};
use super::gamma::chi_square_sf;
use super::normal::two_sided_z;
use super::rates::{
    Phrasing, RateComparison, RateOptions, RatioSentence, compare_rates, ratio_sentence,
    ratio_verdict,
};
use super::{
    Counts, DEFAULT_CONFIDENCE, Interval, StatsError, Verdict, alpha_of, check_counts,
    serialize_opt_real, serialize_real,
};

/// Above this many events in the informative strata the exact convolution
/// is skipped (the asymptotic results are then reliable anyway).
pub const EXACT_MAX_EVENTS: u64 = 1_000;

/// One stratum's counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stratum {
    /// What the stratum is, e.g. "admin-equivalent".
    pub label: String,
    pub ai: Counts,
    pub human: Counts,
}

/// How a stratum enters the Mantel–Haenszel estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StratumUse {
    /// Exposure and events: contributes.
    Used,
    /// Exposure on both sides but no events: contributes nothing.
    NoEvents,
    /// Excluded: no AI-attributed exposure in this stratum.
    NoAiExposure,
    /// Excluded: no human exposure in this stratum.
    NoHumanExposure,
    /// Excluded: no exposure at all.
    NoExposure,
}

/// One stratum with its own exact comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StratumResult {
    pub label: String,
    pub usage: StratumUse,
    pub comparison: RateComparison,
}

/// Which method the headline interval comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CiMethod {
    GreenlandRobins,
    /// Exact stratified bound (RR_MH is 0 or ∞).
    Exact,
    /// No informative stratum: [0, ∞].
    None,
}

/// Exact stratified (conditional) interval and test of a common rate ratio.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ExactStratified {
    pub ci: Interval,
    #[serde(serialize_with = "serialize_real")]
    pub p_value: f64,
}

/// Options of [`mantel_haenszel`].
#[derive(Clone, Debug)]
pub struct MhOptions {
    pub confidence: f64,
    pub phrasing: Phrasing,
    /// What the strata are, for the sentence: "privilege tier".
    pub stratified_by: String,
}

impl Default for MhOptions {
    fn default() -> MhOptions {
        MhOptions {
            confidence: DEFAULT_CONFIDENCE,
            phrasing: Phrasing::default(),
            stratified_by: "privilege tier".to_string(),
        }
    }
}

/// Everything [`mantel_haenszel`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MantelHaenszel {
    pub strata: Vec<StratumResult>,
    /// Strata that contribute (exposure on both sides and some events).
    pub informative_strata: usize,
    pub confidence: f64,
    /// RR_MH: 0 when no AI events in the used strata, +∞ when no human
    /// events, `None` when no informative stratum.
    #[serde(serialize_with = "serialize_opt_real")]
    pub rate_ratio: Option<f64>,
    /// Headline interval (see `ci_method`).
    pub ci: Interval,
    pub ci_method: CiMethod,
    /// Greenland–Robins standard error of ln RR_MH, when defined.
    #[serde(serialize_with = "serialize_opt_real")]
    pub se_ln_rate_ratio: Option<f64>,
    /// MH χ² statistic (1 df), when there are events.
    #[serde(serialize_with = "serialize_opt_real")]
    pub chi_square: Option<f64>,
    /// p-value of the MH χ² test (1 without events).
    pub p_value: f64,
    /// Exact stratified analysis, when the events are few enough.
    pub exact: Option<ExactStratified>,
    /// The crude (unstratified) comparison of all strata pooled.
    pub crude: RateComparison,
    pub verdict: Verdict,
    pub sentence: String,
}

fn usage(s: &Stratum) -> StratumUse {
    match (s.ai.exposure > 0.0, s.human.exposure > 0.0) {
        (false, false) => StratumUse::NoExposure,
        (false, true) => StratumUse::NoAiExposure,
        (true, false) => StratumUse::NoHumanExposure,
        (true, true) if s.ai.events + s.human.events == 0 => StratumUse::NoEvents,
        (true, true) => StratumUse::Used,
    }
}

/// Mantel–Haenszel rate ratio across strata, with Greenland–Robins
/// interval, MH χ² test, exact stratified analysis, per-stratum exact
/// comparisons, the crude comparison, and the verdict sentence.
pub fn mantel_haenszel(
    strata: &[Stratum],
    options: &MhOptions,
) -> Result<MantelHaenszel, StatsError> {
    let alpha = alpha_of(options.confidence)?;
    let per_stratum_options = RateOptions {
        confidence: options.confidence,
        detection_power: None,
        phrasing: options.phrasing.clone(),
    };
    let mut results = Vec::with_capacity(strata.len());
    let mut crude_ai = Counts::new(0, 0.0);
    let mut crude_human = Counts::new(0, 0.0);
    for s in strata {
        check_counts(&format!("stratum {:?}, AI-attributed group", s.label), s.ai)?;
        check_counts(&format!("stratum {:?}, human group", s.label), s.human)?;
        let comparison = compare_rates(s.ai, s.human, &per_stratum_options)
            .map_err(|e| StatsError::new(format!("stratum {:?}: {e}", s.label)))?;
        results.push(StratumResult {
            label: s.label.clone(),
            usage: usage(s),
            comparison,
        });
        crude_ai.events += s.ai.events;
        crude_ai.exposure += s.ai.exposure;
        crude_human.events += s.human.events;
        crude_human.exposure += s.human.exposure;
    }
    let crude = compare_rates(crude_ai, crude_human, &per_stratum_options)?;

    // Only strata with exposure on both sides and events enter the sums.
    let used: Vec<&Stratum> = strata
        .iter()
        .filter(|s| usage(s) == StratumUse::Used)
        .collect();
    let (mut r, mut s_sum, mut v, mut expected, mut observed) = (0.0, 0.0, 0.0, 0.0, 0u64);
    for st in &used {
        let (x1, x2) = (st.ai.events as f64, st.human.events as f64);
        let (n1, n2) = (st.ai.exposure, st.human.exposure);
        let n = n1 + n2;
        let m = x1 + x2;
        r += x1 * n2 / n;
        s_sum += x2 * n1 / n;
        v += m * (n1 / n) * (n2 / n);
        expected += m * n1 / n;
        observed += st.ai.events;
    }
    let total_events: u64 = used.iter().map(|s| s.ai.events + s.human.events).sum();
    let z =
        two_sided_z(options.confidence).ok_or_else(|| StatsError::new("normal quantile failed"))?;
    let failed = || StatsError::new("numerical routine failed to converge");

    let exact_parts = ExactParts::new(&used);
    let (rate_ratio, ci, ci_method, se) = if used.is_empty() {
        (None, Interval::UNINFORMATIVE_RATIO, CiMethod::None, None)
    } else if r > 0.0 && s_sum > 0.0 {
        let rr = r / s_sum;
        let se = (v / (r * s_sum)).sqrt();
        let ci = Interval {
            lower: (rr.ln() - z * se).exp(),
            upper: (rr.ln() + z * se).exp(),
        };
        (Some(rr), ci, CiMethod::GreenlandRobins, Some(se))
    } else if r == 0.0 {
        let upper = exact_parts
            .upper_bound(observed, alpha)
            .ok_or_else(failed)?;
        (
            Some(0.0),
            Interval { lower: 0.0, upper },
            CiMethod::Exact,
            None,
        )
    } else {
        let lower = exact_parts
            .lower_bound(observed, alpha)
            .ok_or_else(failed)?;
        let ci = Interval {
            lower,
            upper: f64::INFINITY,
        };
        (Some(f64::INFINITY), ci, CiMethod::Exact, None)
    };
    let (chi_square, p_value) = if v > 0.0 {
        let diff = observed as f64 - expected;
        let chi = diff * diff / v;
        (Some(chi), chi_square_sf(chi, 1.0).ok_or_else(failed)?)
    } else {
        (None, 1.0)
    };
    let exact = if !used.is_empty() && total_events <= EXACT_MAX_EVENTS {
        Some(exact_parts.analyse(observed, alpha).ok_or_else(failed)?)
    } else {
        None
    };

    let verdict = if used.is_empty() {
        Verdict::NoData
    } else {
        let headline = ratio_verdict(ci, p_value, alpha);
        match exact {
            Some(e) if ratio_verdict(e.ci, e.p_value, alpha) != headline => Verdict::CannotTell,
            _ => headline,
        }
    };
    let prefix = format!(
        "At equal {} (Mantel–Haenszel, {} of {} strata informative), ",
        options.stratified_by,
        used.len(),
        strata.len()
    );
    let sentence = ratio_sentence(&RatioSentence {
        phrasing: &options.phrasing,
        prefix: &prefix,
        verdict,
        estimate: rate_ratio,
        ci,
        p_value,
        confidence: options.confidence,
        ai_events: observed,
        human_events: total_events - observed,
        min_detectable_ratio: None,
        no_data_reason: "no stratum has events and exposure on both sides",
    });
    Ok(MantelHaenszel {
        strata: results,
        informative_strata: used.len(),
        confidence: options.confidence,
        rate_ratio,
        ci,
        ci_method,
        se_ln_rate_ratio: se,
        chi_square,
        p_value,
        exact,
        crude,
        verdict,
        sentence,
    })
}

/// ln(1 + e^v) without overflow.
fn softplus(v: f64) -> f64 {
    v.max(0.0) + (-v.abs()).exp().ln_1p()
}

/// The informative strata as (Mᵢ, ln(n₁ᵢ/n₂ᵢ)): the conditional
/// distribution of T = Σ x₁ᵢ under a common ratio ψ = e^θ.
struct ExactParts {
    strata: Vec<(u64, f64)>,
    total: u64,
}

impl ExactParts {
    fn new(used: &[&Stratum]) -> ExactParts {
        let strata: Vec<(u64, f64)> = used
            .iter()
            .map(|s| {
                (
                    s.ai.events + s.human.events,
                    (s.ai.exposure / s.human.exposure).ln(),
                )
            })
            .collect();
        let total = strata.iter().map(|&(m, _)| m).sum();
        ExactParts { strata, total }
    }

    /// (ln π, ln(1−π)) of a stratum at θ: logit π = θ + ln(n₁/n₂).
    fn log_probs(theta: f64, offset: f64) -> (f64, f64) {
        let u = theta + offset;
        (-softplus(-u), -softplus(u))
    }

    /// The pmf of T at θ (convolution of the strata's binomials).
    fn pmf(&self, theta: f64) -> Vec<f64> {
        let mut dist = vec![1.0];
        for &(m, offset) in &self.strata {
            let (ln_p, ln_q) = Self::log_probs(theta, offset);
            let part: Vec<f64> = (0..=m)
                .map(|k| (ln_choose(m, k) + k as f64 * ln_p + (m - k) as f64 * ln_q).exp())
                .collect();
            let mut next = vec![0.0; dist.len() + part.len() - 1];
            for (i, &a) in dist.iter().enumerate() {
                if a == 0.0 {
                    continue;
                }
                for (j, &b) in part.iter().enumerate() {
                    next[i + j] += a * b;
                }
            }
            dist = next;
        }
        dist
    }

    /// P(T ≥ t; θ); P(T = M) in closed form.
    fn tail_ge(&self, t: u64, theta: f64) -> f64 {
        if t == 0 {
            return 1.0;
        }
        if t == self.total {
            let ln: f64 = self
                .strata
                .iter()
                .map(|&(m, off)| m as f64 * Self::log_probs(theta, off).0)
                .sum();
            return ln.exp();
        }
        self.pmf(theta)[t as usize..].iter().sum()
    }

    /// P(T ≤ t; θ); P(T = 0) in closed form.
    fn tail_le(&self, t: u64, theta: f64) -> f64 {
        if t >= self.total {
            return 1.0;
        }
        if t == 0 {
            let ln: f64 = self
                .strata
                .iter()
                .map(|&(m, off)| m as f64 * Self::log_probs(theta, off).1)
                .sum();
            return ln.exp();
        }
        self.pmf(theta)[..=t as usize].iter().sum()
    }

    /// ψ_L with P(T ≥ t; ψ_L) = α/2 (0 when t = 0).
    fn lower_bound(&self, t: u64, alpha: f64) -> Option<f64> {
        if t == 0 {
            return Some(0.0);
        }
        solve_increasing(|theta| self.tail_ge(t, theta), alpha / 2.0).map(f64::exp)
    }

    /// ψ_U with P(T ≤ t; ψ_U) = α/2 (∞ when t = M).
    fn upper_bound(&self, t: u64, alpha: f64) -> Option<f64> {
        if t >= self.total {
            return Some(f64::INFINITY);
        }
        solve_decreasing(|theta| self.tail_le(t, theta), alpha / 2.0).map(f64::exp)
    }

    /// Exact interval and two-sided p-value at ψ = 1.
    fn analyse(&self, t: u64, alpha: f64) -> Option<ExactStratified> {
        let ci = Interval {
            lower: self.lower_bound(t, alpha)?,
            upper: self.upper_bound(t, alpha)?,
        };
        let pmf = self.pmf(0.0);
        let observed = *pmf.get(t as usize)? * REL_ERR;
        let p_value = pmf.iter().filter(|&&p| p <= observed).sum::<f64>().min(1.0);
        Some(ExactStratified { ci, p_value })
    }
}

/// The θ with f(θ) = target for f increasing in θ, by bracketing then
/// bisection; `None` if no bracket is found within |θ| ≤ 700.
fn solve_increasing(f: impl Fn(f64) -> f64, target: f64) -> Option<f64> {
    let g = |theta: f64| f(theta) - target;
    let (mut lo, mut hi) = (-1.0_f64, 1.0_f64);
    while g(lo) > 0.0 {
        lo *= 2.0;
        if lo < -700.0 {
            return None;
        }
    }
    while g(hi) < 0.0 {
        hi *= 2.0;
        if hi > 700.0 {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if g(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-13 * hi.abs().max(1.0) {
            break;
        }
    }
    Some(0.5 * (lo + hi))
}

/// As [`solve_increasing`] for f decreasing.
fn solve_decreasing(f: impl Fn(f64) -> f64, target: f64) -> Option<f64> {
    solve_increasing(|theta| -f(theta), -target)
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // expected values as R prints them
mod tests {
    use super::*;
    use crate::stats::rates::RateOptions;
    use crate::stats::testing::assert_close;

    fn stratum(label: &str, x1: u64, n1: f64, x2: u64, n2: f64) -> Stratum {
        Stratum {
            label: label.to_string(),
            ai: Counts::new(x1, n1),
            human: Counts::new(x2, n2),
        }
    }

    fn two_tiers() -> Vec<Stratum> {
        vec![
            stratum("admin-equivalent", 8, 2000.0, 6, 1500.0),
            stratum("not admin", 4, 3000.0, 5, 9000.0),
        ]
    }

    #[test]
    fn two_strata_match_the_formulas() {
        // R (the formulas, written out):
        //   a <- c(8, 4); n1 <- c(2000, 3000); b <- c(6, 5); n2 <- c(1500, 9000)
        //   N <- n1+n2; M <- a+b; R <- sum(a*n2/N); S <- sum(b*n1/N); rr <- R/S
        //   se <- sqrt(sum(M*n1*n2/N^2)/(R*S)); exp(log(rr) + c(-1,1)*qnorm(0.975)*se)
        //   chi <- (sum(a)-sum(M*n1/N))^2/sum(M*n1*n2/N^2); pchisq(chi, 1, lower.tail=FALSE)
        let mh = mantel_haenszel(&two_tiers(), &MhOptions::default()).unwrap();
        assert_close!(mh.rate_ratio.unwrap(), 1.37404580152672, 1e-13);
        assert_close!(mh.se_ln_rate_ratio.unwrap(), 0.412433971891845, 1e-12);
        assert_close!(mh.ci.lower, 0.612261253215618, 1e-12);
        assert_close!(mh.ci.upper, 3.08365400354399, 1e-12);
        assert_close!(mh.chi_square.unwrap(), 0.598603839441536, 1e-12);
        assert_close!(mh.p_value, 0.439111220935836, 1e-11);
        assert_eq!(mh.ci_method, CiMethod::GreenlandRobins);
        // Crude: (12/5000)/(11/10500), confounded by tier.
        assert_close!(mh.crude.rate_ratio.unwrap(), 2.29090909090909, 1e-13);
        assert_eq!(mh.informative_strata, 2);
        assert_eq!(mh.verdict, Verdict::CannotTell);
        assert_eq!(
            mh.sentence,
            "At equal privilege tier (Mantel–Haenszel, 2 of 2 strata informative), AI-attributed \
             write actions vs human ones: the data cannot tell the difference in incident rates \
             (rate ratio 1.4, 95% CI 0.61–3.1, p = 0.44)."
        );
        let exact = mh.exact.unwrap();
        assert!(exact.ci.contains(1.0) && exact.p_value > 0.3);
        assert_eq!(
            mh.strata[0].comparison.rate_ratio,
            Some((8.0 / 2000.0) / (6.0 / 1500.0))
        );
    }

    #[test]
    fn exact_stratified_matches_independent_computation() {
        // R (convolution of the two conditional binomials, roots by uniroot):
        //   a <- c(8, 4); n1 <- c(2000, 3000); b <- c(6, 5); n2 <- c(1500, 9000); M <- a+b
        //   pmf <- function(psi) { p <- n1*psi/(n1*psi+n2)
        //     d1 <- dbinom(0:M[1], M[1], p[1]); d2 <- dbinom(0:M[2], M[2], p[2])
        //     out <- numeric(sum(M)+1)
        //     for (i in 0:M[1]) for (j in 0:M[2]) out[i+j+1] <- out[i+j+1] + d1[i+1]*d2[j+1]
        //     out }
        //   exp(uniroot(function(l) sum(pmf(exp(l))[(12:23)+1]) - 0.025, c(-5,5), tol=1e-14)$root)
        //   exp(uniroot(function(l) sum(pmf(exp(l))[(0:12)+1]) - 0.025, c(-5,5), tol=1e-14)$root)
        //   d <- pmf(1); sum(d[d <= d[13]*(1+1e-7)])
        let mh = mantel_haenszel(&two_tiers(), &MhOptions::default()).unwrap();
        let exact = mh.exact.unwrap();
        assert_close!(exact.ci.lower, 0.538460932543221, 1e-9);
        assert_close!(exact.ci.upper, 3.71710642237497, 1e-9);
        assert_close!(exact.p_value, 0.508992375554548, 1e-9);
    }

    #[test]
    fn one_stratum_equals_the_crude_exact_comparison() {
        let strata = [stratum("all", 12, 4000.0, 5, 9000.0)];
        let mh = mantel_haenszel(&strata, &MhOptions::default()).unwrap();
        let crude = compare_rates(
            Counts::new(12, 4000.0),
            Counts::new(5, 9000.0),
            &RateOptions::default(),
        )
        .unwrap();
        assert_close!(mh.rate_ratio.unwrap(), crude.rate_ratio.unwrap(), 1e-14);
        let exact = mh.exact.unwrap();
        assert_close!(exact.ci.lower, crude.ci.lower, 1e-9);
        assert_close!(exact.ci.upper, crude.ci.upper, 1e-9);
        assert_close!(exact.p_value, crude.p_value, 1e-9);
        assert_eq!(mh.verdict, Verdict::AiHigher);
    }

    #[test]
    fn strata_without_exposure_or_events_are_reported_and_ignored() {
        let mut strata = two_tiers();
        strata.push(stratum("unknown", 3, 500.0, 0, 0.0));
        strata.push(stratum("quiet", 0, 100.0, 0, 200.0));
        strata.push(stratum("humans only", 0, 0.0, 2, 300.0));
        let mh = mantel_haenszel(&strata, &MhOptions::default()).unwrap();
        let uses: Vec<StratumUse> = mh.strata.iter().map(|s| s.usage).collect();
        assert_eq!(
            uses,
            [
                StratumUse::Used,
                StratumUse::Used,
                StratumUse::NoHumanExposure,
                StratumUse::NoEvents,
                StratumUse::NoAiExposure
            ]
        );
        assert_eq!(mh.strata[2].comparison.verdict, Verdict::NoData);
        assert_close!(mh.rate_ratio.unwrap(), 1.37404580152672, 1e-13);
        assert_eq!(mh.informative_strata, 2);
        assert!(
            mh.sentence.contains("2 of 5 strata informative"),
            "{}",
            mh.sentence
        );
        // The crude comparison counts everything.
        assert_eq!(mh.crude.ai.events, 15);
        assert_eq!(mh.crude.human.events, 13);
    }

    #[test]
    fn zero_ai_events_across_strata() {
        let strata = [
            stratum("admin-equivalent", 0, 2000.0, 6, 1500.0),
            stratum("not admin", 0, 3000.0, 5, 9000.0),
        ];
        let mh = mantel_haenszel(&strata, &MhOptions::default()).unwrap();
        assert_eq!(mh.rate_ratio, Some(0.0));
        assert_eq!(mh.ci_method, CiMethod::Exact);
        assert_eq!(mh.ci.lower, 0.0);
        assert!(mh.ci.upper.is_finite() && mh.ci.upper > 0.0);
        assert_eq!(mh.se_ln_rate_ratio, None);
        // The exact analysis gives the same bound.
        assert_close!(mh.exact.unwrap().ci.upper, mh.ci.upper, 1e-12);
        assert_eq!(mh.verdict, Verdict::HumanHigher);
    }

    #[test]
    fn zero_human_events_across_strata() {
        let strata = [
            stratum("admin-equivalent", 5, 2000.0, 0, 1500.0),
            stratum("not admin", 4, 3000.0, 0, 9000.0),
        ];
        let mh = mantel_haenszel(&strata, &MhOptions::default()).unwrap();
        assert_eq!(mh.rate_ratio, Some(f64::INFINITY));
        assert_eq!(mh.ci.upper, f64::INFINITY);
        assert!(mh.ci.lower > 1.0);
        assert_eq!(mh.verdict, Verdict::AiHigher);
        // Symmetry: swapping groups inverts the bound.
        let swapped: Vec<Stratum> = strata
            .iter()
            .map(|s| Stratum {
                label: s.label.clone(),
                ai: s.human,
                human: s.ai,
            })
            .collect();
        let other = mantel_haenszel(&swapped, &MhOptions::default()).unwrap();
        assert_close!(other.ci.upper * mh.ci.lower, 1.0, 1e-9);
    }

    #[test]
    fn swapping_groups_inverts_the_mh_ratio() {
        let swapped: Vec<Stratum> = two_tiers()
            .into_iter()
            .map(|s| Stratum {
                label: s.label,
                ai: s.human,
                human: s.ai,
            })
            .collect();
        let a = mantel_haenszel(&two_tiers(), &MhOptions::default()).unwrap();
        let b = mantel_haenszel(&swapped, &MhOptions::default()).unwrap();
        assert_close!(a.rate_ratio.unwrap() * b.rate_ratio.unwrap(), 1.0, 1e-13);
        assert_close!(a.ci.lower * b.ci.upper, 1.0, 1e-12);
        assert_close!(a.p_value, b.p_value, 1e-12);
        let (ea, eb) = (a.exact.unwrap(), b.exact.unwrap());
        assert_close!(ea.ci.lower * eb.ci.upper, 1.0, 1e-9);
        assert_close!(ea.p_value, eb.p_value, 1e-9);
    }

    #[test]
    fn nothing_informative_is_no_data() {
        let strata = [
            stratum("quiet", 0, 100.0, 0, 200.0),
            stratum("ai only", 2, 10.0, 0, 0.0),
        ];
        let mh = mantel_haenszel(&strata, &MhOptions::default()).unwrap();
        assert_eq!(mh.verdict, Verdict::NoData);
        assert_eq!(mh.rate_ratio, None);
        assert_eq!(mh.ci, Interval::UNINFORMATIVE_RATIO);
        assert_eq!(mh.p_value, 1.0);
        assert!(mh.sentence.contains("not enough data"), "{}", mh.sentence);
        let empty = mantel_haenszel(&[], &MhOptions::default()).unwrap();
        assert_eq!(empty.verdict, Verdict::NoData);
    }

    #[test]
    fn bad_stratum_is_named_in_the_error() {
        let strata = [stratum("broken", 2, -5.0, 1, 10.0)];
        let err = mantel_haenszel(&strata, &MhOptions::default()).unwrap_err();
        assert!(err.to_string().contains("broken"), "{err}");
    }

    #[test]
    fn many_events_skip_the_exact_convolution() {
        let strata = [
            stratum("a", 700, 1e6, 600, 1e6),
            stratum("b", 300, 5e5, 200, 5e5),
        ];
        let mh = mantel_haenszel(&strata, &MhOptions::default()).unwrap();
        assert!(mh.exact.is_none());
        assert_eq!(mh.verdict, Verdict::AiHigher);
    }
}
