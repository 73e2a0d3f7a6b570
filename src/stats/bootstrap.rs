//! Second opinions on the rate ratio: a cluster bootstrap that respects
//! sessions, and a Bayesian posterior under Jeffreys priors.
//!
//! Why: the exact methods of [`super::rates`] treat every write call as an
//! independent trial, but the actions inside one agent session (or one
//! human working session) are not independent: one bad plan produces many
//! bad calls. Resampling whole sessions keeps that dependence, so if the
//! bootstrap interval is much wider than the exact one, the exact one is
//! too optimistic. The Bayesian view answers the question leadership
//! actually asks, "how likely is it that AI is worse?", as P(RR > 1).
//!
//! Methods:
//! - Cluster bootstrap (Davison & Hinkley 1997, §3.8; Field & Welsh 2007):
//!   within each group, draw as many clusters as it has, with replacement;
//!   the resample's ratio is (Σe₁*/Σn₁*)/(Σe₂*/Σn₂*). B resamples (2000 by
//!   default) give a percentile interval (R `quantile` type 7). A resample
//!   with no events on either side has no ratio (0/0): it is counted as
//!   undefined and left out, and the count is reported. One with no human
//!   events has ratio +∞, which sorts last.
//! - Randomness: SplitMix64 (Steele, Lea & Flood 2014), seeded per resample
//!   from (seed, resample index), so results are identical for a seed
//!   whatever the number of threads; indices by Lemire's multiply-shift
//!   with rejection (unbiased).
//! - Jeffreys posterior: with prior Gamma(½, 0) on each Poisson rate the
//!   posterior is λ ~ Gamma(x + ½, rate n). Then B = G₁/(G₁+G₂) ~
//!   Beta(x₁+½, x₂+½) and RR = (n₂/n₁)·B/(1−B), so P(RR > 1) =
//!   1 − I_{π₀}(x₁+½, x₂+½), π₀ = n₁/(n₁+n₂), and the equal-tailed credible
//!   interval maps Beta quantiles through the odds: exact, no simulation.
//!   [`jeffreys_posterior_monte_carlo`] gets the same by drawing the two
//!   gammas (Marsaglia & Tsang 2000, with Gamma(a) = Gamma(a+1)·U^{1/a} for
//!   a < 1 and Marsaglia's polar method for the normals); the tests use it
//!   to check the closed form, and it is the starting point for any prior
//!   without one.

use serde::Serialize;

use super::beta::inc_beta_tails;
use super::beta::inv_inc_beta_tails;
use super::{
    Counts, DEFAULT_CONFIDENCE, Group, Interval, StatsError, Verdict, alpha_of, check_counts,
    serialize_opt_real,
};

/// SplitMix64: a 64-bit generator with one word of state, statistically
/// sound for simulation (passes BigCrush) and trivially seedable.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// An independent stream for (seed, index): the seed and index hashed
    /// through two SplitMix64 steps.
    pub fn stream(seed: u64, index: u64) -> SplitMix64 {
        let mut s = SplitMix64::new(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        s.next_u64();
        SplitMix64::new(s.next_u64())
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on the open interval (0, 1) (never 0, so ln U is finite).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n), n > 0 (Lemire 2019, unbiased).
    pub fn below(&mut self, n: u64) -> u64 {
        let mut m = (self.next_u64() as u128) * (n as u128);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = (self.next_u64() as u128) * (n as u128);
            }
        }
        (m >> 64) as u64
    }

    /// Standard normal draw (Marsaglia's polar method; one of the pair kept).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// Gamma(shape, 1) draw, shape > 0 (Marsaglia & Tsang 2000).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform();
            return self.gamma(shape + 1.0) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let t = 1.0 + c * x;
            if t <= 0.0 {
                continue;
            }
            let v = t * t * t;
            let u = self.uniform();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 || u.ln() < 0.5 * x2 + d * (1.0 - v + v.ln()) {
                return d * v;
            }
        }
    }
}

/// One cluster (a session): its group, events and exposure.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Cluster {
    pub group: Group,
    pub events: u64,
    pub exposure: f64,
}

