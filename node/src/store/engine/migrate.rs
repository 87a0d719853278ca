//! `extranet store migrate`: copies a stopped node's store from one engine
//! to the other and verifies the copy, because a data directory is fixed to
//! the engine that created it (`choice.rs`) and an office that changes
//! engine must not lose or alter a record on the way.
//!
//! The copy goes through the storage interface only: every tree in key
//! order, in transactions of at most [`BATCH_ENTRIES`] entries or
//! [`BATCH_BYTES`] bytes, so memory stays bounded however large the store.
//! Then the destination is flushed, closed, opened again and every tree of
//! both stores is read back and compared (`migrate_verify.rs`).
//!
//! The destination is usable only once verified. Before its engine writes
//! anything, its `ENGINE` file says the copy is unfinished — a node refuses
//! such a directory, as it does any unknown engine — and only a verified
//! copy gets the target engine's name there (written to a temporary file,
//! fsynced, renamed). A copy that fails or does not verify is deleted; one
//! interrupted by a crash keeps the unfinished mark. The source is only
//! read; the command refuses, before writing anything, a source held by a
//! running node, a destination that is not empty, and a source already on
//! the target engine.

use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::migrate_verify::{TreeReport, verify};
use super::{Engine, EngineKind, MARKER, RedbEngine, SledEngine, TxStop};
use crate::error::{NodeError, Result};
use crate::store::TreeId;

/// Entries per transaction of the copy.
pub const BATCH_ENTRIES: usize = 1_000;
/// Bytes (keys and values) per transaction of the copy, beyond which a batch
/// ends early (a batch holds at least one entry, however large).
pub const BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Bytes copied between two durable flushes of the destination: redb reuses
/// the pages its non-durable commits free only after a durable one.
const FLUSH_BYTES: usize = 64 * 1024 * 1024;

/// How far the copy of one tree has come.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// The tree being copied.
    pub tree: TreeId,
    /// Its entries copied so far.
    pub copied: u64,
    /// Whether the tree is complete.
    pub done: bool,
}

/// A migration done and verified.
#[derive(Debug, Serialize)]
pub struct MigrationReport {
    /// The source data directory.
    pub from: PathBuf,
    /// The new data directory.
    pub to: PathBuf,
    /// The source's engine.
    pub from_engine: EngineKind,
    /// The new directory's engine.
    pub to_engine: EngineKind,
    /// Every tree, with the same count and digest in both stores.
    pub trees: Vec<TreeReport>,
}

/// Copies the stopped node's store in `from` into the new directory `to`
/// on engine `target`, and verifies the copy; `progress` hears of each
/// batch. Refuses, writing nothing, when the source is in use, on the target
/// engine already, or not a data directory, and when `to` is not empty.
pub fn migrate_dir(
    from: &Path,
    to: &Path,
    target: EngineKind,
    progress: &mut dyn FnMut(Progress),
) -> Result<MigrationReport> {
    let source = source_engine(from)?;
    if source == target {
        return Err(NodeError::precondition(format!(
            "源目录 {} 已是 {} 存储引擎，无需迁移：--engine 应为另一种引擎",
            from.display(),
            source.name()
        )));
    }
    let existed = check_destination(from, to)?;
    refuse_if_open(from, source)?;
    let src = open_adapter(from, source)?;
    let copied = begin_destination(to, target)
        .map_err(|e| io_error("无法准备目标目录", to, e))
        .and_then(|()| copy_and_verify(&*src, to, target, progress))
        .and_then(|trees| finish_destination(to, target).map(|()| trees).map_err(|e| io_error("无法写入", to, e)));
    match copied {
        Ok(trees) => Ok(MigrationReport {
            from: from.to_path_buf(),
            to: to.to_path_buf(),
            from_engine: source,
            to_engine: target,
            trees,
        }),
        Err(e) => Err(discard(to, existed, e)),
    }
}

