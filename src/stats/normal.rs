//! The standard normal distribution: Φ and its inverse, for the
//! large-sample intervals (Greenland–Robins, Wilson, Newcombe, Katz) whose
//! half-width is a normal quantile times a standard error.
//!
//! Formulas: Φ(z) = ½ erfc(−z/√2) and erfc(t) = Q(½, t²) for t ≥ 0, the
//! regularized upper incomplete gamma function (Abramowitz & Stegun 7.1.2,
//! 6.5.17). The quantile Φ⁻¹(p) is Newton's method on Φ(z) − p started
//! from the Hastings rational approximation (A&S 26.2.23), matched on the
//! smaller tail so that extreme quantiles are accurate.

use super::gamma::inc_gamma_tails;

/// Φ(z), the standard normal CDF (R: `pnorm(z)`).
pub fn normal_cdf(z: f64) -> Option<f64> {
    normal_tails(z).map(|(lower, _)| lower)
}

/// (Φ(z), 1 − Φ(z)), each computed directly from erfc.
fn normal_tails(z: f64) -> Option<(f64, f64)> {
    if z.is_nan() {
        return None;
    }
    let (_, erfc) = inc_gamma_tails(0.5, z * z / 2.0)?;
    let small = 0.5 * erfc;
    Some(if z < 0.0 {
        (small, 1.0 - small)
    } else {
        (1.0 - small, small)
    })
}

/// Φ⁻¹(p), the standard normal quantile (R: `qnorm(p)`), for 0 < p < 1.
pub fn normal_quantile(p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    if p == 0.5 {
        return Some(0.0);
    }
    let q = 1.0 - p;
    let tail = p.min(q);
    // Hastings' approximation of the upper quantile for the smaller tail.
    let t = (-2.0 * tail.ln()).sqrt();
    let mut upper = t
        - (2.515_517 + t * (0.802_853 + t * 0.010_328))
            / (1.0 + t * (1.432_788 + t * (0.189_269 + t * 0.001_308)));
    // Newton on the upper tail 1 − Φ(z) = tail, z ≥ 0.
    for _ in 0..100 {
        let (_, sf) = normal_tails(upper)?;
        let density = (-0.5 * upper * upper).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let step = (sf - tail) / density;
        upper += step;
        if step.abs() <= 1e-15 * upper.abs().max(1.0) {
            break;
        }
    }
    Some(if p < 0.5 { -upper } else { upper })
}

/// The two-sided critical value z with P(|Z| > z) = 1 − confidence.
pub(crate) fn two_sided_z(confidence: f64) -> Option<f64> {
    normal_quantile(1.0 - (1.0 - confidence) / 2.0)
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // expected values as R prints them
mod tests {
    use super::*;

    #[test]
    fn matches_r() {
        // R: qnorm(c(0.975, 1e-10, 0.3))
        assert!((normal_quantile(0.975).unwrap() - 1.95996398454005360534).abs() < 1e-13);
        assert!((normal_quantile(1e-10).unwrap() + 6.36134090240405569716).abs() < 1e-12);
        assert!((normal_quantile(0.3).unwrap() + 0.52440051270804066696).abs() < 1e-13);
        assert_eq!(normal_quantile(0.5), Some(0.0));
        // R: pnorm(c(-3.1, 1.2))
        assert!((normal_cdf(-3.1).unwrap() / 0.00096760321321835631 - 1.0).abs() < 1e-12);
        assert!((normal_cdf(1.2).unwrap() - 0.88493032977829177987).abs() < 1e-14);
        assert_eq!(normal_quantile(0.0), None);
        assert_eq!(normal_quantile(1.0), None);
        assert_eq!(normal_cdf(f64::NAN), None);
    }
}
