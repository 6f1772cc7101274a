//! The dependency invariants of ARCHITECTURE.md, read from the crates' `Cargo.toml` files, so
//! that a change cannot break them silently.

use std::collections::BTreeMap;
use std::path::Path;

/// Each core crate and the workspace crates its `[dependencies]` may name: floors, each crate
/// depending only on floors below it, `dlp-registry` (the registries' shared lookup) at the
/// bottom. Every other crate under `crates/` is a plugin.
const CORE: &[(&str, &[&str])] = &[
    ("dlp-registry", &[]),
    ("dlp-data", &["dlp-registry"]),
    ("dlp-optim", &["dlp-registry"]),
    ("dlp-loss", &["dlp-registry"]),
    ("dlp-model", &["dlp-optim"]),
    (
        "dlp-train",
        &["dlp-data", "dlp-loss", "dlp-model", "dlp-optim"],
    ),
    (
        "dlp-config",
        &["dlp-data", "dlp-loss", "dlp-model", "dlp-optim"],
    ),
    ("dlp-results", &["dlp-config", "dlp-train"]),
    // The report reads the results folder alone: it cannot name the runner.
    (
        "dlp-report",
        &[
            "dlp-config",
            "dlp-data",
            "dlp-loss",
            "dlp-model",
            "dlp-results",
            "dlp-train",
        ],
    ),
    (
        "dlp-runner",
        &[
            "dlp-config",
            "dlp-data",
            "dlp-loss",
            "dlp-model",
            "dlp-optim",
            "dlp-plugins",
            "dlp-report",
            "dlp-results",
            "dlp-train",
        ],
    ),
];

/// What a plugin crate may build on: the registries it adds to.
const PLUGIN_BASES: &[&str] = &["dlp-optim", "dlp-loss"];

/// Each crate under `crates/`: its package name and its `[dependencies]` table.
fn crates() -> BTreeMap<String, toml::Table> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates");
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let manifest = entry.unwrap().path().join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap();
        let name = table["package"]["name"].as_str().unwrap().to_string();
        let dependencies = table
            .get("dependencies")
            .and_then(toml::Value::as_table)
            .cloned()
            .unwrap_or_default();
        found.insert(name, dependencies);
    }
    found
}

fn workspace_dependencies(dependencies: &toml::Table) -> Vec<&str> {
    dependencies
        .keys()
        .map(String::as_str)
        .filter(|name| name.starts_with("dlp-"))
        .collect()
}

#[test]
fn crates_depend_only_downwards() {
    let crates = crates();
    let core: BTreeMap<&str, &[&str]> = CORE.iter().copied().collect();
    let linked_plugins = workspace_dependencies(&crates["dlp-plugins"]);
    for (name, dependencies) in &crates {
        let allowed: Vec<&str> = match core.get(name.as_str()) {
            Some(allowed) => allowed.to_vec(),
            // The linking crate names the plugins and the registries.
            None if name == "dlp-plugins" => crates
                .keys()
                .map(String::as_str)
                .filter(|c| !core.contains_key(c) && *c != "dlp-plugins")
                .chain(PLUGIN_BASES.iter().copied())
                .collect(),
            None => {
                assert!(
                    linked_plugins.contains(&name.as_str()),
                    "{name} is a plugin crate that dlp-plugins does not link"
                );
                PLUGIN_BASES.to_vec()
            }
        };
        for dependency in workspace_dependencies(dependencies) {
            assert!(
                allowed.contains(&dependency),
                "{name} depends on {dependency}; ARCHITECTURE.md allows {allowed:?}"
            );
        }
    }
}

#[test]
fn data_optimizers_and_the_lookup_know_nothing_of_dfdx() {
    let crates = crates();
    for name in ["dlp-data", "dlp-optim", "dlp-registry"] {
        assert!(!crates[name].contains_key("dfdx"), "{name} depends on dfdx");
    }
}
