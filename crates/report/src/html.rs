//! `report.html`: the interactive page (`assets/`), filled with the study's data and every
//! script and style inlined, so that it opens from disk with no server and no network.

use crate::page::Page;

const TEMPLATE: &str = include_str!("../assets/report.html");
const STYLE: &str = include_str!("../assets/report.css");
const SCRIPT: &str = include_str!("../assets/report.js");
/// d3, pinned in `assets/package.json` (licence beside it); `dlp serve`'s page inlines it too.
pub const D3: &str = include_str!("../assets/vendor/d3-7.9.2/d3.min.js");

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page for `page`'s data.
pub fn render(page: &Page, title: &str) -> String {
    // `</` would end the <script> element that holds the data; `<\/` is the same JSON string.
    let data = serde_json::to_string(page)
        .expect("the page's data serialises")
        .replace("</", "<\\/");
    fill_template(
        TEMPLATE,
        &[
            ("{{DLP_TITLE}}", &escape(title)),
            ("/*DLP_STYLE*/", STYLE),
            ("/*DLP_LIBRARY*/", D3),
            ("/*DLP_SCRIPT*/", SCRIPT),
            ("{{DLP_DATA}}", &data),
        ],
    )
}

/// Replaces each marker of `template` by its text in one pass, so that inserted text (a
/// description holding a marker, say) is never searched.
pub fn fill_template(template: &str, markers: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + markers.iter().map(|m| m.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some((at, marker, text)) = markers
        .iter()
        .filter_map(|&(marker, text)| rest.find(marker).map(|at| (at, marker, text)))
        .min_by_key(|&(at, _, _)| at)
    {
        out.push_str(&rest[..at]);
        out.push_str(text);
        rest = &rest[at + marker.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_filled_once_and_inserted_text_is_not_searched() {
        let filled = fill_template(
            "<t>{{A}}</t><d>{{B}}</d>",
            &[("{{A}}", "x {{B}}"), ("{{B}}", "y")],
        );
        assert_eq!(filled, "<t>x {{B}}</t><d>y</d>");
    }

    #[test]
    fn the_template_has_each_marker_once() {
        for marker in [
            "{{DLP_TITLE}}",
            "/*DLP_STYLE*/",
            "/*DLP_LIBRARY*/",
            "/*DLP_SCRIPT*/",
            "{{DLP_DATA}}",
        ] {
            assert_eq!(TEMPLATE.matches(marker).count(), 1, "{marker}");
        }
    }
}
