//! The page `dlp serve` answers `/` with: the playground template (`assets/serve/`) with its
//! style, its script and d3 (the report's copy) inlined, so it needs nothing from the network.

const TEMPLATE: &str = include_str!("../../assets/serve/playground.html");
const STYLE: &str = include_str!("../../assets/serve/playground.css");
const SCRIPT: &str = include_str!("../../assets/serve/playground.js");

/// The page.
pub fn playground() -> String {
    dlp_report::fill_template(
        TEMPLATE,
        &[
            ("/*DLP_STYLE*/", STYLE),
            ("/*DLP_LIBRARY*/", dlp_report::D3),
            ("/*DLP_SCRIPT*/", SCRIPT),
        ],
    )
}
