//! Reading the config text so that every mistake is found and located: a TOML syntax error
//! stops the reading (what follows it cannot be trusted), but a key with a wrong value, an
//! unknown key or a section that is missing something is set aside (blanked, so every other
//! line keeps its number) and the rest read again, until the file reads or nothing is left to
//! set aside. Then the checks that span several keys run. Each error names its own line.

use std::path::Path;

use super::{Config, ConfigError};

/// At most this many errors are reported (a file of nonsense would give one per line).
pub const MAX_ERRORS: usize = 50;

/// The config, or every error, in the order of the file's reading.
pub(super) fn read(text: &str, path: &Path) -> Result<Config, Vec<ConfigError>> {
    let mut work = text.to_string();
    let mut errors: Vec<ConfigError> = Vec::new();
    // Keys set aside, by the offset of their table's header: their absence is ours, not the
    // file's ("missing field" for them is not reported).
    let mut aside: Vec<(Option<usize>, String)> = Vec::new();
    while errors.len() < MAX_ERRORS {
        // The syntax alone (values are not read here: a number too big for any type is the
        // typed reading's to report, with the range it wants).
        if let Err(e) = toml::de::DeTable::parse(&work) {
            let at = e.span().map(|s| s.start);
            errors.push(invalid(
                path,
                text,
                at,
                at.and_then(|o| key_at(text, o)),
                e.message().trim().to_string(),
            ));
            break;
        }
        let e = match toml::from_str::<Config>(&work) {
            Ok(config) => {
                errors.extend(config.validate(text, path));
                return if errors.is_empty() {
                    Ok(config)
                } else {
                    Err(in_file_order(errors))
                };
            }
            Err(e) => e,
        };
        let message = e.message().trim().to_string();
        let Some(span) = e.span() else {
            errors.push(invalid(path, text, None, None, message));
            break;
        };
        let at = relocate(text, span.start, &message);
        let table = table_start(text, at);
        let consequence = missing_field(&message).is_some_and(|k| aside.contains(&(table, k)));
        if !consequence {
            errors.push(invalid(path, text, Some(at), key_at(text, at), message));
        }
        match set_aside(&mut work, at, span.end) {
            Some(key) => aside.push((table, key)),
            None => break,
        }
    }
    Err(in_file_order(errors))
}

/// The errors by line (an error without one last), as someone fixing the file reads it.
fn in_file_order(mut errors: Vec<ConfigError>) -> Vec<ConfigError> {
    errors.sort_by_key(|e| match e {
        ConfigError::Invalid { line, column, .. } => (line.is_none(), *line, *column),
        ConfigError::Read { .. } => (true, None, None),
    });
    errors
}

/// An error at byte `at` of the text (its line and column), for a key.
pub(super) fn invalid(
    path: &Path,
    text: &str,
    at: Option<usize>,
    key: Option<String>,
    message: String,
) -> ConfigError {
    let (line, column) = at.map(|o| line_col(text, o)).unzip();
    ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        column,
        key,
        message,
    }
}

/// `missing field `host`` → `host`.
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next().map(String::from)
}

/// An error the reader places on a whole `[ui.keys]` table placed on the binding it is about
/// instead (an unknown action's line).
fn relocate(text: &str, at: usize, message: &str) -> usize {
    if let Some(name) = message
        .strip_prefix("unknown action `")
        .and_then(|r| r.split('`').next())
        && let Some(o) = find_binding(text, name)
    {
        return o;
    }
    at
}

