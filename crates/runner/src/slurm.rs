//! `dlp slurm`: a study as a Slurm job array of `dlp run --shard i/N` tasks, each in its own
//! folder, and a merge job that runs after the array whatever its outcome and names the shards
//! and runs that are missing.
//!
//! The output is one bash script for a login node: it submits the array (`sbatch --parsable`,
//! the job script on standard input), then the merge job with `--dependency=afterany:<array>`,
//! and prints `ARRAY_ID MERGE_ID`. `dlp slurm --submit` runs that same script, so what is
//! printed is exactly what is submitted. The script is `slurm.sh.tmpl` with its `{{key}}`
//! placeholders filled in; docs/cluster.md explains it line by line.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, anyhow};

use crate::Error;
use dlp_config::Study;

/// What `dlp slurm` was asked for, beside the experiment file and its overrides.
#[derive(Debug, Clone, Default)]
pub struct SlurmOptions {
    /// The `dlp` binary the jobs run (absolute).
    pub dlp: PathBuf,
    /// Array tasks, one shard each: 1 to the study's number of runs.
    pub tasks: usize,
    /// Parent folder: shards write `out/shard-i/<name>`, the merge `out/<name>`, Slurm's logs
    /// go to `out/slurm/`. Made absolute against the current folder.
    pub out: PathBuf,
    /// `sbatch --partition` (array and merge job).
    pub partition: Option<String>,
    /// `sbatch --time` (array tasks and merge job).
    pub time: Option<String>,
    /// `sbatch --cpus-per-task` (array tasks; each task trains that many runs at once).
    pub cpus_per_task: Option<u32>,
    /// `sbatch --mem` (array tasks).
    pub mem: Option<String>,
    /// `sbatch --account` (array and merge job).
    pub account: Option<String>,
}

/// The job ids of a submitted study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The array job.
    pub array: String,
    /// The merge job.
    pub merge: String,
}

/// The submission script of `study` (loaded with `overrides`) as `options.tasks` shards:
/// `slurm.sh.tmpl` filled in. Errors name a bad option (exit 2): nothing is submitted.
pub fn slurm_script(
    study: &Study,
    overrides: &[String],
    options: &SlurmOptions,
) -> Result<String, Error> {
    let runs = study.run_count();
    let tasks = options.tasks;
    if tasks == 0 || tasks > runs {
        return Err(Error::Input(format!(
            "--tasks {tasks}: {} has {runs} runs, so ask for 1 to {runs} tasks (a task per run at most)",
            study.path.display()
        )));
    }
    let dlp = absolute(&options.dlp, "the dlp binary")?;
    let file = absolute(&study.path, "the experiment file")?;
    let out = absolute(&options.out, "--out")?;
    let out = out.trim_end_matches('/');
    // The folder goes into `#SBATCH --output` and `--chdir` lines, which sbatch reads without a
    // shell, and `%` starts one of Slurm's file name patterns there.
    if out.is_empty()
        || out
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "'\"#%$`\\".contains(c))
    {
        return Err(Error::Input(format!(
            "--out {out}: Slurm log paths cannot hold spaces, quotes, `#`, `%`, `$` or backslashes; \
             choose another folder"
        )));
    }
    let job_options = sbatch_lines(&[
        ("partition", options.partition.clone()),
        ("account", options.account.clone()),
        ("time", options.time.clone()),
    ])?;
    let task_options = sbatch_lines(&[
        (
            "cpus-per-task",
            options.cpus_per_task.map(|c| c.to_string()),
        ),
        ("mem", options.mem.clone()),
    ])?;
    if options.cpus_per_task == Some(0) {
        return Err(Error::Input("--cpus-per-task 0: ask for at least 1".into()));
    }
    let run_args: Vec<String> = std::iter::once(file.as_str())
        .chain(overrides.iter().map(String::as_str))
        .map(quote)
        .collect();
    Ok(render(
        include_str!("slurm.sh.tmpl"),
        &[
            ("name", study.name().to_string()),
            ("runs", runs.to_string()),
            ("tasks", tasks.to_string()),
            ("last_task", (tasks - 1).to_string()),
            ("out", out.to_string()),
            ("out_word", quote(out)),
            ("log_dir_word", quote(&format!("{out}/slurm"))),
            ("dlp_word", quote(&dlp)),
            ("run_args", run_args.join(" ")),
            ("job_options", job_options),
            ("task_options", task_options),
        ],
    ))
}

/// `path` made absolute, as UTF-8 (it is written into the script).
fn absolute(path: &Path, what: &str) -> Result<String, Error> {
    let path = std::path::absolute(path).map_err(|e| {
        Error::Input(format!(
            "cannot make {what} {} absolute: {e}",
            path.display()
        ))
    })?;
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::Input(format!("{what} {} is not UTF-8", path.display())))
}

