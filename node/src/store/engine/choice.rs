//! Which engine a data directory holds, and opening it with that engine.
//!
//! A node chooses its engine in `node.toml` (`[store] engine`); the choice is
//! fixed for a data directory once created, because each engine reads only
//! its own files. So the directory records its engine in a small file
//! `ENGINE`, written and fsynced before the engine creates anything; opening
//! the directory with another engine is refused (the data would otherwise
//! look empty). A sled directory from before the file existed is recognised
//! by sled's own `db` file, and gets the file.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Engine, RedbEngine, SledEngine};
use crate::error::{NodeError, Result};

/// The file of a data directory naming its engine.
pub const MARKER: &str = "ENGINE";

/// An embedded engine a node can keep its store in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// sled 0.34: kept for nodes created with it (and to migrate from).
    Sled,
    /// redb: one writer, commits made durable by an fsync of its file. The
    /// default since issue 10 measured both (docs/architecture.md,
    /// "Choosing the default engine").
    #[default]
    Redb,
}

impl EngineKind {
    /// Both engines, for tests held to the same contract.
    pub const ALL: [EngineKind; 2] = [EngineKind::Sled, EngineKind::Redb];

    /// The engine's name in `node.toml` and in the `ENGINE` file.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Sled => "sled",
            EngineKind::Redb => "redb",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        EngineKind::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// Opens (or creates) the store in `dir` with engine `kind`, or — `None` —
/// with the engine the directory was created with (the default for a new
/// one); refuses a directory created by the other engine.
pub fn open(dir: &Path, kind: Option<EngineKind>) -> Result<Arc<dyn Engine>> {
    let io = |e: std::io::Error| NodeError::Store(format!("无法准备数据目录 {}：{e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let held = recorded(dir)?;
    let kind = kind.or(held).unwrap_or_default();
    match held {
        Some(found) if found != kind => return Err(refusal(dir, found, kind)),
        Some(_) if dir.join(MARKER).exists() => {}
        // New, or from before the file: name its engine from now on.
        _ => record(dir, kind).map_err(io)?,
    }
    Ok(match kind {
        EngineKind::Sled => Arc::new(SledEngine::open(dir)?),
        EngineKind::Redb => Arc::new(RedbEngine::open(dir)?),
    })
}

/// The engine `dir` was created with: its `ENGINE` file, else the data file
/// an engine left there (a directory from before the file), else none.
pub(super) fn recorded(dir: &Path) -> Result<Option<EngineKind>> {
    match std::fs::read_to_string(dir.join(MARKER)) {
        Ok(text) => EngineKind::parse(text.trim()).map(Some).ok_or_else(|| {
            NodeError::Store(format!(
                "数据目录 {} 的 {MARKER} 文件内容“{}”不是已知的存储引擎（sled 或 redb）",
                dir.display(),
                text.trim()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if dir.join("db").exists() {
                Ok(Some(EngineKind::Sled))
            } else if dir.join(super::redb_tables::FILE).exists() {
                Ok(Some(EngineKind::Redb))
            } else {
                Ok(None)
            }
        }
        Err(e) => Err(NodeError::Store(format!("无法读取 {}：{e}", dir.join(MARKER).display()))),
    }
}

/// Writes and fsyncs the `ENGINE` file, then the directory entry.
fn record(dir: &Path, kind: EngineKind) -> std::io::Result<()> {
    let mut f = std::fs::File::create(dir.join(MARKER))?;
    writeln!(f, "{}", kind.name())?;
    f.sync_all()?;
    std::fs::File::open(dir)?.sync_all()
}

fn refusal(dir: &Path, found: EngineKind, wanted: EngineKind) -> NodeError {
    let (found, wanted) = (found.name(), wanted.name());
    NodeError::config(format!(
        "数据目录 {} 由 {found} 存储引擎创建，而配置 [store] engine 要求 {wanted}：\
         两种引擎不能读取对方的数据。请把 engine 改回 \"{found}\"，\
         或停止节点后用 `extranet store migrate --from <旧目录> --to <新目录> --engine {wanted}` \
         把数据迁移到新目录",
        dir.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::{EngineKind, MARKER, open};

    /// A node whose `node.toml` names no engine opens its directory with the
    /// engine that created it — so changing the default never strands an
    /// existing node's data — and creates a new one with the default.
    #[test]
    fn an_unnamed_engine_is_the_directory_s_own_and_the_default_for_a_new_one() {
        let root = tempfile::tempdir().unwrap();
        for kind in EngineKind::ALL {
            let dir = root.path().join(kind.name());
            drop(open(&dir, Some(kind)).unwrap());
            drop(open(&dir, None).expect("an unnamed engine opens the directory's own"));
            let other = EngineKind::ALL.into_iter().find(|k| *k != kind).unwrap();
            let err = open(&dir, Some(other)).err().expect("the other engine is refused");
            assert!(err.to_string().contains(kind.name()), "{err}");
        }
        let fresh = root.path().join("fresh");
        drop(open(&fresh, None).unwrap());
        let marker = std::fs::read_to_string(fresh.join(MARKER)).unwrap();
        assert_eq!(marker.trim(), EngineKind::default().name());
    }
}
