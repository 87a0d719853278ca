//! Output for people (aligned tables, Beijing time) and for scripts (JSON).
//! A command produces one value and hands it to [`emit`], which prints it as
//! JSON under `--json` and for people otherwise, so no command branches on
//! the flag itself.

use chrono::{TimeZone, Utc};

use crate::calendar::beijing;

/// An error as one line: the outermost message with its causes, no backtrace.
pub fn one_line(e: &anyhow::Error) -> String {
    if let Some(s) = e.downcast_ref::<tonic::Status>() {
        return format!("{}（{:?}）", s.message(), s.code());
    }
    let mut parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    parts.dedup();
    parts.join("：").replace('\n', " ")
}

/// Unix milliseconds as Beijing time, or "—" for none.
pub fn time(ms: i64) -> String {
    if ms <= 0 {
        return "—".into();
    }
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string(),
        None => "—".into(),
    }
}

/// A duration in seconds as Chinese text.
pub fn age(secs: i64) -> String {
    match secs {
        s if s < 0 => "—".into(),
        s if s < 60 => format!("{s} 秒"),
        s if s < 3600 => format!("{} 分钟", s / 60),
        s if s < 86_400 => format!("{} 小时", s / 3600),
        s => format!("{} 天", s / 86_400),
    }
}

/// Display width of a string (CJK characters take two columns).
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

/// Prints rows as an aligned table with a header.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(width(c));
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            out.push_str(c);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(widths[i] - width(c) + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
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
