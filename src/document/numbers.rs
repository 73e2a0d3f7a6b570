//! Numbers as people read them, and axes with round ticks.
//!
//! Every renderer formats cells through [`cell_text`], so a number reads the
//! same in HTML, Markdown and the terminal: thousands separators, a fixed
//! number of decimals, `∞` for an unbounded value and `–` for none. Chart
//! axes step by 1, 2 or 5 times a power of ten and are computed from
//! integers, so a tick is exactly `0.3`, never `0.30000000000000004`.

use super::model::Cell;

/// Shown for a missing or undefined number.
pub const NONE: &str = "–";

/// `1234567` → `1,234,567`.
pub fn int(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}", group(&digits))
}

/// Thousands separators in a run of ASCII digits.
fn group(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `precision` decimals (at most 9) with thousands separators; `∞`, `-∞`
/// and [`NONE`] for non-finite values.
pub fn fixed(v: f64, precision: u8) -> String {
    if v.is_nan() {
        return NONE.to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞" } else { "-∞" }.to_string();
    }
    let p = usize::from(precision.min(9));
    let text = format!("{:.*}", p, v.abs());
    let (whole, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let zero = text.chars().all(|c| c == '0' || c == '.');
    let sign = if v < 0.0 && !zero { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{}", group(whole))
    } else {
        format!("{sign}{}.{frac}", group(whole))
    }
}

/// A share: 0.625 with precision 1 → `62.5%`.
pub fn percent(ratio: f64, precision: u8) -> String {
    if ratio.is_finite() {
        format!("{}%", fixed(ratio * 100.0, precision))
    } else {
        fixed(ratio, precision)
    }
}

/// A ratio or rate with about three significant digits: `0`, `0.0034`,
/// `0.42`, `2.41`, `13.5`, `250`, `∞`.
pub fn ratio(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return fixed(v, 0);
    }
    let a = v.abs();
    let decimals = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 0.1 {
        2
    } else {
        // two significant digits
        (1 - a.log10().floor() as i32).clamp(0, 9) as u8
    };
    fixed(v, decimals)
}

/// A chart value: whole numbers with separators, others as [`ratio`].
pub fn ratio_or_int(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9e15 {
        int(v as i64)
    } else {
        ratio(v)
    }
}

/// What a cell shows, before escaping for a format.
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text { text } => text.clone(),
        Cell::Number { value, precision } => fixed(*value, *precision),
        Cell::Integer { value } => int(*value),
        Cell::Percent { ratio, precision } => percent(*ratio, *precision),
        Cell::Link { text, .. } => text.clone(),
        Cell::Empty => NONE.to_string(),
    }
}

/// A finite number, or 0.
pub fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

/// A tick value `k × 10^e`, computed so decimal ticks are the nearest double.
fn tick_value(k: i64, e: i32) -> f64 {
    if e >= 0 {
        k as f64 * 10f64.powi(e)
    } else {
        k as f64 / 10f64.powi(-e)
    }
}

/// A linear axis from `min` to `max` (both ticks) with round ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub ticks: Vec<f64>,
    pub min: f64,
    pub max: f64,
    /// The tick step is `m × 10^exp`, m ∈ {1, 2, 5}.
    exp: i32,
    /// Compact unit for labels: 1, 1e3 (k), 1e6 (M), 1e9 (B), 1e12 (T).
    unit_exp: i32,
}

