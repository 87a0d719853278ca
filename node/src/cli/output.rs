//! Output for people (aligned tables, Beijing time) and for scripts (JSON).
//! A command produces one value and hands it to [`emit`], which prints it as
//! JSON under `--json` and for people otherwise, so no command branches on
//! the flag itself. The text helpers are [`crate::present::text`]'s (the
//! demo prints with them too), offered here so a command names one module.

use std::path::{Path, PathBuf};

use anyhow::Context;

pub use crate::present::text::{age, table, time};

/// An error as one line: the outermost message with its causes, no backtrace.
pub fn one_line(e: &anyhow::Error) -> String {
    if let Some(s) = e.downcast_ref::<tonic::Status>() {
        return format!("{}（{:?}）", s.message(), s.code());
    }
    let mut parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    parts.dedup();
    parts.join("：").replace('\n', " ")
}

/// Prints a command's answer `v`: as pretty JSON when `json`, otherwise
/// for people with `people`.
pub fn emit<T: serde::Serialize + ?Sized>(json: bool, v: &T, people: impl FnOnce(&T)) -> anyhow::Result<()> {
    try_emit(json, v, |v| {
        people(v);
        Ok(())
    })
}

/// [`emit`] for an answer whose printing for people can fail (it writes a file).
pub fn try_emit<T: serde::Serialize + ?Sized>(
    json: bool,
    v: &T,
    people: impl FnOnce(&T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if json { self::json(v) } else { people(v) }
}

/// Prints a list answer `items`: as JSON, or for people as a table under
/// `headers`, a `row` per item, and the count in `measure` (e.g. 件, 条).
pub fn list<T: serde::Serialize>(
    json: bool,
    items: &[T],
    (headers, measure): (&[&str], &str),
    row: impl Fn(&T) -> Vec<String>,
) -> anyhow::Result<()> {
    emit(json, items, |items| {
        table_of(headers, items, row);
        println!("共 {} {measure}", items.len());
    })
}

/// Prints `items` as a table under `headers`, a `row` per item.
pub fn table_of<T>(headers: &[&str], items: &[T], row: impl Fn(&T) -> Vec<String>) {
    let rows: Vec<Vec<String>> = items.iter().map(row).collect();
    table(headers, &rows);
}

/// Writes a document to the file `out` (as `file`, e.g. printable HTML) and
/// reports it with `written`, or prints it (as `screen`) when no file is
/// named.
pub fn write_or_print(
    out: Option<PathBuf>,
    (file, screen): (&str, &str),
    written: impl FnOnce(&Path),
) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            std::fs::write(&path, file).with_context(|| format!("无法写入 {}", path.display()))?;
            written(&path);
        }
        None => print!("{screen}"),
    }
    Ok(())
}

/// Prints a value as pretty JSON.
fn json<T: serde::Serialize + ?Sized>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--json` prints the value itself; only without it is the text for
    /// people produced.
    #[test]
    fn emit_prints_for_people_only_without_json() {
        let mut people = 0;
        emit(true, &[1, 2], |_| people += 1).unwrap();
        assert_eq!(people, 0);
        emit(false, &[1, 2], |v| people += v.len()).unwrap();
        assert_eq!(people, 2);
        let e = try_emit(false, &1, |_| anyhow::bail!("无法写入")).unwrap_err();
        assert_eq!(one_line(&e), "无法写入");
        assert!(try_emit(true, &1, |_| anyhow::bail!("不应调用")).is_ok());
    }
}
