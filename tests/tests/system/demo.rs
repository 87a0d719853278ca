//! `extranet demo --once` runs the whole region's walkthrough end to end:
//! 82 nodes healthy, Ngari's day of work (addresses delegated down, a unit
//! applying, approved and assigned a /64, a cutover filed and reaching the
//! region), a quiet county shown stale and recovered, and the region's view
//! printed. The terminal shows only the walkthrough: the nodes log to a
//! file beside the demo's directory, or to stderr with `--verbose`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `extranet demo <args>` with its temporary files in `tmp`, at the
/// default log level.
fn demo(tmp: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_extranet-under-test"))
        .arg("demo")
        .args(args)
        .env("TMPDIR", tmp)
        .env_remove("RUST_LOG")
        .output()
        .expect("run the demo");
    assert!(out.status.success(), "demo {args:?} failed:\n{}\n{}", text(&out.stdout), text(&out.stderr));
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The tracing log lines of `text`: a timestamp, then a level (colours
/// stripped).
fn log_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(strip_ansi)
        .filter(|line| {
            let mut words = line.split_whitespace();
            let stamp = words.next().unwrap_or_default();
            let level = words.next().unwrap_or_default();
            stamp.starts_with("20")
                && stamp.ends_with('Z')
                && stamp.contains('T')
                && ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level)
        })
        .collect()
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            out.push(c);
        }
    }
    out
}

/// The log file the demo says it writes, from its announcement line.
fn announced_log(stdout: &str) -> Option<PathBuf> {
    let line = stdout.lines().find(|l| l.starts_with("节点日志写入 "))?;
    let rest = line.strip_prefix("节点日志写入 ")?;
    let (path, hint) = rest.split_once('（')?;
    assert_eq!(hint, "加 --verbose 在终端显示）", "{line}");
    Some(PathBuf::from(path))
}

#[test]
fn the_demo_keeps_node_logs_off_the_terminal_and_in_the_file_it_names() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = demo(tmp.path(), &["--small", "--once"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    let on_terminal: Vec<_> = log_lines(&stdout).into_iter().chain(log_lines(&stderr)).collect();
    assert!(on_terminal.is_empty(), "log lines on the terminal: {on_terminal:#?}");
    assert!(stdout.contains("两级回执已返回城关区"), "the walkthrough ran:\n{stdout}");

    let log = announced_log(&stdout).unwrap_or_else(|| panic!("no log file announced in:\n{stdout}"));
    assert!(log.starts_with(tmp.path()), "{} is not in the temporary directory", log.display());
    let logged = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    let lines = log_lines(&logged);
    assert_eq!(lines.len(), logged.lines().count(), "every line of the file is a log line:\n{logged}");
    for node in ["540000", "540000/540100", "540000/540100/540102", "540000/540100/540103"] {
        let serving = format!("node serving node={node} ");
        assert!(
            lines.iter().any(|l| l.contains(" INFO ") && l.contains(&serving)),
            "no INFO “{serving}” in {}:\n{logged}",
            log.display()
        );
    }
    assert!(!logged.contains('\u{1b}'), "the log file has no colour codes");
    let dir = log.with_extension("");
    assert!(!dir.exists(), "the demo's directory {} is removed, its log kept", dir.display());
}

#[test]
fn with_verbose_the_demo_logs_to_stderr_and_writes_no_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = demo(tmp.path(), &["--small", "--once", "--verbose"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    let logged = log_lines(&stderr);
    assert!(
        logged.iter().any(|l| l.contains(" INFO ") && l.contains("node serving node=540000 ")),
        "no INFO log lines on stderr:\n{stderr}"
    );
    assert!(log_lines(&stdout).is_empty(), "log lines on stdout:\n{stdout}");
    assert!(announced_log(&stdout).is_none(), "no log file announced with --verbose:\n{stdout}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).expect("read tmp").map(|e| e.expect("entry").path()).collect();
    assert!(left.is_empty(), "the demo left {left:?} behind");
}

#[test]
fn the_regional_demo_runs_its_scenario() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_extranet-under-test"))
        .args(["demo", "--once"])
        .env("RUST_LOG", "error")
        .env("TMPDIR", tmp.path())
        .output()
        .expect("run the demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "demo failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for expected in [
        "82 个节点",
        "节点日志写入 ",
        "全部正常",
        "向 540000/542500/542526 下发地址段 2001:db8:",
        "已完成，分配地址 2001:db8:",
        "542526-000001 已到达自治区",
        "墨脱县  失联",
        "重新显示为正常",
        "82/82 正常",
        "网页控制台",
        "西藏自治区 操作员",
        "阿里地区 操作员",
        "改则县 操作员",
        "改则县 接入单位",
    ] {
        assert!(stdout.contains(expected), "missing “{expected}” in:\n{stdout}");
    }
    // one sign-in link per showcased console, each naming its console's own address
    let links: Vec<&str> = stdout.lines().filter_map(|l| l.split("登录：").nth(1)).collect();
    assert_eq!(links.len(), 4, "{stdout}");
    assert!(
        links.iter().all(|l| l.starts_with("https://127.0.0.1:") && !l.starts_with("https://127.0.0.1:0/")),
        "{links:?}"
    );
}