/// Options of [`cluster_bootstrap`].
#[derive(Clone, Debug)]
pub struct BootstrapOptions {
    /// Number of resamples B (2000).
    pub resamples: usize,
    pub seed: u64,
    pub confidence: f64,
    /// Worker threads; 0 means what the machine offers. The result does not
    /// depend on it.
    pub threads: usize,
}

impl Default for BootstrapOptions {
    fn default() -> BootstrapOptions {
        BootstrapOptions {
            resamples: 2_000,
            seed: 0x7261_696c_626c_616d, // "railblam"
            confidence: DEFAULT_CONFIDENCE,
            threads: 0,
        }
    }
}

/// The cluster bootstrap's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BootstrapView {
    pub ai_clusters: usize,
    pub human_clusters: usize,
    pub resamples: usize,
    pub seed: u64,
    pub confidence: f64,
    /// The ratio of the data themselves (as in [`super::rates`]).
    #[serde(serialize_with = "serialize_opt_real")]
    pub rate_ratio: Option<f64>,
    /// Percentile interval; `None` when no resample had a ratio.
    pub ci: Option<Interval>,
    /// Resamples with no ratio (no events on either side), left out.
    pub undefined_resamples: usize,
    /// By the interval alone: directional when it excludes 1.
    pub verdict: Verdict,
}

/// One group's clusters as (events, exposure) pairs, adjacent in memory so
/// that a random draw touches one cache line.
struct GroupColumns {
    pairs: Vec<[f64; 2]>,
}

impl GroupColumns {
    fn of(clusters: &[Cluster], group: Group) -> GroupColumns {
        GroupColumns {
            pairs: clusters
                .iter()
                .filter(|c| c.group == group)
                .map(|c| [c.events as f64, c.exposure])
                .collect(),
        }
    }

    fn len(&self) -> usize {
        self.pairs.len()
    }

    fn totals(&self) -> (f64, f64) {
        self.pairs
            .iter()
            .fold((0.0, 0.0), |(e, x), p| (e + p[0], x + p[1]))
    }

    /// Σ events and Σ exposure of one resample of the clusters.
    fn resample(&self, rng: &mut SplitMix64) -> (f64, f64) {
        let n = self.pairs.len() as u64;
        let (mut e, mut x) = (0.0, 0.0);
        for _ in 0..n {
            let p = self.pairs[rng.below(n) as usize];
            e += p[0];
            x += p[1];
        }
        (e, x)
    }
}

/// (e₁/x₁)/(e₂/x₂) with 0/0 as `None` and e₁ > 0 = e₂ as +∞.
fn ratio_of(e1: f64, x1: f64, e2: f64, x2: f64) -> Option<f64> {
    if x1 <= 0.0 || x2 <= 0.0 {
        return None;
    }
    match (e1 > 0.0, e2 > 0.0) {
        (false, false) => None,
        (true, false) => Some(f64::INFINITY),
        _ => Some((e1 / x1) / (e2 / x2)),
    }
}

/// Quantile of sorted values, linear interpolation (R type 7), +∞ allowed.
fn quantile_sorted(sorted: &[f64], prob: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * prob;
    let i = (h.floor() as usize).min(last);
    let frac = h - i as f64;
    let a = sorted[i];
    if frac == 0.0 || i == last || sorted[i + 1] == a {
        return Some(a);
    }
    Some(a + frac * (sorted[i + 1] - a))
}

