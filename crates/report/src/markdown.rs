//! `report.md`: the claims, the statistics and the PNG plots.

use std::fmt::Write;

use crate::Content;
use crate::stats::fmt;
use crate::tables::HEADER;

/// The Markdown report.
pub fn render(content: &Content) -> String {
    let mut md = String::new();
    let results = &content.results;
    let _ = writeln!(md, "# Report: {}\n", results.name);
    if let Some(description) = &results.description {
        let _ = writeln!(md, "{}\n", description.trim());
    }
    for line in summary_lines(content) {
        let _ = writeln!(md, "- {line}");
    }

    let _ = writeln!(md, "\n## Claims\n");
    if content.claims.is_empty() {
        let _ = writeln!(md, "No `[[expect]]` claims in experiment.toml.");
    }
    for claim in &content.claims {
        let verdict = if claim.passed { "PASS" } else { "FAIL" };
        let _ = writeln!(md, "- **{verdict}** {}: {}", claim.claim, claim.detail);
    }

    let (header, rows) = super::tables::overview(&content.tables);
    let _ = writeln!(md, "\n## Overview: mean ± std (seeds counted)\n");
    let _ = writeln!(md, "| {} |", header.join(" | "));
    let _ = writeln!(md, "|{}", "---|".repeat(header.len()));
    for row in rows {
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    let _ = writeln!(md, "\n## Statistics over seeds\n");
    for table in &content.tables {
        let _ = writeln!(md, "### {}\n", table.label);
        let _ = writeln!(md, "{} runs, {} diverged.\n", table.runs, table.diverged);
        let _ = writeln!(md, "| {} |", HEADER.join(" | "));
        let _ = writeln!(md, "|{}", "---|".repeat(HEADER.len()));
        for row in &table.rows {
            let _ = writeln!(md, "| {} |", row.cells().join(" | "));
        }
        let _ = writeln!(md);
    }

    let _ = writeln!(md, "## Plots\n");
    for figure in &content.figures {
        let _ = writeln!(
            md,
            "### {}\n\n![{}]({})\n",
            figure.title, figure.title, figure.png
        );
    }
    if !content.warnings.is_empty() {
        let _ = writeln!(md, "## Warnings\n");
        for warning in &content.warnings {
            let _ = writeln!(md, "- {warning}");
        }
    }
    md
}

/// The facts shown under the title of both reports.
pub fn summary_lines(content: &Content) -> Vec<String> {
    let runs = &content.results.runs;
    let passed = content.claims.iter().filter(|c| c.passed).count();
    let swept = if runs.swept.is_empty() {
        "nothing swept".to_string()
    } else {
        format!("swept: {}", runs.swept.join(", "))
    };
    let mut lines = vec![
        format!(
            "{} runs in {} groups ({swept}); {} diverged",
            runs.runs.len(),
            runs.groups.len(),
            runs.runs.iter().filter(|r| r.diverged()).count()
        ),
        format!("claims: {passed} of {} pass", content.claims.len()),
    ];
    if let Some(threshold) = content.threshold {
        lines.push(format!("threshold test accuracy: {}", fmt(threshold)));
    }
    for (key, value) in &content.results.manifest {
        match (key.as_str(), value.parse::<u64>()) {
            ("started_unix", Ok(seconds)) => {
                let started = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
                lines.push(format!(
                    "started: {}",
                    humantime::format_rfc3339_seconds(started)
                ));
            }
            _ => lines.push(format!("{key}: {value}")),
        }
    }
    lines
}
