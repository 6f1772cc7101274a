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

/// The position of `key` (dotted, e.g. `optim.lr`) in `text`; `None` when it is absent. In an
/// array of tables (`[[sweep.zip]]`), the first table that has the next segment is followed.
pub fn locate(text: &str, key: &str) -> Option<Position> {
    let root = DeTable::parse(text).ok()?;
    let segments = segments(key);
    let mut table = root.get_ref();
    let mut found = None;
    for (i, segment) in segments.iter().enumerate() {
        let (name, value) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == *segment)?;
        found = Some(name.span().start);
        let has_next = |t: &&DeTable| {
            segments
                .get(i + 1)
                .is_some_and(|next| t.iter().any(|(k, _)| k.get_ref().as_ref() == *next))
        };
        table = match value.get_ref() {
            DeValue::Table(inner) => inner,
            DeValue::Array(items) => match items
                .iter()
                .filter_map(|item| item.get_ref().as_table())
                .find(has_next)
            {
                Some(inner) => inner,
                None => break,
            },
            _ => break,
        };
    }
    found.map(|offset| position(text, offset))
}

/// The dotted key written at byte `offset` of `text` (its name or its value), the innermost
/// when tables nest; `None` outside every key.
pub fn key_at(text: &str, offset: usize) -> Option<String> {
    let root = DeTable::parse(text).ok()?;
    key_in(root.get_ref(), offset)
}

fn key_in(table: &DeTable, offset: usize) -> Option<String> {
    table.iter().find_map(|(name, value)| {
        let name_text = name.get_ref().as_ref();
        let quoted = if name_text.contains('.') {
            format!("\"{name_text}\"")
        } else {
            name_text.to_string()
        };
        let inner = match value.get_ref() {
            DeValue::Table(inner) => key_in(inner, offset),
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| item.get_ref().as_table())
                .find_map(|inner| key_in(inner, offset)),
            _ => None,
        };
        match inner {
            Some(inner) => Some(format!("{quoted}.{inner}")),
            None if name.span().contains(&offset) || value.span().contains(&offset) => Some(quoted),
            None => None,
        }
    })
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
        let zip = "[[sweep.zip]]\n\"a.b\" = [1]\n[[sweep.zip]]\nc = [2]\n";
        assert_eq!(
            locate(zip, "sweep.zip.c"),
            Some(Position { line: 4, column: 1 })
        );
    }

    #[test]
    fn names_the_key_at_an_offset() {
        let text = "name = 'x'\n[optim]\nlr = 0.1\n[sweep]\n\"optim.lr\" = [1]\n";
        let at = |needle: &str| key_at(text, text.find(needle).unwrap());
        assert_eq!(at("'x'").as_deref(), Some("name"));
        assert_eq!(at("0.1").as_deref(), Some("optim.lr"));
        assert_eq!(at("[1]").as_deref(), Some("sweep.\"optim.lr\""));
        assert_eq!(at("\n[optim]"), None);
    }
}