/// The engine of the data directory `from`, which must exist and be one.
fn source_engine(from: &Path) -> Result<EngineKind> {
    if !from.is_dir() {
        return Err(NodeError::precondition(format!("源目录 {} 不存在或不是目录", from.display())));
    }
    super::choice::recorded(from)?.ok_or_else(|| {
        NodeError::precondition(format!(
            "源目录 {} 不是节点的数据目录：其中既没有 {MARKER} 文件，也没有 sled 或 redb 的数据文件",
            from.display()
        ))
    })
}

/// Refuses a destination that holds anything, or lies inside the source;
/// says whether it exists (empty) already.
fn check_destination(from: &Path, to: &Path) -> Result<bool> {
    if resolved(to).starts_with(resolved(from)) {
        return Err(NodeError::precondition(format!(
            "目标目录 {} 位于源目录 {} 之内：请指定源目录以外的新目录",
            to.display(),
            from.display()
        )));
    }
    match std::fs::read_dir(to).map(|mut entries| entries.next().is_none()) {
        Ok(false) => Err(NodeError::precondition(format!(
            "目标目录 {} 已存在且不为空：迁移只写入不存在的或空的目录，以免覆盖其中的数据；请指定新的目录",
            to.display()
        ))),
        Ok(true) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error("无法读取目标目录", to, e)),
    }
}

/// `p` made absolute, with the part that exists resolved (links, `..`).
fn resolved(p: &Path) -> PathBuf {
    let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut head = p.as_path();
    let mut tail = Vec::new();
    loop {
        if let Ok(real) = head.canonicalize() {
            return tail.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (head.parent(), head.file_name()) {
            (Some(parent), Some(name)) => {
                tail.push(name.to_os_string());
                head = parent;
            }
            _ => return p,
        }
    }
}

/// The file an engine locks while a process has the directory open.
fn data_file(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::Sled => "db",
        EngineKind::Redb => super::redb_tables::FILE,
    }
}

/// Refuses a source whose engine file is locked: a running node holds it.
/// The lock taken here to find out is released at once.
fn refuse_if_open(from: &Path, kind: EngineKind) -> Result<()> {
    let path = from.join(data_file(kind));
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error("无法读取", &path, e)),
    };
    match file.try_lock() {
        Err(TryLockError::WouldBlock) => Err(NodeError::precondition(format!(
            "源目录 {} 正被运行中的节点使用（{} 数据文件已被锁定）：请先停止节点（systemctl stop extranet），再运行迁移",
            from.display(),
            kind.name()
        ))),
        // Unlocked when `file` is dropped; a file system without locks is
        // left to the engine's own open.
        Ok(()) | Err(TryLockError::Error(_)) => Ok(()),
    }
}

/// Opens `dir` with the adapter of `kind` directly: the source is not given
/// an `ENGINE` file, the destination keeps its unfinished one.
fn open_adapter(dir: &Path, kind: EngineKind) -> Result<Box<dyn Engine>> {
    Ok(match kind {
        EngineKind::Sled => Box::new(SledEngine::open(dir)?),
        EngineKind::Redb => Box::new(RedbEngine::open(dir)?),
    })
}

/// What the `ENGINE` file of an unfinished copy says: not an engine's name,
/// so a node refuses the directory, quoting it.
fn unfinished(target: EngineKind) -> String {
    format!("{} 迁移未完成或未通过校验，不可使用：请删除此目录后重新迁移", target.name())
}

/// Creates the destination and marks it unfinished, durably, before its
/// engine writes anything.
pub(super) fn begin_destination(to: &Path, target: EngineKind) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    write_synced(&to.join(MARKER), &unfinished(target))?;
    sync_dir(to)
}

/// Names the target engine in the verified copy's `ENGINE` file: a
/// temporary file fsynced, renamed over the mark, and the directories synced.
fn finish_destination(to: &Path, target: EngineKind) -> std::io::Result<()> {
    let tmp = to.join(format!("{MARKER}.tmp"));
    write_synced(&tmp, target.name())?;
    std::fs::rename(&tmp, to.join(MARKER))?;
    sync_dir(to)?;
    match resolved(to).parent() {
        Some(parent) => sync_dir(parent),
        None => Ok(()),
    }
}