impl Axis {
    /// Round ticks covering `lo..=hi`, about `target` intervals. Non-finite
    /// input counts as 0; an empty range becomes `0..1` (or `0..hi`).
    pub fn linear(lo: f64, hi: f64, target: usize) -> Axis {
        let (mut lo, mut hi) = (finite_or_zero(lo), finite_or_zero(hi));
        if lo > hi {
            std::mem::swap(&mut lo, &mut hi);
        }
        if lo == hi {
            if lo == 0.0 {
                hi = 1.0;
            } else if lo > 0.0 {
                lo = 0.0;
            } else {
                hi = 0.0;
            }
        }
        let raw = (hi - lo) / target.max(1) as f64;
        let mut e = raw.log10().floor() as i32;
        let f = raw / 10f64.powi(e);
        let m = if f <= 1.0 + 1e-9 {
            1
        } else if f <= 2.0 + 1e-9 {
            2
        } else if f <= 5.0 + 1e-9 {
            5
        } else {
            e += 1;
            1
        };
        let step = tick_value(m, e);
        let i_lo = (lo / step + 1e-9).floor() as i64;
        let i_hi = (hi / step - 1e-9).ceil() as i64;
        let ticks: Vec<f64> = if i_hi.saturating_sub(i_lo) > 100 {
            vec![lo, hi] // only for absurd input (spans near f64's limits)
        } else {
            (i_lo..=i_hi).map(|i| tick_value(i * m, e)).collect()
        };
        let min = ticks.first().copied().unwrap_or(lo);
        let max = ticks.last().copied().unwrap_or(hi);
        let top = min.abs().max(max.abs());
        let unit_exp = if top >= 1e12 {
            12
        } else if top >= 1e9 {
            9
        } else if top >= 1e6 {
            6
        } else if top >= 1e4 {
            3
        } else {
            0
        };
        Axis {
            ticks,
            min,
            max,
            exp: e,
            unit_exp,
        }
    }

    /// Where `v` falls, 0 at `min` and 1 at `max` (clamped).
    pub fn fraction(&self, v: f64) -> f64 {
        let span = self.max - self.min;
        if span > 0.0 && v.is_finite() {
            ((v - self.min) / span).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// A tick label with as many decimals as the step needs: `0.5`, `2,000`,
    /// `15k`, `0.4B`.
    pub fn label(&self, v: f64) -> String {
        let suffix = match self.unit_exp {
            12 => "T",
            9 => "B",
            6 => "M",
            3 => "k",
            _ => "",
        };
        let decimals = (self.unit_exp - self.exp).clamp(0, 9) as u8;
        let scaled = v / 10f64.powi(self.unit_exp);
        if scaled == 0.0 {
            return "0".to_string();
        }
        format!("{}{suffix}", fixed(scaled, decimals))
    }
}

/// Round ticks for a log axis over `lo..=hi` (both > 0): 1, 2 and 5 times
/// powers of ten, or only powers of ten (every few) when that would be
/// more than nine ticks. The first and last ticks bound the axis.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && lo > 0.0 && hi >= lo {
        (lo, hi)
    } else {
        (1.0, 1.0)
    };
    // one value: a decade either side
    let (lo, hi) = if hi <= lo * (1.0 + 1e-9) {
        (lo / 10.0, hi * 10.0)
    } else {
        (lo, hi)
    };
    let e_lo = lo.log10().floor() as i32;
    let e_hi = hi.log10().ceil() as i32;
    let mut all = Vec::new();
    for e in e_lo..=e_hi {
        for m in [1, 2, 5] {
            all.push(tick_value(m, e));
        }
    }
    let first = all
        .iter()
        .rposition(|&t| t <= lo * (1.0 + 1e-9))
        .unwrap_or(0);
    let last = all
        .iter()
        .position(|&t| t >= hi * (1.0 - 1e-9))
        .unwrap_or(all.len() - 1);
    let ticks: Vec<f64> = all[first..=last.max(first)].to_vec();
    if ticks.len() <= 9 {
        return ticks;
    }
    let decades = (e_hi - e_lo).max(1);
    let every = (decades + 7) / 8;
    (0..)
        .map(|i| e_lo + i * every)
        .take_while(|&e| e < e_hi + every)
        .map(|e| tick_value(1, e))
        .collect()
}