/// One `#SBATCH --flag=value` line per option given, each value one word.
fn sbatch_lines(options: &[(&str, Option<String>)]) -> Result<String, Error> {
    let mut lines = String::new();
    for (flag, value) in options {
        let Some(value) = value else { continue };
        if value.is_empty()
            || value
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "'\"#".contains(c))
        {
            return Err(Error::Input(format!(
                "--{flag} `{value}`: write one word, without spaces or quotes"
            )));
        }
        lines.push_str(&format!("#SBATCH --{flag}={value}\n"));
    }
    Ok(lines)
}

/// `template` with each `{{key}}` replaced by its value. A line that is only a placeholder
/// becomes the value's lines (none for an empty value), so that options not given leave no
/// blank line.
fn render(template: &str, values: &[(&str, String)]) -> String {
    let value = |key: &str| -> &str {
        values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no value for {{{{{key}}}}} in the template"))
    };
    let mut out = String::new();
    for line in template.lines() {
        if let Some(key) = line.strip_prefix("{{").and_then(|l| l.strip_suffix("}}"))
            && !key.contains('}')
        {
            out.push_str(value(key));
            continue;
        }
        let mut rest = line;
        while let Some((before, after)) = rest.split_once("{{") {
            let (key, after) = after.split_once("}}").expect("every `{{` is closed");
            out.push_str(before);
            out.push_str(value(key));
            rest = after;
        }
        out.push_str(rest);
        out.push('\n');
    }
    out
}

/// Runs the submission script with bash and returns the job ids it prints; its messages (and
/// sbatch's errors) go to this process's standard error.
pub fn submit(script: &str) -> Result<Submitted, Error> {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join("sbatch").is_file()));
    if !on_path {
        return Err(anyhow!(
            "sbatch is not on PATH: run `dlp slurm --submit` on a Slurm login node, or without \
             --submit to see the script"
        )
        .into());
    }
    let output = Command::new("bash")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run bash")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(anyhow!(
            "submission failed ({}); nothing is left queued",
            output.status
        )
        .into());
    }
    match stdout.split_whitespace().collect::<Vec<_>>()[..] {
        [array, merge] => Ok(Submitted {
            array: array.into(),
            merge: merge.into(),
        }),
        _ => Err(anyhow!("sbatch printed no job ids: {stdout:?}").into()),
    }
}