fn write_synced(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = File::create(path)?;
    writeln!(f, "{text}")?;
    f.sync_all()
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Copies every tree, flushes, closes the destination, opens it again and
/// compares both stores.
fn copy_and_verify(
    src: &dyn Engine,
    to: &Path,
    target: EngineKind,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<TreeReport>> {
    {
        let dst = open_adapter(to, target)?;
        let mut unflushed = 0;
        for t in TreeId::ALL {
            copy_tree(src, &*dst, t, &mut unflushed, progress)?;
        }
        dst.flush()?;
    }
    // Read back what is on disk, not what the open engine still caches.
    let dst = open_adapter(to, target)?;
    verify(src, &*dst)
}

/// Copies tree `t` in key order, one transaction per batch.
fn copy_tree(
    src: &dyn Engine,
    dst: &dyn Engine,
    t: TreeId,
    unflushed: &mut usize,
    progress: &mut dyn FnMut(Progress),
) -> Result<()> {
    let (mut batch, mut bytes, mut copied) = (Vec::new(), 0, 0u64);
    let mut entries = src.iter(t).peekable();
    while let Some(item) = entries.next() {
        let (k, v) = item.map_err(|e| NodeError::Store(format!("无法读取源存储的 {}：{e}", t.name())))?;
        bytes += k.len() + v.len();
        batch.push((k, v));
        if batch.len() >= BATCH_ENTRIES || bytes >= BATCH_BYTES || entries.peek().is_none() {
            write_batch(dst, t, &batch)?;
            copied += batch.len() as u64;
            *unflushed += bytes;
            if *unflushed >= FLUSH_BYTES {
                dst.flush()?;
                *unflushed = 0;
            }
            (batch, bytes) = (Vec::new(), 0);
            progress(Progress { tree: t, copied, done: false });
        }
    }
    progress(Progress { tree: t, copied, done: true });
    Ok(())
}

/// Writes one batch into tree `t` of `dst` as one transaction.
fn write_batch(dst: &dyn Engine, t: TreeId, batch: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
    let res = dst.transact(&mut |tx| {
        for (k, v) in batch {
            tx.insert(t, k, v)?;
        }
        Ok(())
    });
    match res {
        Ok(()) => Ok(()),
        Err(TxStop::Abort(e)) => Err(e),
        Err(TxStop::Storage(e)) => Err(NodeError::Store(format!("无法写入目标存储的 {}：{e}", t.name()))),
        Err(TxStop::Conflict) => Err(NodeError::Store(format!("写入目标存储的 {} 时发生事务冲突", t.name()))),
    }
}

/// Deletes a failed copy (everything in `to` is the copy's: it was empty or
/// absent) and says so after `e`; a copy that cannot be deleted keeps its
/// unfinished mark.
pub(super) fn discard(to: &Path, existed: bool, e: NodeError) -> NodeError {
    let removed = if existed {
        std::fs::read_dir(to).and_then(|entries| {
            entries.into_iter().try_for_each(|entry| {
                let path = entry?.path();
                if path.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) }
            })
        })
    } else {
        std::fs::remove_dir_all(to)
    };
    let what = match removed {
        Err(r) if r.kind() == std::io::ErrorKind::NotFound => format!("未写入目标目录 {}，源目录未改动", to.display()),
        Ok(()) => format!("已删除目标目录 {} 中的副本，源目录未改动", to.display()),
        Err(r) => format!("目标目录 {} 未能删除（{r}），已标为不可使用，请手动删除；源目录未改动", to.display()),
    };
    match e {
        NodeError::Store(m) => NodeError::Store(format!("{m}；{what}")),
        other => NodeError::Store(format!("{other}；{what}")),
    }
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> NodeError {
    NodeError::Store(format!("{what} {}：{e}", path.display()))
}
