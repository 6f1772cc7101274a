//! What the page's form offers, from the registries and the defaults (`GET /api/options`):
//! a new optimizer, loss or key shows up in the form with no change to the page.

use std::path::Path;

use dlp_config::{EarlyStoppingConfig, Resolved};
use dlp_data::{DataConfig, Feature, kinds};
use dlp_model::Activation;
use dlp_optim::Param;
use serde_json::{Value, json};

/// The options, as JSON.
pub fn options() -> Value {
    let defaults = Resolved::parse(Path::new("playground.toml"), "name = 'playground'")
        .expect("an experiment with only a name is valid");
    let features: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
    let datasets: Vec<Value> = kinds()
        .iter()
        .map(|doc| {
            let resolved = DataConfig {
                kind: doc.kind,
                ..DataConfig::default()
            }
            .resolved();
            let table = json(&resolved);
            let mut params: Vec<Value> = table
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(key, _)| *key != "kind")
                .map(|(name, default)| json!({ "name": name, "default": default, "doc": "" }))
                .collect();
            // Left out of the serialised defaults (run ids), offered as Playground's checkboxes.
            params.push(json!({
                "name": "features",
                "default": json(&resolved.features),
                "doc": "the model's inputs, computed from x1 and x2 before standardize (sin in radians)",
                "choices": features,
            }));
            // Also left out when absent; 0 on the page means none (the key is not written).
            params.push(json!({
                "name": "validation_fraction",
                "default": 0.0,
                "doc": "the fraction of the training rows moved into a validation set, in (0, 1), \
                        measured after every epoch; 0: none",
            }));
            json!({ "kind": doc.name(), "summary": doc.summary, "params": params })
        })
        .collect();
    let registry = |name: &str, summary: &str, params: &[Param]| {
        let mut table = toml::Table::new();
        dlp_optim::fill_defaults(&mut table, params);
        let params: Vec<Value> = params
            .iter()
            .map(
                |p| json!({ "name": p.name, "default": table.get(p.name).map(json), "doc": p.doc }),
            )
            .collect();
        json!({ "name": name, "summary": summary, "params": params })
    };
    json!({
        "datasets": datasets,
        "activations": Activation::ALL.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "losses": dlp_loss::losses()
            .unwrap_or_default()
            .iter()
            .map(|l| json!({ "name": l.name, "summary": l.summary }))
            .collect::<Vec<_>>(),
        "optimizers": dlp_optim::optimizers()
            .iter()
            .map(|o| registry(o.name, o.summary, o.params))
            .collect::<Vec<_>>(),
        "schedules": dlp_optim::schedules()
            .iter()
            .map(|s| registry(s.name, s.summary, s.params))
            .collect::<Vec<_>>(),
        "model": {
            "max_depth": dlp_model::MAX_DEPTH,
            "max_width": dlp_model::MAX_WIDTH,
        },
        "defaults": json(&defaults.experiment),
        // `[train] early_stopping`, off by default (absent from the defaults): its keys.
        "early_stopping": early_stopping(),
        "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
    })
}

/// `[train] early_stopping`'s keys, with the defaults an empty table gets.
fn early_stopping() -> Value {
    let defaults = json(&EarlyStoppingConfig::default());
    json!({
        "doc": "stop when the validation metric stalls and keep the best epoch's weights; \
                needs a validation fraction",
        "params": [
            {"name": "patience", "default": defaults["patience"],
             "doc": "epochs in a row without improvement before training stops, >= 1"},
            {"name": "min_delta", "default": defaults["min_delta"],
             "doc": "how much better than the best a value must be to count as an improvement, >= 0"},
            {"name": "metric", "default": defaults["metric"], "choices": ["val_loss", "val_acc"],
             "doc": "the validation metric watched: val_loss (lower is better) or val_acc (higher)"},
        ],
    })
}

/// A serialisable value as JSON (TOML values and tables included).
fn json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("configurations serialise")
}
