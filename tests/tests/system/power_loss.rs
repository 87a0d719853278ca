//! An acknowledged filing survives a power cut, not only `kill -9`: the
//! prefecture's data directory lives on an ext4 loop disk whose power the
//! test cuts under load (`extranet_tests::power`), then brings back.
//! Restarted on what the disk kept, the node holds every filing it
//! acknowledged, each once, on either store engine — and the model itself
//! is checked to throw away what was not fsynced.
#![cfg(target_os = "linux")]

use std::sync::{Arc, Mutex};

use extranet_node::client::{Client, CredentialDir};
use extranet_node::config::NodeConfig;
use extranet_node::store::engine::EngineKind;
use extranet_proto::v1 as pb;
use extranet_tests::power::{PowerCutDisk, skipped};
use extranet_tests::{Harness, PATIENCE, Served, eventually, valid_cutover};

/// Acknowledged filings before the power is cut.
const BEFORE_CUT: usize = 200;
/// Clients filing at once.
const WRITERS: usize = 8;

fn spawn_node(config: &std::path::Path) -> anyhow::Result<(Served, String)> {
    Served::spawn(env!("CARGO_BIN_EXE_extranet-under-test"), config, &[])
}

fn cutover() -> pb::FileCutoverRequest {
    pb::FileCutoverRequest { cutover: Some(valid_cutover()), ..Default::default() }
}

/// Eight clients file as fast as they can; the power is cut once 200
/// filings are acknowledged, with writes in flight; then the node is killed
/// and the power comes back. Restarted, the node holds every filing it
/// acknowledged, each once, and takes a new one.
async fn acknowledged_survive_power_cut(engine: EngineKind) -> anyhow::Result<()> {
    let h = Harness::created(&["540000", "540000/540100"])?;
    let mut disk = PowerCutDisk::new()?;
    let node = h.node(&h.prefecture());
    let cfg_path = node.config_path();
    let mut cfg = NodeConfig::load(&cfg_path)?;
    cfg.store.engine = Some(engine);
    cfg.data_dir = disk.path().join("data");
    cfg.save(&cfg_path)?;
    let creds = node.operator();

    let (proc1, addr) = spawn_node(&cfg_path)?;
    extranet_tests::register_cutover_unit(&Client::connect(&addr, &creds).await?).await?;
    let acked = file_until_power_cut(&addr, &creds, &disk).await?;
    drop(proc1); // kill -9, reaped
    disk.restore_power()?;

    let (_proc2, addr) = spawn_node(&cfg_path)?;
    let client = Client::connect(&addr, &creds).await?;
    let mut held = held_ids(client.clone()).await?;
    held.sort();
    let missing: Vec<_> = acked.iter().filter(|id| held.binary_search(id).is_err()).collect();
    eprintln!(
        "{}: {} acknowledged before the cut, {} held after it, {} lost",
        engine.name(),
        acked.len(),
        held.len(),
        missing.len()
    );
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged filings lost on {} by the power cut, the first: {:?}",
        missing.len(),
        acked.len(),
        engine.name(),
        &missing[..missing.len().min(20)]
    );
    let mut unique = held.clone();
    unique.dedup();
    assert_eq!(unique.len(), held.len(), "a filing is held twice after the power cut");

    let new = client.filings().file_cutover(cutover()).await?.into_inner();
    assert!(held.binary_search(&new.id).is_err(), "the new filing reused the id {} of a held one", new.id);
    let got = client.filings().get_filing(pb::GetFilingRequest { id: new.id.clone() }).await?;
    assert_eq!(got.into_inner().id, new.id, "the filing made after the power came back is held");
    Ok(())
}

/// Files from [`WRITERS`] clients of the node at `addr` until
/// [`BEFORE_CUT`] are acknowledged, cuts the disk's power, and returns
/// every id acknowledged (sorted) once each client has seen its first error.
async fn file_until_power_cut(addr: &str, creds: &CredentialDir, disk: &PowerCutDisk) -> anyhow::Result<Vec<String>> {
    let client = Client::connect(addr, creds).await?;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for _ in 0..WRITERS {
        let (mut filings, acked) = (client.filings(), acked.clone());
        writers.push(tokio::spawn(async move {
            // ends with the first error: the dead disk
            while let Ok(f) = filings.file_cutover(cutover()).await {
                acked.lock().unwrap().push(f.into_inner().id);
            }
        }));
    }
    eventually("200 filings acknowledged", PATIENCE, async || {
        let n = acked.lock().unwrap().len();
        Ok((n >= BEFORE_CUT, n))
    })
    .await?;
    disk.cut_power()?;
    for w in writers {
        w.await?;
    }
    let mut acked = acked.lock().unwrap().clone();
    acked.sort();
    Ok(acked)
}

/// Every filing id the node holds, paged through `ListFilings`.
async fn held_ids(client: Client) -> anyhow::Result<Vec<String>> {
    extranet_node::cli::pages::collect(u32::MAX, client, async |c: Client, page_token, page_size| {
        let req = pb::ListFilingsRequest { page_token, page_size, ..Default::default() };
        let page = c.filings().list_filings(req).await?.into_inner();
        Ok((page.filings.into_iter().map(|f| f.id).collect(), page.next_page_token))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_filings_survive_a_power_cut_on_sled() -> anyhow::Result<()> {
    if skipped("acknowledged_filings_survive_a_power_cut_on_sled")? {
        return Ok(());
    }
    acknowledged_survive_power_cut(EngineKind::Sled).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_filings_survive_a_power_cut_on_redb() -> anyhow::Result<()> {
    if skipped("acknowledged_filings_survive_a_power_cut_on_redb")? {
        return Ok(());
    }
    acknowledged_survive_power_cut(EngineKind::Redb).await
}

/// The model proves something only if it loses what was not fsynced: a
/// file written and fsynced is intact after the cut, one written without
/// fsync is gone or short.
#[test]
fn the_power_cut_model_loses_what_was_not_fsynced() -> anyhow::Result<()> {
    use std::io::Write;
    if skipped("the_power_cut_model_loses_what_was_not_fsynced")? {
        return Ok(());
    }
    let mut disk = PowerCutDisk::new()?;
    let content: Vec<u8> = (0..256 * 1024u32).map(|i| (i % 251) as u8).collect();
    let (synced, unsynced) = (disk.path().join("synced"), disk.path().join("unsynced"));
    let mut f = std::fs::File::create(&synced)?;
    f.write_all(&content)?;
    f.sync_all()?;
    drop(f); // an open file would keep the disk from unmounting
    std::fs::File::open(disk.path())?.sync_all()?;
    std::fs::File::create(&unsynced)?.write_all(&content)?;
    disk.cut_power()?;
    disk.restore_power()?;

    assert_eq!(std::fs::read(&synced)?, content, "the fsynced file is intact after the power cut");
    match std::fs::read(&unsynced) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
        Ok(kept) => assert!(
            kept.len() < content.len(),
            "the file never fsynced survived the power cut whole: the model no longer loses unsynced data"
        ),
    }
    Ok(())
}
