use std::path::{Path, PathBuf};

/// Expands folders into the `*.toml` files they hold (sorted), keeping files as given.
pub fn experiment_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read folder {}: {e}", path.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            if found.is_empty() {
                return Err(format!(
                    "folder {} holds no *.toml experiment file",
                    path.display()
                ));
            }
            found.sort();
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(format!("no such file or folder: {}", show(path)));
        }
    }
    Ok(files)
}

fn show(path: &Path) -> String {
    path.display().to_string()
}
