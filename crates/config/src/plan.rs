//! The runs of a study: every cell times every seed, each with a stable id.

use sha2::{Digest, Sha256};

use crate::study::Study;

/// One training of a study.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Its id: the first 12 hex digits of SHA-256 over the cell's identity and the seed.
    pub run_id: String,
    /// Index of its cell in the study.
    pub cell: usize,
    /// The run's seed: data, initial weights and batch order derive from it. The same seed in
    /// two cells gives the same data and initial weights, so cells are compared on equal terms.
    pub seed: u64,
}

/// A `K/N` slice of a plan: the runs whose position modulo `N` is `K`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let usage = || format!("`{text}` is not a shard: write K/N with 0 <= K < N, e.g. 0/4");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let (index, count) = (
            index.parse().map_err(|_| usage())?,
            count.parse().map_err(|_| usage())?,
        );
        if count == 0 || index >= count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

/// Every run of `study` in plan order (cell by cell, seeds in their order), or this shard's.
pub fn plan(study: &Study, shard: Option<Shard>) -> Vec<Planned> {
    let all = study.cells.iter().flat_map(|cell| {
        let identity = cell.resolved.identity();
        cell.resolved
            .experiment
            .seeds
            .list()
            .into_iter()
            .map(move |seed| Planned {
                run_id: run_id(&identity, seed),
                cell: cell.index,
                seed,
            })
    });
    match shard {
        None => all.collect(),
        Some(shard) => all
            .enumerate()
            .filter(|(i, _)| i % shard.count == shard.index)
            .map(|(_, p)| p)
            .collect(),
    }
}

