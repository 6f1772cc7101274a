//! Whatever text an experiment file holds, parsing and validating it returns a result or an
//! error, never a panic: arbitrary text, and the shipped experiments mutated at random.

use std::path::{Path, PathBuf};

use dlp_runner::Study;
use proptest::prelude::*;

fn shipped() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
            if entry.is_dir() {
                walk(&entry, out);
            } else if entry.extension().is_some_and(|e| e == "toml") {
                out.push(entry);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../experiments"),
        &mut files,
    );
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad"),
        &mut files,
    );
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// Text pieces that make a mutation likely to reach validation rather than stop at syntax.
const PIECES: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "nan",
    "inf",
    "\"\"",
    "[]",
    "[[]]",
    "{}",
    "\"relu\"",
    "[0, 0]",
    "[128, 128, 128, 128, 128]",
    "\n[sweep]\n",
    "\"optim.lr\" = []",
    "\n[[expect]]\n",
    "\n[optim.schedule]\nname = \"step\"\n",
    "=",
    "\"",
    "'",
    "\n[data]\nkind = \"csv\"\n",
    "k = 11",
    "seeds = 0",
    "\u{0}",
    "é",
    "\r\n",
];

fn check(text: &str) {
    let _ = Study::parse(Path::new("fuzz/experiment.toml"), text, &[]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        check(&text);
    }

    #[test]
    fn mutated_experiments_never_panic(
        file in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..4u8, any::<prop::sample::Index>()), 1..6),
    ) {
        let files = shipped();
        let mut text = files[file.index(files.len())].clone();
        for (at, kind, piece) in edits {
            let mut boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            boundaries.push(text.len());
            let at = boundaries[at.index(boundaries.len())];
            let end = boundaries.iter().copied().find(|&b| b > at).unwrap_or(at);
            match kind {
                0 => text.insert_str(at, PIECES[piece.index(PIECES.len())]),
                1 => text.replace_range(at..end, ""),
                2 => {
                    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
                    let line = text[at..line_end].to_string();
                    text.insert_str(line_end, &line);
                }
                _ => text.replace_range(at..end, PIECES[piece.index(PIECES.len())]),
            }
        }
        check(&text);
    }

    #[test]
    fn arbitrary_overrides_never_panic(key in "[a-z_.]{0,20}", value in ".{0,20}") {
        let _ = Study::parse(Path::new("x.toml"), "name = 'x'\n", &[format!("{key}={value}")]);
    }
}