/// Percentile interval of the ratio by resampling sessions within each
/// group. Deterministic for a seed, whatever the thread count.
pub fn cluster_bootstrap(
    clusters: &[Cluster],
    options: &BootstrapOptions,
) -> Result<BootstrapView, StatsError> {
    let alpha = alpha_of(options.confidence)?;
    for (i, c) in clusters.iter().enumerate() {
        if !c.exposure.is_finite() || c.exposure < 0.0 {
            return Err(StatsError::new(format!(
                "cluster {i}: exposure must be a finite number ≥ 0, got {}",
                c.exposure
            )));
        }
    }
    if options.resamples == 0 {
        return Err(StatsError::new("the bootstrap needs at least one resample"));
    }
    let ai = GroupColumns::of(clusters, Group::Ai);
    let human = GroupColumns::of(clusters, Group::Human);
    let (e1, x1) = ai.totals();
    let (e2, x2) = human.totals();
    if e1 > 0.0 && x1 == 0.0 || e2 > 0.0 && x2 == 0.0 {
        return Err(StatsError::new("a group has events but no exposure"));
    }
    let observed = ratio_of(e1, x1, e2, x2);
    let mut view = BootstrapView {
        ai_clusters: ai.len(),
        human_clusters: human.len(),
        resamples: options.resamples,
        seed: options.seed,
        confidence: options.confidence,
        rate_ratio: observed,
        ci: None,
        undefined_resamples: 0,
        verdict: Verdict::NoData,
    };
    if observed.is_none() {
        return Ok(view);
    }

    let mut ratios = vec![f64::NAN; options.resamples];
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, options.resamples);
    let chunk = options.resamples.div_ceil(threads);
    let (ai, human) = (&ai, &human);
    std::thread::scope(|scope| {
        for (c, out) in ratios.chunks_mut(chunk).enumerate() {
            scope.spawn(move || {
                for (k, slot) in out.iter_mut().enumerate() {
                    let b = (c * chunk + k) as u64;
                    let mut rng = SplitMix64::stream(options.seed, b);
                    let (e1, x1) = ai.resample(&mut rng);
                    let (e2, x2) = human.resample(&mut rng);
                    *slot = ratio_of(e1, x1, e2, x2).unwrap_or(f64::NAN);
                }
            });
        }
    });
    let mut defined: Vec<f64> = ratios.into_iter().filter(|r| !r.is_nan()).collect();
    view.undefined_resamples = options.resamples - defined.len();
    defined.sort_by(f64::total_cmp);
    let ci = match (
        quantile_sorted(&defined, alpha / 2.0),
        quantile_sorted(&defined, 1.0 - alpha / 2.0),
    ) {
        (Some(lower), Some(upper)) => Some(Interval { lower, upper }),
        _ => None,
    };
    view.ci = ci;
    view.verdict = match ci {
        None => Verdict::NoData,
        Some(i) if i.lower > 1.0 => Verdict::AiHigher,
        Some(i) if i.upper < 1.0 => Verdict::HumanHigher,
        Some(_) => Verdict::CannotTell,
    };
    Ok(view)
}

/// Options of the Jeffreys posterior.
#[derive(Clone, Debug)]
pub struct BayesOptions {
    pub confidence: f64,
    /// Monte Carlo draws (for [`jeffreys_posterior_monte_carlo`] only).
    pub draws: usize,
    pub seed: u64,
}

impl Default for BayesOptions {
    fn default() -> BayesOptions {
        BayesOptions {
            confidence: DEFAULT_CONFIDENCE,
            draws: 20_000,
            seed: 0x6a65_6666_7265_7973, // "jeffreys"
        }
    }
}

/// The posterior of the rate ratio under Jeffreys priors.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BayesView {
    /// Posterior probability that the AI rate exceeds the human rate.
    pub prob_ai_higher: f64,
    pub median: f64,
    /// Equal-tailed credible interval.
    pub credible: Interval,
    /// Monte Carlo draws behind the numbers; `None` when exact.
    pub draws: Option<usize>,
}

fn check_bayes_input(ai: Counts, human: Counts) -> Result<bool, StatsError> {
    check_counts("AI-attributed group", ai)?;
    check_counts("human group", human)?;
    Ok(ai.exposure > 0.0 && human.exposure > 0.0)
}

/// Exact Jeffreys posterior of λ₁/λ₂. `Ok(None)` when a group has no
/// exposure (the posterior would be the improper prior).
pub fn jeffreys_posterior(
    ai: Counts,
    human: Counts,
    options: &BayesOptions,
) -> Result<Option<BayesView>, StatsError> {
    let alpha = alpha_of(options.confidence)?;
    if !check_bayes_input(ai, human)? {
        return Ok(None);
    }
    let (a, b) = (ai.events as f64 + 0.5, human.events as f64 + 0.5);
    let (n1, n2) = (ai.exposure, human.exposure);
    let (p0, q0) = (n1 / (n1 + n2), n2 / (n1 + n2));
    let failed = || StatsError::new("numerical routine failed to converge");
    let (_, prob_ai_higher) = inc_beta_tails(p0, q0, a, b).ok_or_else(failed)?;
    let ratio_at = |p: f64, q: f64| -> Result<f64, StatsError> {
        let (x, y) = inv_inc_beta_tails(p, q, a, b).ok_or_else(failed)?;
        Ok(if y == 0.0 {
            f64::INFINITY
        } else {
            x / y * (n2 / n1)
        })
    };
    Ok(Some(BayesView {
        prob_ai_higher,
        median: ratio_at(0.5, 0.5)?,
        credible: Interval {
            lower: ratio_at(alpha / 2.0, 1.0 - alpha / 2.0)?,
            upper: ratio_at(1.0 - alpha / 2.0, alpha / 2.0)?,
        },
        draws: None,
    }))
}

