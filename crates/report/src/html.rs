//! `report.html`: the same content as `report.md`, self-contained (inline SVG, inline CSS,
//! no external resource).

use std::fmt::Write;

use crate::Content;
use crate::markdown::summary_lines;
use crate::tables::HEADER;

const STYLE: &str = "body{font-family:sans-serif;max-width:1250px;margin:2em auto;padding:0 1em;\
color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;\
padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}\
.pass{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}\
figure{margin:1em 0}svg{max-width:100%;height:auto}";

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The HTML report.
pub fn render(content: &Content) -> String {
    let results = &content.results;
    let mut h = String::new();
    let name = escape(&results.name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Report: {name}</title><style>{STYLE}</style></head><body>\n<h1>Report: {name}</h1>\n"
    );
    if let Some(description) = &results.description {
        let _ = writeln!(h, "<p>{}</p>", escape(description.trim()));
    }
    let _ = writeln!(h, "<ul>");
    for line in summary_lines(content) {
        let _ = writeln!(h, "<li>{}</li>", escape(&line));
    }
    let _ = writeln!(h, "</ul>\n<h2>Claims</h2>\n<ul>");
    if content.claims.is_empty() {
        let _ = writeln!(
            h,
            "<li>No <code>[[expect]]</code> claims in experiment.toml.</li>"
        );
    }
    for claim in &content.claims {
        let (class, verdict) = if claim.passed {
            ("pass", "PASS")
        } else {
            ("fail", "FAIL")
        };
        let _ = writeln!(
            h,
            "<li><span class=\"{class}\">{verdict}</span> {}: {}</li>",
            escape(&claim.claim),
            escape(&claim.detail)
        );
    }
    let (header, rows) = super::tables::overview(&content.tables);
    let _ = write!(
        h,
        "</ul>\n<h2>Overview: mean ± std (seeds counted)</h2>\n<table><tr>"
    );
    for cell in &header {
        let _ = write!(h, "<th>{}</th>", escape(cell));
    }
    let _ = writeln!(h, "</tr>");
    for row in rows {
        let _ = write!(h, "<tr>");
        for cell in &row {
            let _ = write!(h, "<td>{}</td>", escape(cell));
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</table>\n<h2>Statistics over seeds</h2>");
    for table in &content.tables {
        let _ = writeln!(
            h,
            "<h3>{}</h3>\n<p>{} runs, {} diverged.</p>\n<table><tr>",
            escape(&table.label),
            table.runs,
            table.diverged
        );
        for cell in HEADER {
            let _ = write!(h, "<th>{}</th>", escape(cell));
        }
        let _ = writeln!(h, "</tr>");
        for row in &table.rows {
            let _ = write!(h, "<tr>");
            for cell in row.cells() {
                let _ = write!(h, "<td>{}</td>", escape(&cell));
            }
            let _ = writeln!(h, "</tr>");
        }
        let _ = writeln!(h, "</table>");
    }
    let _ = writeln!(h, "<h2>Plots</h2>");
    for figure in &content.figures {
        let _ = writeln!(
            h,
            "<figure><figcaption><h3>{}</h3></figcaption>\n{}\n</figure>",
            escape(&figure.title),
            figure.svg
        );
    }
    if !content.warnings.is_empty() {
        let _ = writeln!(h, "<h2>Warnings</h2>\n<ul>");
        for warning in &content.warnings {
            let _ = writeln!(h, "<li>{}</li>", escape(warning));
        }
        let _ = writeln!(h, "</ul>");
    }
    h.push_str("</body></html>\n");
    h
}
