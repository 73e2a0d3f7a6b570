//! Statistics core: do AI-attributed actions cause incidents more often than
//! human ones, and can the data tell?
//!
//! Everything here is pure arithmetic on counts and exposures (no frames, no
//! I/O), written on `std` alone so that a skeptic can read every formula and
//! so that no statistics crate's version change moves a published number.
//!
//! Layers, bottom up:
//! - [`beta`], [`gamma`], [`normal`]: special functions (ln Γ, regularized
//!   incomplete beta and gamma functions and their inverses, the normal
//!   quantile) and the binomial / Poisson distributions built on them.
//! - [`rates`]: two Poisson counts with exposures (events per write call,
//!   per session): exact Garwood interval per group, exact conditional
//!   (Clopper–Pearson) interval for the rate ratio, exact conditional binomial
//!   test, and the verdict sentence.
//! - [`mh`]: the same comparison within strata (privilege tier) combined by
//!   Mantel–Haenszel, Greenland–Robins interval, MH χ² test, and an exact
//!   stratified interval and test for small counts.
//! - [`bootstrap`]: second opinions: a cluster (session) bootstrap of the
//!   rate ratio and a Jeffreys-prior Bayesian posterior.
//! - [`proportions`]: shares (destructive share of writes, error share):
//!   Wilson, Newcombe and Katz intervals and Fisher's exact test.
//! - [`power`]: the smallest rate ratio a comparison of this size would detect.
//! - [`format`](mod@format): how numbers appear in sentences.
//!
//! Conventions shared by every module:
//! - Inputs that cannot be valid (negative or non-finite exposure, events
//!   with zero exposure, more successes than trials, a confidence level outside
//!   (0, 1)) are a [`StatsError`]; nothing here panics on user numbers.
//! - NaN never leaves this module. A quantity that is undefined for the data
//!   (a rate with zero exposure, a ratio of 0/0) is `None`, and the verdict
//!   is [`Verdict::NoData`]. Infinity is a legitimate value (the upper bound
//!   of a rate ratio when the human side has no events) and is serialized to
//!   JSON as the string `"Infinity"`, since JSON has no number for it.
//! - "AI" is group 1 (numerator) and "human" group 2 (denominator) of every
//!   ratio and difference.

pub mod beta;
pub mod bootstrap;
pub mod format;
pub mod gamma;
pub mod mh;
pub mod normal;
pub mod power;
pub mod proportions;
pub mod rates;

use serde::{Serialize, Serializer};
use std::fmt;

pub use bootstrap::{
    BayesOptions, BayesView, BootstrapOptions, BootstrapView, Cluster, cluster_bootstrap,
    jeffreys_posterior, jeffreys_posterior_monte_carlo,
};
pub use mh::{MantelHaenszel, MhOptions, Stratum, StratumResult, StratumUse, mantel_haenszel};
pub use power::min_detectable_ratio;
pub use proportions::{
    ProportionComparison, ProportionOptions, Share, Trials, compare_proportions,
};
pub use rates::{GroupRate, Phrasing, RateComparison, RateOptions, compare_rates};

/// The default confidence level of every interval: 95 %.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;

/// Which side of a comparison a count belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Ai,
    Human,
}

/// Events observed over an exposure (write calls, sessions, actor-days).
///
/// `exposure` is a real number so that callers can count in any unit
/// (thousands of calls, person-days); it must be finite and ≥ 0, and a
/// group with events must have exposure > 0.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Counts {
    pub events: u64,
    pub exposure: f64,
}

impl Counts {
    pub fn new(events: u64, exposure: f64) -> Counts {
        Counts { events, exposure }
    }
}

/// A two-sided interval. `upper` may be `+∞` (a rate ratio whose
/// denominator group has no events); neither bound is ever NaN.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    #[serde(serialize_with = "serialize_real")]
    pub lower: f64,
    #[serde(serialize_with = "serialize_real")]
    pub upper: f64,
}

