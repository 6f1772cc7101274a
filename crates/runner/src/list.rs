//! The text of `dlp list`: every registry, sorted, one entry per line with its parameters.

use std::fmt::Write;

/// Datasets with their parameters and defaults.
pub fn datasets() -> String {
    let mut out = String::from("datasets ([data] kind = ...):\n");
    for kind in dlp_data::kinds() {
        let _ = writeln!(out, "  {:<16} {}", kind.name(), kind.summary);
        let _ = writeln!(out, "  {:<16}   {}", "", kind.params());
    }
    let names: Vec<String> = dlp_data::Feature::ALL
        .iter()
        .map(|f| format!("\"{f}\""))
        .collect();
    let _ = writeln!(
        out,
        "  features = [{}]\n  {:<16}   the model's inputs, for 2-D data (any of these, in the order written, \
         each once; default [\"x1\", \"x2\"]): computed from the raw coordinates before standardize, \
         sin in radians (TensorFlow Playground's inputs)",
        names.join(", "),
        ""
    );
    let _ = writeln!(
        out,
        "  standardize = false  centre and scale each model input with the training set's mean and std"
    );
    out
}

/// The models: widths, activations, dropout.
pub fn models() -> String {
    format!(
        "models ([model] hidden = [...], activation = ..., dropout = ...):\n  {}\n  \
         dropout = p, or one p per hidden layer (0 <= p < 1; default 0): torch.nn.Dropout after \
         each hidden layer's activation in training, off in evaluation\n",
        dlp_model::describe_menu()
    )
}

/// Losses with their heads.
pub fn losses() -> String {
    let mut out = String::from("losses ([loss] name = ...):\n");
    match dlp_loss::losses() {
        Ok(entries) => {
            for entry in entries {
                let _ = writeln!(
                    out,
                    "  {:<16} [{} head] {}",
                    entry.name,
                    entry.head.name(),
                    entry.summary
                );
            }
        }
        Err(error) => {
            let _ = writeln!(out, "  error: {error}");
        }
    }
    out.push_str(
        "  l1 = 0.0, l2 = 0.0  weight penalties, with any loss: the training objective is \
         loss + l1*sum|w| + l2*sum w^2 over the weights (not the biases); reported losses leave \
         them out\n",
    );
    out
}

/// Optimizers with their parameters and defaults.
pub fn optimizers() -> String {
    let mut out = String::from("optimizers ([optim] name = ...):\n");
    for entry in dlp_optim::optimizers() {
        let _ = writeln!(out, "  {:<16} {}", entry.name, entry.summary);
        for param in entry.params {
            let _ = writeln!(
                out,
                "  {:<16}   {} = {}  {}",
                "", param.name, param.default, param.doc
            );
        }
    }
    out
}

/// Learning-rate schedules with their parameters and defaults.
pub fn schedules() -> String {
    let mut out = String::from("schedules ([optim.schedule] name = ...):\n");
    for entry in dlp_optim::schedules() {
        let _ = writeln!(out, "  {:<18} {}", entry.name, entry.summary);
        for param in entry.params {
            let _ = writeln!(
                out,
                "  {:<18}   {} = {}  {}",
                "", param.name, param.default, param.doc
            );
        }
    }
    out
}

/// The training loop's keys, with validation and early stopping.
pub fn training() -> String {
    let defaults = dlp_config::TrainConfig::default();
    let stopping = dlp_config::EarlyStoppingConfig::default();
    let metric = match stopping.metric {
        dlp_config::ValidationMetric::ValLoss => "val_loss",
        dlp_config::ValidationMetric::ValAcc => "val_acc",
    };
    let rows = [
        (
            format!("epochs = {}", defaults.epochs),
            "passes over the training set".to_string(),
        ),
        (
            format!("batch_size = {}", defaults.batch_size),
            "rows per mini-batch, reshuffled each epoch; the last partial batch is kept".into(),
        ),
        (
            format!("threshold = {}", defaults.threshold),
            "the test accuracy epochs_to_threshold and seconds_to_threshold wait for".into(),
        ),
        (
            format!("save_weights = {}", defaults.save_weights),
            "write each run's final weights (the report draws decision boundaries)".into(),
        ),
        (
            format!(
                "early_stopping = {{ patience = {}, min_delta = {:?}, metric = \"{metric}\" }}",
                stopping.patience, stopping.min_delta
            ),
            "off unless given: stop after `patience` epochs in a row whose validation metric \
             (val_loss or val_acc) is not better than the best by more than min_delta, and keep \
             the best epoch's weights; needs [data] validation_fraction"
                .into(),
        ),
        (
            "[data] validation_fraction".into(),
            "off unless given: the fraction (0 < f < 1) of the training rows held out as a \
             validation set, measured after each epoch (val_loss, val_acc)"
                .into(),
        ),
    ];
    let mut out = String::from("training ([train] ...):\n");
    for (key, doc) in rows {
        let _ = writeln!(out, "  {key}\n      {doc}");
    }
    out
}

/// Every listing, one after the other.
pub fn everything() -> String {
    [
        datasets(),
        models(),
        losses(),
        optimizers(),
        schedules(),
        training(),
    ]
    .join("\n")
}
