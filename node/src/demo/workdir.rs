//! Where a demo keeps its PKI and data, and where its nodes log. Made
//! before logging starts, so the CLI can hand the nodes' logs to the
//! demo's log file and leave the terminal to the walkthrough (82 nodes
//! print hundreds of lines while starting).
//!
//! The log file sits beside the temporary directory (`<dir>.log`), not in
//! it: the directory is removed when the demo stops, and the log is what
//! one reads afterwards to see why a step failed.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::TempDir;

/// A demo's temporary directory (removed on drop) and its log file (kept).
pub struct Workdir {
    dir: TempDir,
    log: Option<PathBuf>,
}

impl Workdir {
    /// A fresh temporary directory and, unless `verbose` (logs on the
    /// terminal), the nodes' log file beside it, returned open for the
    /// log subscriber.
    pub fn create(verbose: bool) -> anyhow::Result<(Workdir, Option<File>)> {
        let dir = tempfile::Builder::new().prefix("extranet-demo-").tempdir().context("无法创建演示目录")?;
        if verbose {
            return Ok((Workdir { dir, log: None }, None));
        }
        let mut path = dir.path().as_os_str().to_owned();
        path.push(".log");
        let path = PathBuf::from(path);
        let file = File::create(&path).with_context(|| format!("无法创建节点日志文件 {}", path.display()))?;
        Ok((Workdir { dir, log: Some(path) }, Some(file)))
    }

    /// The directory holding the demo's PKI and node data.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Says where the nodes log, when not on the terminal.
    pub fn announce_log(&self) {
        if let Some(log) = &self.log {
            println!("节点日志写入 {}（加 --verbose 在终端显示）", log.display());
        }
    }
}
