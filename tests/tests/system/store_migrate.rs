//! `extranet store migrate` on a real node's data directory: refused while
//! the node runs, then copied to the other engine and verified; the node
//! started on the copy with that engine serves its filings and files more.
//!
//! ```text
//!   540000 region (in process, runs throughout)
//!     └── 540000/540100 prefecture: files, stops, is migrated,
//!                                    restarts as `extranet serve` on the copy
//! ```

use std::path::Path;
use std::process::Command;

use extranet_node::client::Client;
use extranet_node::store::engine::{EngineKind, MARKER};
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, store_engine, valid_cutover};

/// Runs `extranet store migrate`; (success, stdout, stderr).
fn migrate(from: &Path, to: &Path, engine: EngineKind) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_extranet-under-test"))
        .args(["store", "migrate", "--from"])
        .arg(from)
        .arg("--to")
        .arg(to)
        .args(["--engine", engine.name()])
        .output()
        .expect("run the binary");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_nodes_data_migrated_to_the_other_engine_serves_its_filings() -> anyhow::Result<()> {
    let mut h = Harness::tree(&["540000", "540000/540100"]).await?;
    let (region, pref) = (h.region(), h.prefecture());
    let target = EngineKind::ALL.into_iter().find(|k| *k != store_engine().unwrap()).unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let f = h.file_cutover(&pref, valid_cutover()).await?;
        h.wait_filing(&region, &f.id, 1).await?;
        ids.push(f.id);
    }
    let data = h.node(&pref).config.data_dir.clone();
    let copy = h.node(&pref).dir.join(format!("data-{}", target.name()));

    let (ok, _, err) = tokio::task::block_in_place(|| migrate(&data, &copy, target));
    assert!(!ok && err.contains("正被运行中的节点使用") && err.contains("systemctl stop extranet"), "{err}");
    assert!(!copy.exists(), "a refused migration wrote {}", copy.display());

    h.fed.stop(&pref).await?;
    let (ok, out, err) = tokio::task::block_in_place(|| migrate(&data, &copy, target));
    assert!(ok, "{err}");
    assert!(out.contains("逐树校验一致") && err.contains("已复制 filings：2 条"), "{out}{err}");
    let filings_row = out.lines().find(|l| l.starts_with("filings")).map(|l| l.split_whitespace().collect::<Vec<_>>());
    assert!(matches!(filings_row.as_deref(), Some(["filings", "2", digest]) if digest.len() == 16), "{out}");
    assert_eq!(std::fs::read_to_string(copy.join(MARKER))?.trim(), target.name());

    // The node on the copy, with the other engine in its node.toml.
    h.fed.configure(|c| {
        if c.node == pref {
            c.data_dir = copy.clone();
            c.store.engine = Some(target);
        }
    })?;
    let node = h.node(&pref);
    let exe = env!("CARGO_BIN_EXE_extranet-under-test");
    let (mut proc, addr) = extranet_tests::spawn_served(exe, &node.config_path(), &[])?;
    let client = Client::connect(&addr, &node.operator()).await?;
    let held = client.filings().list_filings(pb::ListFilingsRequest::default()).await?.into_inner().filings;
    let mut held_ids: Vec<String> = held.iter().map(|f| f.id.clone()).collect();
    held_ids.sort();
    assert_eq!(held_ids, ids, "the copy holds the node's filings");
    assert!(held.iter().all(|f| f.receipts.len() == 1), "with their receipts: {held:?}");
    // It goes on numbering and sending where it left off.
    let request = pb::FileCutoverRequest { cutover: Some(valid_cutover()), ..Default::default() };
    let next = client.filings().file_cutover(request).await?.into_inner();
    assert!(!ids.contains(&next.id), "a number issued twice: {}", next.id);
    h.wait_filing(&region, &next.id, 1).await?;

    proc.kill()?;
    proc.wait()?;
    h.shutdown().await;
    Ok(())
}