/// `text` as one shell word: as is when it is plain, else in single quotes.
fn quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=,+@%-".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = "name = 'grid'\nseeds = 2\n[data]\nkind = 'moons'\n\
                        [sweep]\n'optim.lr' = [0.01, 0.1]\n'train.batch_size' = [8, 16]\n";

    fn study() -> Study {
        Study::parse("/exp/grid.toml".as_ref(), GRID, &["train.epochs=2".into()]).unwrap()
    }

    fn options(tasks: usize) -> SlurmOptions {
        SlurmOptions {
            dlp: "/opt/dlp/bin/dlp".into(),
            tasks,
            out: "/scratch/results".into(),
            ..SlurmOptions::default()
        }
    }

    fn script(options: &SlurmOptions) -> String {
        slurm_script(&study(), &["train.epochs=2".into()], options).unwrap()
    }

    /// The lines of the job script between `<<'MARK'` and `MARK`.
    fn job<'a>(script: &'a str, mark: &str) -> Vec<&'a str> {
        script
            .lines()
            .skip_while(|l| !l.ends_with(&format!("<<'{mark}'")))
            .skip(1)
            .take_while(|l| *l != mark)
            .collect()
    }

    #[test]
    fn the_array_has_one_task_per_shard() {
        let s = script(&options(4));
        let array = job(&s, "DLP_ARRAY_JOB");
        assert_eq!(array[0], "#!/bin/bash");
        assert!(array.contains(&"#SBATCH --array=0-3"), "{s}");
        assert!(
            array.contains(&"#SBATCH --output=/scratch/results/slurm/grid-%A_%a.out"),
            "{s}"
        );
        assert!(array.contains(&"DLP=/opt/dlp/bin/dlp"), "{s}");
        assert!(array.contains(&"OUT=/scratch/results"), "{s}");
        let run = array.iter().find(|l| l.contains(" run ")).unwrap();
        assert_eq!(
            *run,
            "\"$DLP\" run /exp/grid.toml train.epochs=2 --shard \"$i/4\" \
             --out \"$OUT/shard-$i\" --quiet --jobs \"${SLURM_CPUS_PER_TASK:-1}\" \\"
        );
        // The marker only after a successful run, and the task's status is the run's.
        let after_run: Vec<&&str> = array.iter().skip_while(|l| !l.contains(" run ")).collect();
        assert_eq!(after_run.len(), 2, "{s}");
        assert!(run.ends_with(" \\"));
        assert_eq!(*after_run[1], "  && touch \"$OUT/shard-$i/DONE\"");
        assert!(
            script(&options(1)).contains("#SBATCH --array=0-0\n"),
            "one task is an array of one"
        );
    }

    #[test]
    fn the_merge_waits_for_any_end_of_the_array() {
        let s = script(&options(3));
        assert!(s.contains(
            "merge=$(sbatch --parsable --dependency=afterany:\"$array\" \
             --export=ALL,DLP_ARRAY_JOB=\"$array\" <<'DLP_MERGE_JOB'\n"
        ));
        assert!(s.contains("array=$(sbatch --parsable <<'DLP_ARRAY_JOB'\n"));
        assert!(s.contains("array=${array%%;*}\n"), "cluster suffix dropped");
        let merge = job(&s, "DLP_MERGE_JOB");
        assert!(merge.contains(&"for ((i = 0; i < 3; i++)); do"), "{s}");
        assert!(
            merge.iter().any(|l| l.contains("missing shard $i/3")),
            "{s}"
        );
        assert!(
            merge.contains(&"\"$DLP\" merge --out \"$OUT\" \"${sources[@]}\" || status=$?"),
            "{s}"
        );
        assert!(
            merge
                .iter()
                .any(|l| l.contains("sources+=(\"$OUT/shard-$i/grid\")")),
            "{s}"
        );
        assert_eq!(merge.last(), Some(&"\"$DLP\" report \"$OUT/grid\""));
        assert!(!merge.iter().any(|l| l.contains("--array")));
    }

    #[test]
    fn sbatch_options_appear_only_when_given() {
        let bare = script(&options(2));
        assert_eq!(bare.matches("#SBATCH").count(), 7, "{bare}");
        for flag in ["partition", "time", "cpus-per-task", "mem", "account"] {
            assert!(!bare.contains(&format!("--{flag}")), "{flag} in\n{bare}");
        }
        let full = script(&SlurmOptions {
            partition: Some("gpu,cpu".into()),
            time: Some("1-02:00:00".into()),
            cpus_per_task: Some(4),
            mem: Some("8G".into()),
            account: Some("lab42".into()),
            ..options(2)
        });
        let array = job(&full, "DLP_ARRAY_JOB");
        let merge = job(&full, "DLP_MERGE_JOB");
        for line in [
            "#SBATCH --partition=gpu,cpu",
            "#SBATCH --account=lab42",
            "#SBATCH --time=1-02:00:00",
        ] {
            assert!(array.contains(&line) && merge.contains(&line), "{line}");
        }
        for line in ["#SBATCH --cpus-per-task=4", "#SBATCH --mem=8G"] {
            assert!(array.contains(&line) && !merge.contains(&line), "{line}");
        }
        // Options come before the first command: sbatch stops reading #SBATCH lines there.
        for job in [array, merge] {
            let first_command = job.iter().position(|l| !l.starts_with('#')).unwrap();
            assert!(
                job[first_command..]
                    .iter()
                    .all(|l| !l.starts_with("#SBATCH"))
            );
        }
    }

    #[test]
    fn bad_tasks_and_option_values_are_refused() {
        let study = study();
        let err = |o: SlurmOptions| slurm_script(&study, &[], &o).unwrap_err().to_string();
        assert!(err(options(0)).contains("1 to 8 tasks"));
        assert!(err(options(9)).contains("1 to 8 tasks"));
        assert!(slurm_script(&study, &[], &options(8)).is_ok());
        let spaced = SlurmOptions {
            partition: Some("a b".into()),
            ..options(2)
        };
        assert!(err(spaced).contains("--partition `a b`"));
        let zero = SlurmOptions {
            cpus_per_task: Some(0),
            ..options(2)
        };
        assert!(err(zero).contains("--cpus-per-task 0"));
    }

    #[test]
    fn odd_paths_and_overrides_are_quoted() {
        let study = Study::parse("/my exps/it's.toml".as_ref(), GRID, &[]).unwrap();
        let options = SlurmOptions {
            dlp: "/my tools/dlp".into(),
            out: "/scratch/results/".into(),
            ..options(2)
        };
        let s = slurm_script(&study, &["model.hidden=[8, 8]".into()], &options).unwrap();
        assert!(s.contains("DLP='/my tools/dlp'\n"), "{s}");
        assert!(
            s.contains("OUT=/scratch/results\n"),
            "trailing slash dropped: {s}"
        );
        let spaced = SlurmOptions {
            out: "/scratch/my results".into(),
            ..options.clone()
        };
        let error = slurm_script(&study, &[], &spaced).unwrap_err().to_string();
        assert!(error.contains("--out /scratch/my results"), "{error}");
        assert!(
            s.contains("\"$DLP\" run '/my exps/it'\\''s.toml' 'model.hidden=[8, 8]' --shard"),
            "{s}"
        );
        assert_eq!(quote("a$b"), "'a$b'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn a_placeholder_alone_on_its_line_takes_its_lines() {
        let values = [
            ("a", "x".to_string()),
            ("lines", "1\n2\n".to_string()),
            ("none", String::new()),
        ];
        assert_eq!(
            render("{{a}} and {{a}}\n{{lines}}\n{{none}}\nend {{a}}\n", &values),
            "x and x\n1\n2\nend x\n"
        );
    }
}
