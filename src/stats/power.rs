//! The smallest difference a comparison of this size could detect, so that
//! "the data cannot tell" comes with how much it could have told: "at this
//! exposure only a ratio of about 3.5× or more would likely show".
//!
//! Model: the human rate is taken to be the pooled rate λ₀ = (x₁+x₂)/(n₁+n₂)
//! observed, and the AI rate r·λ₀, so X₁ ~ Poisson(r λ₀ n₁) and
//! X₂ ~ Poisson(λ₀ n₂) independently. The power of the exact conditional
//! test of [`super::rates`] at level α is
//!   power(r) = Σ_{x₂} P(X₂ = x₂) · [P(X₁ ≥ u(x₂)) + P(X₁ ≤ l(x₂))],
//! where u(x₂) and l(x₂) are the first x₁ above, and the last below, the
//! null expectation at which the test rejects; they do not depend on r, so
//! each is found once (by doubling then bisection) and every power(r) is
//! just Poisson tails (incomplete gamma). The minimum detectable ratio is
//! the r > 1 with power(r) equal to the requested power, by bisection on
//! ln r. When the human count is large (its Poisson range spans more than
//! a few thousand values) the normal approximation of ln RR̂ is used
//! instead: ln r = (z_{1−α/2} + z_power) · √(1/(λ₀n₁r) + 1/(λ₀n₂)).
//! It is one-sided in spirit (the claim examined is "AI causes more"); the
//! symmetric "fewer" bound is the same computation with the groups swapped.

use std::collections::HashMap;

use super::beta::binom_test_pq;
use super::gamma::inc_gamma_tails;
use super::normal::normal_quantile;
use super::{Counts, alpha_of};

/// Largest ratio searched; beyond it the comparison detects nothing useful.
const MAX_RATIO: f64 = 1e6;
/// Poisson range above which the normal approximation is used.
const MAX_EXACT_SPAN: f64 = 1_000.0;

/// The smallest AI/human rate ratio above 1 that this exposure would detect
/// with probability `power` (e.g. 0.8) at `confidence` (e.g. 0.95), given
/// the pooled rate. `None` when there are no events or no exposure, when
/// the arguments are out of range, or when no ratio up to 10⁶ would do.
pub fn min_detectable_ratio(ai: Counts, human: Counts, confidence: f64, power: f64) -> Option<f64> {
    let alpha = alpha_of(confidence).ok()?;
    min_detectable_ratio_alpha(ai, human, alpha, power)
}

pub(crate) fn min_detectable_ratio_alpha(
    ai: Counts,
    human: Counts,
    alpha: f64,
    power: f64,
) -> Option<f64> {
    let (n1, n2) = (ai.exposure, human.exposure);
    if !(power > 0.0 && power < 1.0 && alpha > 0.0 && alpha < 1.0) {
        return None;
    }
    if !(n1 > 0.0 && n2 > 0.0 && n1.is_finite() && n2.is_finite()) {
        return None;
    }
    let pooled = (ai.events + human.events) as f64 / (n1 + n2);
    if pooled <= 0.0 {
        return None;
    }
    let mu2 = pooled * n2;
    let span = 20.0 * mu2.sqrt() + 20.0;
    if span > MAX_EXACT_SPAN {
        return normal_approximation(pooled * n1, mu2, alpha, power);
    }
    let mut regions = Regions::new(n1, n2, alpha);
    let power_at = |r: f64, regions: &mut Regions| exact_power(r * pooled * n1, mu2, regions);
    if power_at(MAX_RATIO, &mut regions)? < power {
        return None;
    }
    let (mut lo, mut hi) = (0.0_f64, MAX_RATIO.ln());
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if power_at(mid.exp(), &mut regions)? >= power {
            hi = mid;
        } else {
            lo = mid;
        }
        if hi - lo < 1e-4 {
            break;
        }
    }
    Some(hi.exp())
}

/// The rejection boundaries of the exact conditional test for each human
/// count x₂, found lazily and kept for every r tried.
struct Regions {
    p0: f64,
    q0: f64,
    alpha: f64,
    cache: HashMap<u64, (Option<u64>, Option<u64>)>,
}

impl Regions {
    fn new(n1: f64, n2: f64, alpha: f64) -> Regions {
        Regions {
            p0: n1 / (n1 + n2),
            q0: n2 / (n1 + n2),
            alpha,
            cache: HashMap::new(),
        }
    }

    fn rejects(&self, x1: u64, x2: u64) -> Option<bool> {
        Some(binom_test_pq(x1, x1 + x2, self.p0, self.q0)? <= self.alpha)
    }

