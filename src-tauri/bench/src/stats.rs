//! Medians, percentiles and spreads of timings and ratios.

use std::time::Duration;

/// A value with its spread: the median and the lowest and highest observation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Spread {
    pub median: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Spread {
    pub fn of(values: &[f64]) -> Spread {
        assert!(!values.is_empty(), "a spread of nothing");
        let sorted = sorted(values);
        Spread {
            median: percentile_sorted(&sorted, 50.0),
            lo: sorted[0],
            hi: sorted[sorted.len() - 1],
        }
    }
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("no NaN timings"));
    sorted
}

/// The `p`th percentile (0..=100), interpolating between neighbours.
fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    let rank = p / 100.0 * (sorted.len() - 1) as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let weight = rank - below as f64;
    sorted[below] * (1.0 - weight) + sorted[above] * weight
}

pub fn percentile(values: &[f64], p: f64) -> f64 {
    assert!(!values.is_empty(), "a percentile of nothing");
    percentile_sorted(&sorted(values), p)
}

pub fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

pub fn mean(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "a mean of nothing");
    values.iter().sum::<f64>() / values.len() as f64
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A time in milliseconds, readably: `0.123 ms`, `12.3 ms`, `1.23 s`.
pub fn show_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else if ms >= 1.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.3} ms")
    }
}

/// A rate: `12,345/s`.
pub fn show_rate(per_second: f64) -> String {
    format!("{}/s", thousands(per_second.round() as i64))
}

pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_percentiles_and_spreads() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((percentile(&hundred, 99.0) - 99.01).abs() < 1e-9);
        assert_eq!(percentile(&hundred, 0.0), 1.0);
        assert_eq!(percentile(&hundred, 100.0), 100.0);
        assert_eq!(
            Spread::of(&[5.0, 1.0, 3.0]),
            Spread {
                median: 3.0,
                lo: 1.0,
                hi: 5.0
            }
        );
        assert_eq!(mean(&[1.0, 2.0, 6.0]), 3.0);
    }

    #[test]
    fn readable_numbers() {
        assert_eq!(show_ms(0.1234), "0.123 ms");
        assert_eq!(show_ms(1.234), "1.23 ms");
        assert_eq!(show_ms(12.34), "12.3 ms");
        assert_eq!(show_ms(1234.0), "1.23 s");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(show_rate(12345.4), "12,345/s");
    }
}