impl Interval {
    /// The interval that says nothing about a ratio: [0, ∞].
    pub const UNINFORMATIVE_RATIO: Interval = Interval {
        lower: 0.0,
        upper: f64::INFINITY,
    };

    pub fn contains(&self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }

    /// Both bounds multiplied by `factor` (e.g. per 1,000 calls).
    pub fn scaled(&self, factor: f64) -> Interval {
        Interval {
            lower: self.lower * factor,
            upper: self.upper * factor,
        }
    }
}

/// The answer a comparison supports, chosen by rule from its numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The interval lies wholly above no-difference and the test rejects it.
    AiHigher,
    /// The interval lies wholly below no-difference and the test rejects it.
    HumanHigher,
    /// The interval includes no-difference (or interval and test disagree).
    CannotTell,
    /// Nothing to compare: no events at all, or a group with no exposure.
    NoData,
}

/// Input that no statistic can be computed from (as opposed to data that
/// merely carries no information, which gives [`Verdict::NoData`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatsError {
    message: String,
}

impl StatsError {
    pub(crate) fn new(message: impl Into<String>) -> StatsError {
        StatsError {
            message: message.into(),
        }
    }
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StatsError {}

/// Checks one group's counts: exposure finite and ≥ 0, no events without
/// exposure. `what` names the group in the error.
pub(crate) fn check_counts(what: &str, c: Counts) -> Result<(), StatsError> {
    if !c.exposure.is_finite() || c.exposure < 0.0 {
        return Err(StatsError::new(format!(
            "{what}: exposure must be a finite number ≥ 0, got {}",
            c.exposure
        )));
    }
    if c.exposure == 0.0 && c.events > 0 {
        return Err(StatsError::new(format!(
            "{what}: {} events with zero exposure",
            c.events
        )));
    }
    Ok(())
}

/// Checks a confidence level and returns α = 1 − level.
pub(crate) fn alpha_of(confidence: f64) -> Result<f64, StatsError> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(1.0 - confidence)
    } else {
        Err(StatsError::new(format!(
            "confidence level must be strictly between 0 and 1, got {confidence}"
        )))
    }
}

/// JSON has no infinity: finite numbers are written as numbers, ±∞ as the
/// strings `"Infinity"` / `"-Infinity"` (what JavaScript's `Number()` and
/// Python's `float()` read back). NaN never reaches here; it would be null.
pub fn serialize_real<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    if value.is_finite() {
        s.serialize_f64(*value)
    } else if value.is_nan() {
        s.serialize_none()
    } else if *value > 0.0 {
        s.serialize_str("Infinity")
    } else {
        s.serialize_str("-Infinity")
    }
}