/// The same posterior by simulation: draws of Gamma(x+½)/n for each group.
pub fn jeffreys_posterior_monte_carlo(
    ai: Counts,
    human: Counts,
    options: &BayesOptions,
) -> Result<Option<BayesView>, StatsError> {
    let alpha = alpha_of(options.confidence)?;
    if !check_bayes_input(ai, human)? {
        return Ok(None);
    }
    if options.draws == 0 {
        return Err(StatsError::new("Monte Carlo needs at least one draw"));
    }
    let mut rng = SplitMix64::new(options.seed);
    let (a, b) = (ai.events as f64 + 0.5, human.events as f64 + 0.5);
    let mut ratios: Vec<f64> = (0..options.draws)
        .map(|_| {
            let l1 = rng.gamma(a) / ai.exposure;
            let l2 = rng.gamma(b) / human.exposure;
            l1 / l2
        })
        .filter(|r| !r.is_nan())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let n = ratios.len();
    let higher = ratios.iter().filter(|&&r| r > 1.0).count();
    let q = |p: f64| quantile_sorted(&ratios, p).ok_or_else(|| StatsError::new("no valid draw"));
    Ok(Some(BayesView {
        prob_ai_higher: higher as f64 / n.max(1) as f64,
        median: q(0.5)?,
        credible: Interval {
            lower: q(alpha / 2.0)?,
            upper: q(1.0 - alpha / 2.0)?,
        },
        draws: Some(n),
    }))
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // expected values as R prints them
mod tests {
    use super::*;

    fn sessions(group: Group, n: usize, seed: u64, rate_per_call: f64) -> Vec<Cluster> {
        // Deterministic synthetic sessions: calls 1..=200, events ~ rate.
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|_| {
                let calls = 1 + rng.below(200);
                let mean = calls as f64 * rate_per_call;
                // Poisson by inversion (small means only).
                let (mut k, mut p, u) = (0u64, (-mean).exp(), rng.uniform());
                let mut cdf = p;
                while u > cdf && k < 1000 {
                    k += 1;
                    p *= mean / k as f64;
                    cdf += p;
                }
                Cluster {
                    group,
                    events: k,
                    exposure: calls as f64,
                }
            })
            .collect()
    }

    #[test]
    fn splitmix_known_stream() {
        // Reference values of SplitMix64 seeded with 1234567 (Vigna's C code).
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
        assert_eq!(r.next_u64(), 9817491932198370423);
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut r = SplitMix64::new(7);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[r.below(7) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn gamma_sampler_moments() {
        let mut r = SplitMix64::new(42);
        for &shape in &[0.5, 1.0, 3.5, 40.0] {
            let n = 40_000;
            let xs: Vec<f64> = (0..n).map(|_| r.gamma(shape)).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            // Mean and variance of Gamma(k, 1) are both k.
            assert!(
                (mean - shape).abs() < 4.0 * (shape / n as f64).sqrt(),
                "{shape}: {mean}"
            );
            assert!((var / shape - 1.0).abs() < 0.06, "{shape}: {var}");
        }
    }

    #[test]
    fn bootstrap_is_deterministic_for_a_seed_and_any_thread_count() {
        let mut clusters = sessions(Group::Ai, 300, 1, 0.004);
        clusters.extend(sessions(Group::Human, 500, 2, 0.002));
        let one = cluster_bootstrap(
            &clusters,
            &BootstrapOptions {
                threads: 1,
                ..BootstrapOptions::default()
            },
        )
        .unwrap();
        let three = cluster_bootstrap(
            &clusters,
            &BootstrapOptions {
                threads: 3,
                ..BootstrapOptions::default()
            },
        )
        .unwrap();
        assert_eq!(one, three);
        let again = cluster_bootstrap(&clusters, &BootstrapOptions::default()).unwrap();
        assert_eq!(one, again);
        let other_seed = cluster_bootstrap(
            &clusters,
            &BootstrapOptions {
                seed: 99,
                ..BootstrapOptions::default()
            },
        )
        .unwrap();
        assert_ne!(one.ci, other_seed.ci);
        let ci = one.ci.unwrap();
        let rr = one.rate_ratio.unwrap();
        assert!(ci.lower < rr && rr < ci.upper, "{ci:?} {rr}");
    }

    #[test]
    fn bootstrap_agrees_with_exact_when_sessions_are_independent() {
        // Poisson events, no clustering: the bootstrap interval should be
        // close to the exact one (within ~25 % on the log scale).
        let mut clusters = sessions(Group::Ai, 2_000, 3, 0.003);
        clusters.extend(sessions(Group::Human, 2_000, 4, 0.0015));
        let view = cluster_bootstrap(&clusters, &BootstrapOptions::default()).unwrap();
        let sum = |g: Group| {
            clusters
                .iter()
                .filter(|c| c.group == g)
                .fold(Counts::new(0, 0.0), |acc, c| {
                    Counts::new(acc.events + c.events, acc.exposure + c.exposure)
                })
        };
        let exact =
            crate::stats::compare_rates(sum(Group::Ai), sum(Group::Human), &Default::default())
                .unwrap();
        let (b, e) = (view.ci.unwrap(), exact.ci);
        let width = |i: Interval| (i.upper / i.lower).ln();
        assert!((width(b) / width(e) - 1.0).abs() < 0.25, "{b:?} vs {e:?}");
        assert_eq!(view.verdict, exact.verdict);
    }

    #[test]
    fn bootstrap_widens_when_events_cluster_in_sessions() {
        // Same totals, but each group's events all come from a few sessions.
        let mut clusters = Vec::new();
        for i in 0..200 {
            clusters.push(Cluster {
                group: Group::Ai,
                events: if i < 4 { 5 } else { 0 },
                exposure: 50.0,
            });
            clusters.push(Cluster {
                group: Group::Human,
                events: if i < 20 { 1 } else { 0 },
                exposure: 50.0,
            });
        }
        let view = cluster_bootstrap(&clusters, &BootstrapOptions::default()).unwrap();
        let exact = crate::stats::compare_rates(
            Counts::new(20, 10_000.0),
            Counts::new(20, 10_000.0),
            &Default::default(),
        )
        .unwrap();
        let b = view.ci.unwrap();
        assert!(b.upper / b.lower > exact.ci.upper / exact.ci.lower);
    }

    #[test]
    fn bootstrap_edge_cases() {
        // No events at all: no ratio, no interval.
        let quiet = [
            Cluster {
                group: Group::Ai,
                events: 0,
                exposure: 10.0,
            },
            Cluster {
                group: Group::Human,
                events: 0,
                exposure: 10.0,
            },
        ];
        let view = cluster_bootstrap(&quiet, &BootstrapOptions::default()).unwrap();
        assert_eq!(view.verdict, Verdict::NoData);
        assert_eq!(view.ci, None);
        // No human sessions at all.
        let ai_only = [Cluster {
            group: Group::Ai,
            events: 2,
            exposure: 10.0,
        }];
        let view = cluster_bootstrap(&ai_only, &BootstrapOptions::default()).unwrap();
        assert_eq!(view.verdict, Verdict::NoData);
        // Human events in one session only: some resamples have none (∞).
        let mut sparse = vec![Cluster {
            group: Group::Human,
            events: 1,
            exposure: 10.0,
        }];
        sparse.extend((0..9).map(|_| Cluster {
            group: Group::Human,
            events: 0,
            exposure: 10.0,
        }));
        sparse.extend((0..10).map(|_| Cluster {
            group: Group::Ai,
            events: 1,
            exposure: 10.0,
        }));
        let view = cluster_bootstrap(&sparse, &BootstrapOptions::default()).unwrap();
        assert_eq!(view.ci.unwrap().upper, f64::INFINITY);
        assert_eq!(view.undefined_resamples, 0);
        // Bad input.
        let bad = [Cluster {
            group: Group::Ai,
            events: 1,
            exposure: f64::NAN,
        }];
        assert!(cluster_bootstrap(&bad, &BootstrapOptions::default()).is_err());
        let zero_b = BootstrapOptions {
            resamples: 0,
            ..BootstrapOptions::default()
        };
        assert!(cluster_bootstrap(&sparse, &zero_b).is_err());
    }

    #[test]
    fn ten_thousand_sessions_are_fast() {
        let mut clusters = sessions(Group::Ai, 5_000, 5, 0.002);
        clusters.extend(sessions(Group::Human, 5_000, 6, 0.002));
        let start = std::time::Instant::now();
        let view = cluster_bootstrap(&clusters, &BootstrapOptions::default()).unwrap();
        let elapsed = start.elapsed();
        assert!(view.ci.is_some());
        // Generous bound for unoptimised test builds; release is ~10× faster.
        assert!(elapsed.as_secs_f64() < 2.0, "{elapsed:?}");
    }

    #[test]
    fn jeffreys_exact_matches_r_and_monte_carlo() {
        // R: x1 <- 12; n1 <- 4000; x2 <- 5; n2 <- 9000; p0 <- n1/(n1+n2)
        //    pbeta(p0, x1+0.5, x2+0.5, lower.tail = FALSE)
        //    q <- qbeta(c(0.025, 0.5, 0.975), x1+0.5, x2+0.5); q/(1-q)*n2/n1
        let (ai, human) = (Counts::new(12, 4000.0), Counts::new(5, 9000.0));
        let exact = jeffreys_posterior(ai, human, &BayesOptions::default())
            .unwrap()
            .unwrap();
        assert!(
            (exact.prob_ai_higher - JEFFREYS_P).abs() < 1e-12,
            "{}",
            exact.prob_ai_higher
        );
        assert!((exact.credible.lower / JEFFREYS_LO - 1.0).abs() < 1e-10);
        assert!((exact.median / JEFFREYS_MED - 1.0).abs() < 1e-10);
        assert!((exact.credible.upper / JEFFREYS_HI - 1.0).abs() < 1e-10);
        let mc = jeffreys_posterior_monte_carlo(ai, human, &BayesOptions::default())
            .unwrap()
            .unwrap();
        assert!((mc.prob_ai_higher - exact.prob_ai_higher).abs() < 0.005);
        assert!((mc.median / exact.median - 1.0).abs() < 0.03);
        assert!((mc.credible.lower / exact.credible.lower - 1.0).abs() < 0.05);
        assert!((mc.credible.upper / exact.credible.upper - 1.0).abs() < 0.08);
        assert_eq!(mc.draws, Some(20_000));
    }

    const JEFFREYS_P: f64 = 0.99964657859116191;
    const JEFFREYS_LO: f64 = 1.9972770587669568;
    const JEFFREYS_MED: f64 = 5.2948320241775484;
    const JEFFREYS_HI: f64 = 16.1674962283625803;

    #[test]
    fn jeffreys_zero_cases() {
        // No events anywhere: the posterior is still proper, centred on 1·n-ratio.
        let view = jeffreys_posterior(
            Counts::new(0, 100.0),
            Counts::new(0, 100.0),
            &BayesOptions::default(),
        )
        .unwrap()
        .unwrap();
        assert!((view.prob_ai_higher - 0.5).abs() < 1e-12);
        assert!((view.median - 1.0).abs() < 1e-12);
        assert!(view.credible.upper.is_finite());
        assert_eq!(
            jeffreys_posterior(
                Counts::new(0, 0.0),
                Counts::new(1, 100.0),
                &BayesOptions::default()
            )
            .unwrap(),
            None
        );
        assert!(
            jeffreys_posterior(
                Counts::new(1, 0.0),
                Counts::new(1, 100.0),
                &BayesOptions::default()
            )
            .is_err()
        );
    }
}
