//! Hyperparameter importance: each swept key's main-effect share of a metric's variance.
//!
//! The share of key `k` is `sum over its values v of n_v (mean_v - mean)^2`, divided by
//! `sum over runs of (x - mean)^2`: the fraction of the variance across runs that the key's
//! value alone explains (the first-order term of a functional ANOVA, which Optuna's fANOVA
//! estimates with a random forest; on a full grid of swept values it is exact here). What is
//! left, `1 - sum of shares` on a full grid, is interactions between keys and seed noise.

/// The share of each key (by position in each observation's levels) over `observations`
/// (levels, value); zeros when the values do not vary.
pub fn main_effect_shares(observations: &[(Vec<&str>, f64)]) -> Vec<f64> {
    let keys = observations.first().map_or(0, |(levels, _)| levels.len());
    let n = observations.len() as f64;
    let mean = observations.iter().map(|(_, x)| x).sum::<f64>() / n;
    let total: f64 = observations.iter().map(|(_, x)| (x - mean).powi(2)).sum();
    (0..keys)
        .map(|k| {
            if total <= 0.0 {
                return 0.0;
            }
            let mut by_level: Vec<(&str, f64, f64)> = Vec::new(); // level, count, sum
            for (levels, x) in observations {
                match by_level.iter_mut().find(|(l, _, _)| *l == levels[k]) {
                    Some(entry) => {
                        entry.1 += 1.0;
                        entry.2 += x;
                    }
                    None => by_level.push((levels[k], 1.0, *x)),
                }
            }
            let between: f64 = by_level
                .iter()
                .map(|(_, count, sum)| count * (sum / count - mean).powi(2))
                .sum();
            between / total
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_that_decides_everything_explains_everything() {
        // x depends on the first key only; the second is noise-free and irrelevant.
        let obs = vec![
            (vec!["a", "u"], 1.0),
            (vec!["a", "v"], 1.0),
            (vec!["b", "u"], 3.0),
            (vec!["b", "v"], 3.0),
        ];
        assert_eq!(main_effect_shares(&obs), vec![1.0, 0.0]);
    }

    #[test]
    fn additive_effects_split_the_variance_by_their_size() {
        // x = 2 [first = b] + 1 [second = v] on a full 2x2 grid: variances 1 and 0.25.
        let obs = vec![
            (vec!["a", "u"], 0.0),
            (vec!["a", "v"], 1.0),
            (vec!["b", "u"], 2.0),
            (vec!["b", "v"], 3.0),
        ];
        let shares = main_effect_shares(&obs);
        assert!((shares[0] - 0.8).abs() < 1e-12 && (shares[1] - 0.2).abs() < 1e-12);
    }

    #[test]
    fn constant_values_give_no_importance() {
        let obs = vec![(vec!["a"], 0.5), (vec!["b"], 0.5)];
        assert_eq!(main_effect_shares(&obs), vec![0.0]);
    }
}
