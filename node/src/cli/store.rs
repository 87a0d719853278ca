//! `extranet store …`: work on a stopped node's data directory itself, not
//! through the node. `migrate` copies it to the other store engine and
//! verifies the copy (the store's `engine::migrate`), because a data
//! directory is fixed to the engine that created it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Subcommand;

use super::choice::ChoiceParser;
use super::output;
use crate::store::engine::{self, EngineKind, MigrationReport, Progress};

/// Store commands.
#[derive(Subcommand)]
pub enum StoreCmd {
    /// Copy a stopped node's data to the other store engine and verify it tree by tree (迁移存储引擎).
    Migrate {
        /// The node's data directory, its data_dir (源数据目录；节点须已停止).
        #[arg(long)]
        from: PathBuf,
        /// The new data directory: absent or empty (新数据目录，须不存在或为空).
        #[arg(long)]
        to: PathBuf,
        /// The engine of the new directory (目标存储引擎).
        #[arg(long, value_parser = engines())]
        engine: EngineKind,
        /// Machine-readable JSON output (progress still goes to stderr).
        #[arg(long)]
        json: bool,
    },
}

const ENGINES: &[(&str, EngineKind)] = &[("sled", EngineKind::Sled), ("redb", EngineKind::Redb)];

fn engine_zh(k: EngineKind) -> &'static str {
    match k {
        EngineKind::Sled => "sled 存储引擎",
        EngineKind::Redb => "redb 存储引擎",
    }
}

fn engines() -> ChoiceParser<EngineKind> {
    ChoiceParser::new(ENGINES, engine_zh)
}

/// Runs a store command.
pub async fn run(cmd: StoreCmd) -> anyhow::Result<()> {
    match cmd {
        StoreCmd::Migrate { from, to, engine: target, json } => {
            let mut shown = Shown { last: Instant::now() };
            let report =
                crate::store::blocking(|| engine::migrate_dir(&from, &to, target, &mut |p| shown.progress(p)))?;
            output::emit(json, &report, print)
        }
    }
}

/// Progress on stderr: a line per tree when it is done, and about once a
/// second while a long one is copied.
struct Shown {
    last: Instant,
}

impl Shown {
    fn progress(&mut self, p: Progress) {
        if p.done {
            eprintln!("已复制 {}：{} 条", p.tree.name(), p.copied);
        } else if self.last.elapsed() >= Duration::from_secs(1) {
            eprintln!("正在复制 {}：已复制 {} 条……", p.tree.name(), p.copied);
        } else {
            return;
        }
        self.last = Instant::now();
    }
}

fn print(r: &MigrationReport) {
    println!(
        "已将 {} 数据目录 {} 复制到 {} 数据目录 {}，逐树校验一致（条目数与摘要）：",
        r.from_engine.name(),
        r.from.display(),
        r.to_engine.name(),
        r.to.display()
    );
    let rows: Vec<Vec<String>> =
        r.trees.iter().map(|t| vec![t.tree.to_string(), t.entries.to_string(), t.digest.clone()]).collect();
    output::table(&["树", "条目数", "摘要"], &rows);
    let total: u64 = r.trees.iter().map(|t| t.entries).sum();
    println!("共 {} 棵树、{total} 条。", r.trees.len());
    println!(
        "下一步：在 node.toml 中设置 data_dir = \"{}\" 与 [store] engine = \"{}\"，启动节点并核对；核对无误之前保留旧目录 {}。",
        r.to.display(),
        r.to_engine.name(),
        r.from.display()
    );
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::Cli;

    #[test]
    fn migrate_takes_both_engines_and_refuses_another_in_chinese() {
        for engine in ["sled", "redb"] {
            let args = ["extranet", "store", "migrate", "--from", "a", "--to", "b", "--engine", engine, "--json"];
            Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{engine}: {e}"));
        }
        let args = ["extranet", "store", "migrate", "--from", "a", "--to", "b", "--engine", "lmdb"];
        let e = Cli::try_parse_from(args).err().expect("an unknown engine was accepted").to_string();
        assert!(e.contains("--engine 的值 “lmdb” 无效") && e.contains("redb（redb 存储引擎）"), "{e}");
    }
}