fn run_id(identity: &str, seed: u64) -> String {
    let digest = Sha256::digest(format!("{identity}\nseed = {seed}\n"));
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_plan() {
        let text = "name = 'x'\nseeds = 3\n[sweep]\n'optim.lr' = [0.1, 0.2]\n";
        let study = Study::parse("x.toml".as_ref(), text, &[]).unwrap();
        let all: Vec<String> = plan(&study, None).into_iter().map(|p| p.run_id).collect();
        assert_eq!(all.len(), 6);
        let mut union: Vec<String> = (0..4)
            .flat_map(|k| plan(&study, Some(Shard { index: k, count: 4 })))
            .map(|p| p.run_id)
            .collect();
        union.sort();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(union, sorted);
        assert!("4/4".parse::<Shard>().is_err() && "1/0".parse::<Shard>().is_err());
    }

    #[test]
    fn more_seeds_keep_the_ids_of_the_first_ones() {
        let three = Study::parse("x.toml".as_ref(), "name = 'x'\nseeds = 3\n", &[]).unwrap();
        let five = Study::parse("x.toml".as_ref(), "name = 'x'\nseeds = 5\n", &[]).unwrap();
        let ids = |s: &Study| {
            plan(s, None)
                .into_iter()
                .map(|p| p.run_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&three)[..], ids(&five)[..3]);
    }

    /// Zero penalties, written or not, keep the ids runs had before `l1` and `l2` existed;
    /// a sweep over `loss.l2` gives its zero cell those ids too.
    #[test]
    fn zero_penalties_keep_the_run_ids() {
        let ids = |text: &str| {
            let study = Study::parse("x.toml".as_ref(), text, &[]).unwrap();
            plan(&study, None)
                .into_iter()
                .map(|p| p.run_id)
                .collect::<Vec<_>>()
        };
        let plain = ids("name = 'x'\nseeds = 2\n");
        assert_eq!(
            ids("name = 'x'\nseeds = 2\n[loss]\nl1 = 0\nl2 = 0.0\n"),
            plain
        );
        let swept = ids("name = 'x'\nseeds = 2\n[sweep]\n'loss.l2' = [0, 1e-4, 1e-3]\n");
        assert_eq!(swept.len(), 6);
        assert_eq!(swept[..2], plain[..]);
        assert_ne!(ids("name = 'x'\nseeds = 2\n[loss]\nl1 = 1e-4\n"), plain);
        let study = Study::parse("x.toml".as_ref(), "name = 'x'\n", &[]).unwrap();
        let identity = study.cells[0].resolved.identity();
        assert!(
            !identity.contains("l1") && !identity.contains("l2"),
            "{identity}"
        );
    }

    /// Without validation or early stopping, run ids are those of commit 7092f5d, before
    /// either existed (printed by that commit's `plan`): the keys are left out of the
    /// serialised configuration when absent.
    #[test]
    fn no_validation_keeps_the_run_ids_of_before() {
        let study = Study::parse("x.toml".as_ref(), "name = 'x'\n", &[]).unwrap();
        assert_eq!(plan(&study, None)[0].run_id, "e7081e82f99e");
        let canonical = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../experiments/tp1/canonical.toml"
        );
        let study = Study::load(canonical.as_ref(), &["train.epochs=3".into()]).unwrap();
        assert_eq!(plan(&study, None)[0].run_id, "0ef8bb8711db");
        let identity = study.cells[0].resolved.identity();
        assert!(
            !identity.contains("validation") && !identity.contains("early_stopping"),
            "{identity}"
        );

        // Validation and early stopping are part of a run's identity, defaults written out.
        let text = "name = 'x'\n[data]\nvalidation_fraction = 0.2\n\
                    [train]\nearly_stopping = {}\n";
        let study = Study::parse("x.toml".as_ref(), text, &[]).unwrap();
        assert_ne!(plan(&study, None)[0].run_id, "e7081e82f99e");
        let identity = study.cells[0].resolved.identity();
        assert!(identity.contains("validation_fraction = 0.2"), "{identity}");
        for written in ["patience = 10", "min_delta = 0.0", "metric = \"val_loss\""] {
            assert!(identity.contains(written), "{identity}");
        }
    }

    #[test]
    fn validation_and_early_stopping_are_sweepable() {
        let text = "name = 'x'\n[data]\nvalidation_fraction = 0.2\n\
                    [train]\nearly_stopping = { metric = 'val_acc' }\n\
                    [sweep]\n'train.early_stopping.patience' = [3, 20]\n\
                    'data.validation_fraction' = [0.1, 0.3]\n";
        let study = Study::parse("x.toml".as_ref(), text, &[]).unwrap();
        assert_eq!(study.cells.len(), 4);
        let cell = &study.cells[3].resolved.experiment;
        assert_eq!(cell.data.validation_fraction, Some(0.3));
        let stopping = cell.train.early_stopping.as_ref().unwrap();
        assert_eq!(stopping.patience, 20);
        assert_eq!(stopping.metric, crate::ValidationMetric::ValAcc);

        // The whole table, and a cell without validation that the sweep turns off.
        let text = "name = 'x'\n[data]\nvalidation_fraction = 0.2\n[sweep]\n\
                    'train.early_stopping' = [{ patience = 2 }, { patience = 5, min_delta = 0.01 }]\n";
        let study = Study::parse("x.toml".as_ref(), text, &[]).unwrap();
        let stopping = |i: usize| {
            study.cells[i]
                .resolved
                .experiment
                .train
                .early_stopping
                .clone()
                .unwrap()
        };
        assert_eq!((stopping(0).patience, stopping(1).min_delta), (2, 0.01));

        // A sweep of one key creates the table, the other keys at their defaults.
        let text = "name = 'x'\n[data]\nvalidation_fraction = 0.2\n[sweep]\n\
                    'train.early_stopping.patience' = [2, 3]\n";
        let study = Study::parse("x.toml".as_ref(), text, &[]).unwrap();
        let stopping = study.cells[1]
            .resolved
            .experiment
            .train
            .early_stopping
            .clone();
        assert_eq!(
            stopping,
            Some(crate::EarlyStoppingConfig {
                patience: 3,
                ..crate::EarlyStoppingConfig::default()
            })
        );
    }
}