/// [`serialize_real`] for optional values (`None` is null).
pub fn serialize_opt_real<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => serialize_real(v, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infinite_bounds_serialize_as_strings() {
        let i = Interval {
            lower: 2.5,
            upper: f64::INFINITY,
        };
        let json = serde_json::to_value(i).unwrap();
        assert_eq!(json["lower"], serde_json::json!(2.5));
        assert_eq!(json["upper"], serde_json::json!("Infinity"));
    }

    #[test]
    fn counts_are_checked() {
        assert!(check_counts("AI", Counts::new(0, 0.0)).is_ok());
        assert!(check_counts("AI", Counts::new(3, 0.0)).is_err());
        assert!(check_counts("AI", Counts::new(0, -1.0)).is_err());
        assert!(check_counts("AI", Counts::new(0, f64::NAN)).is_err());
        assert!(check_counts("AI", Counts::new(0, f64::INFINITY)).is_err());
        assert!(alpha_of(0.95).is_ok());
        assert!(alpha_of(1.0).is_err());
        assert!(alpha_of(f64::NAN).is_err());
    }

    fn sane_interval(i: Interval) {
        assert!(!i.lower.is_nan() && !i.upper.is_nan(), "{i:?}");
        assert!(i.lower >= 0.0 && i.lower <= i.upper, "{i:?}");
    }

    /// Over a grid of counts and exposures, including zeros and extreme
    /// imbalances, nothing is NaN, p-values are probabilities, intervals
    /// are ordered and contain their estimate.
    #[test]
    fn no_nan_leaks_on_a_grid() {
        let events = [0u64, 1, 2, 5, 30, 1_000, 100_000];
        let exposures = [0.0, 1e-3, 1.0, 1_000.0, 1e9];
        let options = RateOptions::default();
        for &x1 in &events {
            for &n1 in &exposures {
                for &x2 in &events {
                    for &n2 in &exposures {
                        let (ai, human) = (Counts::new(x1, n1), Counts::new(x2, n2));
                        let Ok(c) = compare_rates(ai, human, &options) else {
                            assert!((x1 > 0 && n1 == 0.0) || (x2 > 0 && n2 == 0.0));
                            continue;
                        };
                        let case = format!("{x1}/{n1} vs {x2}/{n2}: {c:?}");
                        assert!((0.0..=1.0).contains(&c.p_value), "{case}");
                        sane_interval(c.ci);
                        if let Some(rr) = c.rate_ratio {
                            assert!(c.ci.contains(rr), "{case}");
                        }
                        for g in [&c.ai, &c.human] {
                            if let Some(ci) = g.ci {
                                sane_interval(ci);
                                assert!(ci.contains(g.rate.unwrap()), "{case}");
                            }
                        }
                        if let Some(m) = c.min_detectable_ratio {
                            assert!(m.is_finite() && m > 1.0, "{case}");
                        }
                        assert!(
                            !c.sentence.contains("NaN") && !c.sentence.contains("n/a"),
                            "{case}"
                        );
                        let bayes =
                            jeffreys_posterior(ai, human, &BayesOptions::default()).unwrap();
                        if let Some(b) = bayes {
                            assert!((0.0..=1.0).contains(&b.prob_ai_higher), "{case}");
                            sane_interval(b.credible);
                            assert!(b.credible.contains(b.median), "{case}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn proportions_never_leak_nan() {
        let sizes = [0u64, 1, 2, 10, 1_000, 1_000_000];
        for &n1 in &sizes {
            for &n2 in &sizes {
                for k1 in [0, 1, n1 / 2, n1] {
                    for k2 in [0, 1, n2 / 2, n2] {
                        if k1 > n1 || k2 > n2 {
                            continue;
                        }
                        let c = compare_proportions(
                            Trials::new(k1, n1),
                            Trials::new(k2, n2),
                            &ProportionOptions::default(),
                        )
                        .unwrap();
                        let case = format!("{k1}/{n1} vs {k2}/{n2}: {c:?}");
                        assert!((0.0..=1.0).contains(&c.fisher_p), "{case}");
                        if let Some(d) = c.difference_ci {
                            assert!(
                                d.lower <= c.difference.unwrap()
                                    && c.difference.unwrap() <= d.upper,
                                "{case}"
                            );
                            assert!(d.lower >= -1.0 - 1e-12 && d.upper <= 1.0 + 1e-12, "{case}");
                        }
                        if let Some(r) = c.ratio_ci {
                            sane_interval(r);
                            assert!(r.contains(c.ratio.unwrap()), "{case}");
                        }
                        assert!(
                            !c.sentence.contains("NaN") && !c.sentence.contains("n/a"),
                            "{case}"
                        );
                    }
                }
            }
        }
    }
}

/// What the statistics tests share.
#[cfg(test)]
pub(crate) mod testing {
    /// |got − want| ≤ tol · |want| (or ≤ tol when want = 0).
    pub(crate) fn close(got: f64, want: f64, tol: f64) -> bool {
        if want == 0.0 {
            got.abs() <= tol
        } else {
            ((got - want) / want).abs() <= tol
        }
    }

    macro_rules! assert_close {
        ($got:expr, $want:expr, $tol:expr) => {{
            let (g, w): (f64, f64) = ($got, $want);
            assert!(
                $crate::stats::testing::close(g, w, $tol),
                "got {g:e}, want {w:e}"
            );
        }};
    }
    pub(crate) use assert_close;
}
