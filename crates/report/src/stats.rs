//! Mean, sample standard deviation and 95% confidence interval over seeds.

/// Two-sided 97.5% quantiles of Student's t for 1 to 30 degrees of freedom (any statistics
/// table; e.g. `scipy.stats.t.ppf(0.975, dof)` rounded to 3 decimals).
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The 97.5% quantile of Student's t with `dof` degrees of freedom (>= 1). Between table
/// entries it takes the lower entry's dof, which widens the interval slightly.
pub fn t975(dof: usize) -> f64 {
    match dof {
        0 => f64::NAN,
        1..=30 => T975[dof - 1],
        31..=39 => T975[29],
        40..=59 => 2.021,
        60..=119 => 2.000,
        120..=999 => 1.980,
        _ => 1.960,
    }
}

/// Statistics of the finite values of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Finite values counted.
    pub n: usize,
    /// Their mean (NaN when `n == 0`).
    pub mean: f64,
    /// Their sample standard deviation (n - 1 in the denominator; NaN when `n < 2`).
    pub std: f64,
    /// Half-width of the 95% confidence interval of the mean, `t975(n - 1) * std / sqrt(n)`
    /// (NaN when `n < 2`).
    pub ci95: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// Summarises the finite values among `values`; NaN and infinities are left out (the
    /// caller counts them as diverged).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let finite: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        let n = finite.len();
        let mean = if n == 0 {
            f64::NAN
        } else {
            finite.iter().sum::<f64>() / n as f64
        };
        let (std, ci95) = if n < 2 {
            (f64::NAN, f64::NAN)
        } else {
            let var = finite.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let std = var.sqrt();
            (std, t975(n - 1) * std / (n as f64).sqrt())
        };
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Self {
            n,
            mean,
            std,
            ci95,
            min,
            max,
        }
    }
}

/// The plain mean of `values`, NaN included (a NaN makes the mean NaN).
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// A number for tables: 3 significant decimals, `-` for NaN.
pub fn fmt(value: f64) -> String {
    if value.is_nan() {
        "-".into()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.into()
    } else if value != 0.0 && (value.abs() < 1e-3 || value.abs() >= 1e5) {
        format!("{value:.3e}")
    } else {
        let text = format!("{value:.4}");
        let text = text.trim_end_matches('0');
        text.trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci95_by_hand() {
        // [0.95, 0.97, 0.99]: mean 0.97, deviations -0.02, 0, 0.02,
        // var = (0.0004 + 0 + 0.0004) / 2 = 0.0004, std = 0.02,
        // ci95 = t(0.975, 2) * 0.02 / sqrt(3) = 4.303 * 0.02 / 1.7320508 = 0.0496873.
        let s = Summary::of([0.95, 0.97, 0.99, f64::NAN]);
        assert_eq!(s.n, 3);
        assert!((s.mean - 0.97).abs() < 1e-12);
        assert!((s.std - 0.02).abs() < 1e-12);
        assert!((s.ci95 - 0.049_687_3).abs() < 1e-6, "{}", s.ci95);
        assert_eq!((s.min, s.max), (0.95, 0.99));
        // n = 5, values 1..5: mean 3, std sqrt(2.5) = 1.5811388,
        // ci95 = 2.776 * 1.5811388 / sqrt(5) = 4.3892413 / 2.2360680 = 1.9629284.
        let s = Summary::of([1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!((s.ci95 - 1.962_928_4).abs() < 1e-6, "{}", s.ci95);
    }

    #[test]
    fn small_samples_and_quantiles() {
        let one = Summary::of([0.5]);
        assert_eq!((one.n, one.mean), (1, 0.5));
        assert!(one.std.is_nan() && one.ci95.is_nan());
        assert!(Summary::of([]).mean.is_nan());
        assert_eq!(t975(1), 12.706);
        assert_eq!(t975(35), 2.042);
        assert_eq!(t975(5000), 1.960);
        assert_eq!(fmt(0.991_23), "0.9912");
        assert_eq!(fmt(2.0), "2");
        assert_eq!(fmt(f64::NAN), "-");
    }
}
