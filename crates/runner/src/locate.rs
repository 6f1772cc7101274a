//! Finds where a dotted key sits in a TOML document, to point errors at it.

use toml::de::{DeTable, DeValue};

/// A 1-based line and column, as editors show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// The position of `key` (dotted, e.g. `optim.lr`) in `text`; `None` when it is absent.
pub fn locate(text: &str, key: &str) -> Option<Position> {
    let root = DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut found = None;
    for segment in segments(key) {
        let (name, value) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == segment)?;
        found = Some(name.span().start);
        match value.get_ref() {
            DeValue::Table(inner) => table = inner,
            _ => break,
        }
    }
    found.map(|offset| position(text, offset))
}

/// Splits a dotted key at the dots outside double quotes: `sweep."optim.lr"` is two segments.
fn segments(key: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in key.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => {
                out.push(key[start..i].trim_matches('"'));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(key[start..].trim_matches('"'));
    out
}

fn position(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    Position { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys() {
        let text = "name = 'x'\n[optim]\nname = 'adam'\n  lr = 0.1\n";
        assert_eq!(
            locate(text, "optim.lr"),
            Some(Position { line: 4, column: 3 })
        );
        assert_eq!(locate(text, "name"), Some(Position { line: 1, column: 1 }));
        assert_eq!(locate(text, "train.epochs"), None);
        let sweep = "name = 'x'\n[sweep]\n\"optim.lr\" = []\n";
        assert_eq!(
            locate(sweep, "sweep.\"optim.lr\""),
            Some(Position { line: 3, column: 1 })
        );
    }
}