    /// (l, u): the last x₁ below and the first above the null expectation
    /// x₂·p₀/q₀ at which the test rejects, each `None` if there is none.
    fn bounds(&mut self, x2: u64) -> Option<(Option<u64>, Option<u64>)> {
        if let Some(&b) = self.cache.get(&x2) {
            return Some(b);
        }
        let expected = x2 as f64 * self.p0 / self.q0;
        // Upper: double until rejecting, then bisect.
        let start = expected.floor() as u64 + 1;
        let mut hi = start.max(1);
        let mut steps = 0;
        while !self.rejects(hi, x2)? {
            hi = hi.saturating_mul(2);
            steps += 1;
            if steps > 60 {
                return None;
            }
        }
        let mut lo = start;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.rejects(mid, x2)? {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let upper = Some(hi);
        // Lower: the rejecting x₁ below the expectation form a prefix [0, l].
        let below_end = if expected.fract() == 0.0 && expected > 0.0 {
            expected as u64 - 1
        } else {
            expected.floor() as u64
        };
        let lower = if expected > 0.0 && self.rejects(0, x2)? {
            let (mut a, mut b) = (0u64, below_end);
            while a < b {
                let mid = a + (b - a).div_ceil(2);
                if self.rejects(mid, x2)? {
                    a = mid;
                } else {
                    b = mid - 1;
                }
            }
            Some(a)
        } else {
            None
        };
        self.cache.insert(x2, (lower, upper));
        Some((lower, upper))
    }
}

/// Poisson pmf e^{−μ} μ^k / k!.
fn poisson_pmf(k: u64, mu: f64) -> f64 {
    let kf = k as f64;
    (kf * mu.ln() - mu - super::beta::ln_gamma_pos(kf + 1.0)).exp()
}

/// Power of the exact conditional test with X₁ ~ Pois(μ₁), X₂ ~ Pois(μ₂).
fn exact_power(mu1: f64, mu2: f64, regions: &mut Regions) -> Option<f64> {
    let sd = mu2.sqrt();
    let from = (mu2 - 10.0 * sd - 10.0).max(0.0).floor() as u64;
    let to = (mu2 + 10.0 * sd + 10.0).ceil() as u64;
    let mut total = 0.0;
    for x2 in from..=to {
        let weight = poisson_pmf(x2, mu2);
        if weight == 0.0 {
            continue;
        }
        let (lower, upper) = regions.bounds(x2)?;
        let mut reject = 0.0;
        if let Some(u) = upper {
            // P(X₁ ≥ u) = P(u, μ₁), the lower regularized gamma.
            reject += if u == 0 {
                1.0
            } else {
                inc_gamma_tails(u as f64, mu1)?.0
            };
        }
        if let Some(l) = lower {
            // P(X₁ ≤ l) = Q(l+1, μ₁).
            reject += inc_gamma_tails((l + 1) as f64, mu1)?.1;
        }
        total += weight * reject;
    }
    Some(total.min(1.0))
}

fn normal_approximation(unit1: f64, mu2: f64, alpha: f64, power: f64) -> Option<f64> {
    let z = normal_quantile(1.0 - alpha / 2.0)? + normal_quantile(power)?;
    // Fixed point of ln r = z √(1/(unit1·r) + 1/μ₂), increasing in 1/r.
    let mut r: f64 = 1.0;
    for _ in 0..200 {
        let next = (z * (1.0 / (unit1 * r) + 1.0 / mu2).sqrt()).exp();
        if (next - r).abs() < 1e-10 * r {
            return Some(next);
        }
        r = next;
    }
    Some(r).filter(|r| r.is_finite())
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // expected values as R prints them
mod tests {
    use super::*;

    #[test]
    fn more_exposure_detects_smaller_ratios() {
        let small = min_detectable_ratio(Counts::new(7, 1000.0), Counts::new(3, 1000.0), 0.95, 0.8)
            .unwrap();
        let large = min_detectable_ratio(
            Counts::new(70, 10_000.0),
            Counts::new(30, 10_000.0),
            0.95,
            0.8,
        )
        .unwrap();
        let huge = min_detectable_ratio(
            Counts::new(7_000, 1_000_000.0),
            Counts::new(3_000, 1_000_000.0),
            0.95,
            0.8,
        )
        .unwrap();
        assert!(
            small > large && large > huge && huge > 1.0,
            "{small} {large} {huge}"
        );
        // The normal approximation for large counts: with 5,000 expected
        // events a side, ln r ≈ 2.80 · √(2/5000) ≈ 0.056.
        assert!((huge.ln() - 2.8016 * (1.0 / 5000.0 + 1.0 / (5000.0 * huge)).sqrt()).abs() < 1e-3);
    }

    #[test]
    fn power_at_the_detectable_ratio_is_as_requested() {
        // Simulation-free check: recompute the power at the answer.
        let (ai, human) = (Counts::new(4, 2000.0), Counts::new(6, 3000.0));
        let r = min_detectable_ratio(ai, human, 0.95, 0.8).unwrap();
        let pooled = 10.0 / 5000.0;
        let mut regions = Regions::new(2000.0, 3000.0, 0.05);
        let at = exact_power(r * pooled * 2000.0, pooled * 3000.0, &mut regions).unwrap();
        assert!((at - 0.8).abs() < 0.01, "{at}");
        let below = exact_power(0.9 * r * pooled * 2000.0, pooled * 3000.0, &mut regions).unwrap();
        assert!(below < 0.8);
        // At r = 1 the rejection probability is at most α.
        let null = exact_power(pooled * 2000.0, pooled * 3000.0, &mut regions).unwrap();
        assert!(null <= 0.05 + 1e-9, "{null}");
    }

    #[test]
    fn nothing_to_base_it_on() {
        assert_eq!(
            min_detectable_ratio(Counts::new(0, 10.0), Counts::new(0, 10.0), 0.95, 0.8),
            None
        );
        assert_eq!(
            min_detectable_ratio(Counts::new(0, 0.0), Counts::new(3, 10.0), 0.95, 0.8),
            None
        );
        assert_eq!(
            min_detectable_ratio(Counts::new(1, 1.0), Counts::new(3, 10.0), 1.5, 0.8),
            None
        );
    }
}
