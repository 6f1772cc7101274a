//! Which experiment files the command line names.

use std::path::{Path, PathBuf};

use crate::Error;

/// `FILE|DIR|KEY=VALUE` arguments split into paths and `key=value` overrides: an argument
/// holding `=` that is not an existing path is an override. At least one path is required.
pub fn split_arguments(args: &[String]) -> Result<(Vec<PathBuf>, Vec<String>), Error> {
    let (overrides, paths): (Vec<String>, Vec<String>) = args
        .iter()
        .cloned()
        .partition(|a| a.contains('=') && !Path::new(a).exists());
    if paths.is_empty() {
        return Err(Error::Input(format!(
            "no experiment file given (only overrides: {})",
            overrides.join(" ")
        )));
    }
    Ok((paths.into_iter().map(PathBuf::from).collect(), overrides))
}

/// Expands folders into the `*.toml` files they hold (sorted), keeping files as given.
pub fn experiment_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| Error::Input(format!("cannot read folder {}: {e}", path.display())))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            if found.is_empty() {
                return Err(Error::Input(format!(
                    "folder {} holds no *.toml experiment file",
                    path.display()
                )));
            }
            found.sort();
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(Error::Input(format!(
                "no such file or folder: {}",
                path.display()
            )));
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_are_arguments_with_an_equals_sign_that_name_no_path() {
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("a=b.toml");
        std::fs::write(&odd, "").unwrap();
        let odd = odd.to_str().unwrap().to_string();
        let args = [
            "x.toml".into(),
            "seeds=3".into(),
            odd.clone(),
            "optim.lr=0.1".into(),
        ];
        let (paths, overrides) = split_arguments(&args).unwrap();
        assert_eq!(paths, [PathBuf::from("x.toml"), PathBuf::from(odd)]);
        assert_eq!(overrides, ["seeds=3", "optim.lr=0.1"]);
        let error = split_arguments(&["seeds=3".into()]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no experiment file given (only overrides: seeds=3)"
        );
        assert_eq!(error.exit_code(), 2);
    }
}