/// Blanks what an error at `at` is about (keeping every newline, so lines keep their
/// numbers): a table's header takes its whole table; a key its line, through `end` when its
/// value goes on over more lines. The key (or table) set aside, or None when nothing was left
/// to blank.
fn set_aside(work: &mut String, at: usize, end: usize) -> Option<String> {
    let at = floor_boundary(work, at);
    let start = work[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = work[start..].lines().next().unwrap_or("");
    let header = line.trim_start().starts_with('[');
    let stop = if header {
        // To the next header, or the end.
        let mut o = start + line.len();
        let mut found = work.len();
        for l in work[o..].split_inclusive('\n') {
            if l.trim_start().starts_with('[') && !l.trim().is_empty() {
                found = o;
                break;
            }
            o += l.len();
        }
        found
    } else {
        let end = floor_boundary(work, end.max(at));
        work[end..].find('\n').map_or(work.len(), |i| end + i)
    };
    if work[start..stop].trim().is_empty() {
        return None;
    }
    let name = if header {
        line.trim()
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_string()
    } else {
        line.split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
            .unwrap_or_default()
    };
    // Byte for byte, so that every later offset still points into the file as written (a
    // character of several bytes becomes as many spaces).
    let blank: String = work[start..stop]
        .chars()
        .map(|c| {
            if c == '\n' {
                "\n".to_string()
            } else {
                " ".repeat(c.len_utf8())
            }
        })
        .collect();
    work.replace_range(start..stop, &blank);
    Some(name)
}

/// The offset of the header of the table `at` is in (None: the top level).
fn table_start(text: &str, at: usize) -> Option<usize> {
    let at = floor_boundary(text, at);
    let mut o = 0;
    let mut last = None;
    for l in text.split_inclusive('\n') {
        if o > at {
            break;
        }
        if l.trim_start().starts_with('[') {
            last = Some(o);
        }
        o += l.len();
    }
    last
}

/// Byte offset of the line binding action `name` in `[ui.keys]` (or in an inline `keys = {…}`
/// under `[ui]`).
pub(super) fn find_binding(text: &str, name: &str) -> Option<usize> {
    let mut table = String::new();
    let mut offset = 0usize;
    for l in text.split_inclusive('\n') {
        let t = l.trim();
        if t.starts_with('[') {
            table = t.trim_matches(|c| c == '[' || c == ']').replace(' ', "");
        } else if let Some((k, v)) = t.split_once('=') {
            let k = k.trim().trim_matches('"');
            if table == "ui.keys" && k == name {
                return Some(offset + l.find(k).unwrap_or(0));
            }
            if table == "ui" && k == "keys" {
                let needle = format!("{name} ");
                let needle2 = format!("{name}=");
                if let Some(i) = v.find(&needle).or_else(|| v.find(&needle2)) {
                    let base = l.len() - l.trim_start().len() + t.len() - v.len();
                    return Some(offset + base + i);
                }
            }
        }
        offset += l.len();
    }
    None
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// The dotted key at a byte offset: the table header above it plus the key its line assigns.
pub(super) fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = floor_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = text[line_start..].lines().next().unwrap_or("");
    let trimmed = line.trim_start();
    if trimmed.starts_with('[') {
        // The error is on a header itself, e.g. an unknown section.
        return Some(
            trimmed
                .trim_matches(|c| c == '[' || c == ']' || c == ' ')
                .to_string(),
        )
        .filter(|s| !s.is_empty());
    }
    let mut table = String::new();
    for l in text[..line_start].lines().rev() {
        let t = l.trim();
        if t.starts_with('[') {
            table = t
                .trim_matches(|c| c == '[' || c == ']' || c == ' ')
                .to_string();
            break;
        }
    }
    let key = trimmed
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty());
    match (table.is_empty(), key) {
        (_, None) if table.is_empty() => None,
        (_, None) => Some(table),
        (true, Some(k)) => Some(k),
        (false, Some(k)) => Some(format!("{table}.{k}")),
    }
}

/// Byte offset of `key =` inside the `n`th `[[table]]`.
pub(super) fn find_nth_table_key(text: &str, table: &str, n: usize, key: &str) -> Option<usize> {
    let header = format!("[[{table}]]");
    let mut count = 0usize;
    let mut inside = false;
    let mut offset = 0usize;
    for l in text.split_inclusive('\n') {
        let t = l.trim();
        if t.starts_with('[') {
            inside = t.replace(' ', "") == header && {
                count += 1;
                count == n + 1
            };
        } else if inside && t.split_once('=').map(|(k, _)| k.trim()) == Some(key) {
            return Some(offset + l.find(key).unwrap_or(0));
        }
        offset += l.len();
    }
    None
}
