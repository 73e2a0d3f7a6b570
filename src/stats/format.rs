//! How numbers appear in verdict sentences, so every sentence rounds the
//! same way and never prints more precision than the data carry.
//!
//! Rules: ratios to two significant digits ("3.2", "0.53", "12"), three
//! when two would print a bound as "1.0" that is not exactly 1 (so an
//! interval that excludes 1 never reads as if it touched it); p-values to
//! two decimals from 0.1 up, two significant digits below, and
//! "p < 0.001" under that; infinity as "∞".

use super::Interval;

/// `x` rounded to `digits` significant digits.
fn round_significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let magnitude = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits - 1 - magnitude);
    (x * scale).round() / scale
}

/// `x` with `digits` significant digits, as text (no exponent notation).
pub fn significant(x: f64, digits: i32) -> String {
    if x.is_nan() {
        return "n/a".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞" } else { "−∞" }.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let r = round_significant(x, digits);
    let magnitude = r.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    format!("{r:.decimals$}")
}

/// A ratio for a sentence: two significant digits, three near 1.
pub fn ratio(x: f64) -> String {
    let two = significant(x, 2);
    if x != 1.0 && x.is_finite() && round_significant(x, 2) == 1.0 {
        significant(x, 3)
    } else {
        two
    }
}

/// "a–b" with [`ratio`] rounding.
pub fn ratio_interval(i: Interval) -> String {
    format!("{}–{}", ratio(i.lower), ratio(i.upper))
}

/// "p = 0.03", "p = 0.52", "p < 0.001", "p = 1".
pub fn p_value(p: f64) -> String {
    if p.is_nan() {
        "p = n/a".to_string()
    } else if p >= 1.0 {
        "p = 1".to_string()
    } else if p >= 0.995 {
        "p > 0.99".to_string()
    } else if p >= 0.1 {
        format!("p = {p:.2}")
    } else if p >= 0.001 {
        format!("p = {}", significant(p, 2))
    } else {
        "p < 0.001".to_string()
    }
}

/// A confidence level as a percentage: 0.95 → "95%", 0.995 → "99.5%".
pub fn level(confidence: f64) -> String {
    let pct = confidence * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{}%", pct.round())
    } else {
        format!("{}%", significant(pct, 3))
    }
}

/// A share as a percentage with two significant digits: 0.0412 → "4.1%".
pub fn percent(share: f64) -> String {
    format!("{}%", significant(share * 100.0, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios() {
        assert_eq!(ratio(3.2449), "3.2");
        assert_eq!(ratio(9.4), "9.4");
        assert_eq!(ratio(4.0), "4.0");
        assert_eq!(ratio(0.5), "0.50");
        assert_eq!(ratio(0.0312), "0.031");
        assert_eq!(ratio(12.4), "12");
        assert_eq!(ratio(143.0), "140");
        assert_eq!(ratio(9.96), "10");
        assert_eq!(ratio(1.04), "1.04");
        assert_eq!(ratio(0.996), "0.996");
        assert_eq!(ratio(1.0), "1.0");
        assert_eq!(ratio(0.0), "0");
        assert_eq!(ratio(f64::INFINITY), "∞");
        assert_eq!(
            ratio_interval(Interval {
                lower: 1.1,
                upper: 9.38
            }),
            "1.1–9.4"
        );
    }

    #[test]
    fn p_values() {
        assert_eq!(p_value(0.0312), "p = 0.031");
        assert_eq!(p_value(0.523), "p = 0.52");
        assert_eq!(p_value(0.0008), "p < 0.001");
        assert_eq!(p_value(1.0), "p = 1");
        assert_eq!(p_value(0.997), "p > 0.99");
        assert_eq!(p_value(0.0049), "p = 0.0049");
    }

    #[test]
    fn levels_and_percents() {
        assert_eq!(level(0.95), "95%");
        assert_eq!(level(0.995), "99.5%");
        assert_eq!(percent(0.0412), "4.1%");
        assert_eq!(percent(0.5), "50%");
    }
}
