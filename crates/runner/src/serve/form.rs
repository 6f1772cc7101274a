//! A configuration sent by the page (the experiment file's table as JSON), turned into the
//! experiment file it stands for and validated exactly as `dlp check` validates a file.

use std::path::Path;

use dlp_config::Study;

/// The page's configuration as an experiment file: its TOML text and its study.
pub struct Form {
    /// The file name it would be saved under (`<name>.toml`).
    pub file_name: String,
    /// The TOML text, which `dlp run` accepts unchanged.
    pub toml: String,
    /// The study, validated.
    pub study: Study,
}

impl Form {
    /// Reads a configuration; the error is `dlp check`'s message for the same file.
    pub fn from_json(config: &serde_json::Value) -> Result<Form, String> {
        let table = toml::Table::try_from(config)
            .map_err(|e| format!("the configuration is not an experiment table: {e}"))?;
        let toml = toml::to_string(&table).map_err(|e| e.to_string())?;
        Self::from_toml(&toml, None)
    }

    /// Reads an experiment file's text, as if it were `file_name` (default `<name>.toml`) in
    /// the server's folder.
    pub fn from_toml(text: &str, file_name: Option<&str>) -> Result<Form, String> {
        let name = text
            .parse::<toml::Table>()
            .ok()
            .and_then(|t| t.get("name")?.as_str().map(str::to_string))
            .unwrap_or_else(|| "form".into());
        let file_name = file_name.map_or_else(|| format!("{name}.toml"), str::to_string);
        if file_name.contains(['/', '\\']) || !file_name.ends_with(".toml") {
            return Err(format!(
                "`{file_name}` cannot name an experiment file here: a name ending in .toml, without folders"
            ));
        }
        let study = Study::parse(Path::new(&file_name), text, &[]).map_err(|e| e.to_string())?;
        // The page trains generated data only: a path in a form would let a page read any
        // file of the machine.
        for cell in &study.cells {
            let experiment = &cell.resolved.experiment;
            if experiment.data.path.is_some() || experiment.model.weights.is_some() {
                return Err(format!(
                    "{file_name}: `dlp serve` trains generated datasets from initial weights \
                     it draws; for data or weights from files, use `dlp run {file_name}`"
                ));
            }
        }
        // What `dlp check` checks beyond the file: the data generated, the loss against it.
        crate::check_study(&study).map_err(|e| e.to_string())?;
        Ok(Form {
            file_name,
            toml: text.to_string(),
            study,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_the_file_it_stands_for() {
        let config = serde_json::json!({
            "name": "playground",
            "data": {"kind": "moons", "n_train": 100},
            "model": {"hidden": [8, 8]},
            "optim": {"name": "adam", "lr": 0.01},
        });
        let form = Form::from_json(&config).unwrap();
        assert_eq!(form.file_name, "playground.toml");
        let again = Study::parse(Path::new("x.toml"), &form.toml, &[]).unwrap();
        assert_eq!(
            again.cells[0].resolved.identity(),
            form.study.cells[0].resolved.identity()
        );
    }

    #[test]
    fn errors_are_dlp_checks_and_files_are_refused() {
        let bad = serde_json::json!({"name": "p", "optim": {"name": "adma"}});
        let error = Form::from_json(&bad).err().unwrap();
        assert!(
            error.starts_with("p.toml:") && error.contains("adam"),
            "{error}"
        );
        let file = serde_json::json!({"name": "p", "data": {"kind": "csv", "path": "/etc/passwd"}});
        let error = Form::from_json(&file).err().unwrap();
        assert!(
            error.contains("/etc/passwd") || error.contains("dlp run"),
            "{error}"
        );
    }
}