/// A log-axis tick label: `0.05`, `0.5`, `1`, `20`, `1,000`.
pub fn log_label(v: f64) -> String {
    if !(v.is_finite() && v > 0.0) {
        return fixed(v, 0);
    }
    let decimals = (-(v.log10().floor() as i32)).clamp(0, 9) as u8;
    if v >= 1e6 {
        return Axis::linear(0.0, v, 1).label(v);
    }
    fixed(v, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_numbers() {
        assert_eq!(int(0), "0");
        assert_eq!(int(9076), "9,076");
        assert_eq!(int(-1_234_567), "-1,234,567");
        assert_eq!(int(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(fixed(1234.5678, 2), "1,234.57");
        assert_eq!(fixed(-0.001, 1), "0.0");
        assert_eq!(fixed(f64::INFINITY, 2), "∞");
        assert_eq!(fixed(f64::NAN, 2), "–");
        assert_eq!(fixed(1e9, 0), "1,000,000,000");
        assert_eq!(percent(0.625, 1), "62.5%");
        assert_eq!(ratio(2.4137), "2.41");
        assert_eq!(ratio(0.003_41), "0.0034");
        assert_eq!(ratio(13.46), "13.5");
        assert_eq!(ratio(0.0), "0");
        assert_eq!(ratio(f64::INFINITY), "∞");
    }

    fn is_round(step: f64) -> bool {
        let e = step.log10().floor();
        let m = step / 10f64.powf(e);
        [1.0, 2.0, 5.0, 10.0].iter().any(|r| (m - r).abs() < 1e-9)
    }

    #[test]
    fn linear_ticks_are_round() {
        assert_eq!(
            Axis::linear(0.0, 937.0, 5).ticks,
            vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]
        );
        assert_eq!(
            Axis::linear(0.0, 1.0, 5).ticks,
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
        assert_eq!(Axis::linear(0.0, 0.3, 3).ticks, vec![0.0, 0.1, 0.2, 0.3]);
        assert_eq!(Axis::linear(0.0, 0.0, 5).ticks.last(), Some(&1.0));
        assert_eq!(
            Axis::linear(0.0, 7.0, 5).ticks,
            vec![0.0, 2.0, 4.0, 6.0, 8.0]
        );
        let big = Axis::linear(0.0, 1e9, 5);
        assert_eq!(big.ticks.last(), Some(&1e9));
        let labels: Vec<String> = big.ticks.iter().map(|&t| big.label(t)).collect();
        assert_eq!(labels, ["0", "0.2B", "0.4B", "0.6B", "0.8B", "1.0B"]);
        let k = Axis::linear(0.0, 18_500.0, 5);
        assert_eq!(k.label(15_000.0), "15k");
        assert_eq!(Axis::linear(0.0, 5000.0, 5).label(4000.0), "4,000");
        for max in [
            1.0, 3.0, 7.5, 12.0, 99.0, 101.0, 555.0, 12_345.0, 9.9e8, 1e9, 3.3e10,
        ] {
            let a = Axis::linear(0.0, max, 5);
            assert_eq!(a.ticks[0], 0.0);
            assert!(
                a.max >= max && a.ticks.len() >= 3 && a.ticks.len() <= 11,
                "{max}: {a:?}"
            );
            let step = a.ticks[1] - a.ticks[0];
            assert!(is_round(step), "{max}: step {step}");
            for w in a.ticks.windows(2) {
                assert!(((w[1] - w[0]) - step).abs() <= step * 1e-9, "{max}: {a:?}");
            }
            for &t in &a.ticks {
                assert!(!a.label(t).contains("000000"), "{}", a.label(t));
            }
        }
    }

    #[test]
    fn log_ticks_are_round_and_cover_the_range() {
        assert_eq!(log_ticks(0.3, 4.1), vec![0.2, 0.5, 1.0, 2.0, 5.0]);
        assert_eq!(
            log_ticks(1.0, 1.0),
            vec![0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
        );
        let wide = log_ticks(0.001, 1e6);
        assert!(
            wide.len() <= 9 && wide[0] <= 0.001 && *wide.last().unwrap() >= 1e6,
            "{wide:?}"
        );
        for t in wide {
            assert!(is_round(t), "{t}");
        }
        assert_eq!(log_label(0.05), "0.05");
        assert_eq!(log_label(20.0), "20");
        assert_eq!(log_label(1000.0), "1,000");
    }
}
