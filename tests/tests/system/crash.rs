//! An acknowledged filing survives `kill -9` of a real `extranet serve`
//! process and is delivered upstream after the restart — also when the
//! process is killed under load, with writes in flight, on either store
//! engine.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use extranet_node::client::Client;
use extranet_node::config::NodeConfig;
use extranet_node::store::engine::EngineKind;
use extranet_tests::{Harness, PATIENCE, eventually, valid_cutover};

const FILINGS: usize = 20;

fn spawn_node(config: &std::path::Path) -> anyhow::Result<(std::process::Child, String)> {
    extranet_tests::spawn_served(env!("CARGO_BIN_EXE_extranet-under-test"), config, &[])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_filings_survive_kill_9() -> anyhow::Result<()> {
    let mut h = Harness::created(&["540000", "540000/540100"])?;
    let (region, pref) = (h.region(), h.prefecture());
    // start the region once to fix its port, then take it down so nothing can leave the prefecture
    h.fed.start(&region).await?;
    h.fed.stop(&region).await?;

    let node = h.node(&pref);
    let cfg_path = node.config_path();
    let mut cfg = NodeConfig::load(&cfg_path)?;
    cfg.parent = Some(h.node(&region).config.listen.clone());
    cfg.save(&cfg_path)?;
    let creds = node.operator();

    let (mut proc1, addr) = spawn_node(&cfg_path)?;
    let client = Client::connect(&addr, &creds).await?;
    extranet_tests::register_cutover_unit(&client).await?;
    let mut ids = Vec::new();
    for _ in 0..FILINGS {
        let f = client
            .filings()
            .file_cutover(extranet_proto::v1::FileCutoverRequest {
                cutover: Some(valid_cutover()),
                ..Default::default()
            })
            .await?;
        ids.push(f.into_inner().id);
    }
    proc1.kill()?; // SIGKILL: no shutdown path runs
    proc1.wait()?;

    let (mut proc2, addr) = spawn_node(&cfg_path)?;
    let client = Client::connect(&addr, &creds).await?;
    let held =
        client.filings().list_filings(extranet_proto::v1::ListFilingsRequest::default()).await?.into_inner().filings;
    let mut held_ids: Vec<String> = held.into_iter().map(|f| f.id).collect();
    held_ids.sort();
    assert_eq!(held_ids, ids, "every acknowledged filing survived kill -9");

    h.fed.start(&region).await?;
    for id in &ids {
        h.wait_filing(&region, id, 1).await?;
    }
    let events = h.up_events(&region, &pref)?;
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=FILINGS as u64).collect::<Vec<_>>());
    let _ = proc2.kill();
    let _ = proc2.wait();
    tokio::time::sleep(Duration::from_millis(10)).await;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_a_node_cleanly() -> anyhow::Result<()> {
    let h = Harness::created(&["540000"])?;
    let node = h.node(&h.region());
    let (mut proc, addr) = spawn_node(&node.config_path())?;
    let client = Client::connect(&addr, &node.operator()).await?;
    client.status().get_status(extranet_proto::v1::GetStatusRequest {}).await?;
    let status = Command::new("kill").args(["-TERM", &proc.id().to_string()]).status()?;
    assert!(status.success());
    let exit = eventually("the node to stop on SIGTERM", Duration::from_secs(20), async || {
        Ok(proc.try_wait()?.ok_or("still running"))
    })
    .await?;
    assert!(exit.success(), "clean exit on SIGTERM, got {exit:?}");
    // and its data directory opens again at once (the store was closed)
    let (mut again, _) = spawn_node(&node.config_path())?;
    again.kill()?;
    again.wait()?;
    Ok(())
}

/// A storage call that never returns (sled #1412 froze nodes for good) is
/// noticed by the watchdog: the node stays answerable meanwhile, then exits
/// with status 75 so systemd (`Restart=on-failure`) restarts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_store_exits_75_for_the_supervisor_and_answers_status_meanwhile() -> anyhow::Result<()> {
    let h = Harness::created(&["540000"])?;
    let node = h.node(&h.region());
    let mut cfg = NodeConfig::load(&node.config_path())?;
    cfg.store.stall_after_secs = 2;
    cfg.store.restart = extranet_node::store::SelfRestart::Exit;
    cfg.save(&node.config_path())?;
    let exe = env!("CARGO_BIN_EXE_extranet-under-test");
    let (mut proc, addr) =
        extranet_tests::spawn_served(exe, &node.config_path(), &[("EXTRANET_FAILPOINT", "flush-hang")])?;
    let client = Client::connect(&addr, &node.operator()).await?;
    let mut units = client.units();
    let unit = Some(extranet_tests::valid_unit("u0001", "540000"));
    let filing = tokio::spawn(async move {
        units.register_unit(extranet_proto::v1::RegisterUnitRequest { unit, ..Default::default() }).await
    });
    // While the flush hangs, the node still answers status.
    client.status().get_status(extranet_proto::v1::GetStatusRequest {}).await?;
    let exit = eventually("the node with a hung flush to exit", Duration::from_secs(30), async || {
        Ok(proc.try_wait()?.ok_or("still running"))
    })
    .await?;
    assert_eq!(exit.code(), Some(75), "exit status for the supervisor: {exit:?}");
    let answer = filing.await?;
    assert!(answer.is_err(), "a write whose flush hung was acknowledged: {answer:?}");
    Ok(())
}

/// Eight clients file as fast as they can; the node is killed with
/// `kill -9` once 200 filings are acknowledged, writes still in flight.
/// Restarted, it holds every filing it acknowledged, each once.
async fn acknowledged_under_load_survive_kill_9(engine: EngineKind) -> anyhow::Result<()> {
    let h = Harness::created(&["540000", "540000/540100"])?;
    let node = h.node(&h.prefecture());
    let cfg_path = node.config_path();
    let mut cfg = NodeConfig::load(&cfg_path)?;
    cfg.store.engine = Some(engine);
    cfg.save(&cfg_path)?;
    let creds = node.operator();
    let (mut proc1, addr) = spawn_node(&cfg_path)?;
    let client = Client::connect(&addr, &creds).await?;
    extranet_tests::register_cutover_unit(&client).await?;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for _ in 0..8 {
        let (mut filings, acked) = (client.filings(), acked.clone());
        writers.push(tokio::spawn(async move {
            let req =
                || extranet_proto::v1::FileCutoverRequest { cutover: Some(valid_cutover()), ..Default::default() };
            // ends with the first error: the kill
            while let Ok(f) = filings.file_cutover(req()).await {
                acked.lock().unwrap().push(f.into_inner().id);
            }
        }));
    }
    eventually("200 filings acknowledged", PATIENCE, async || {
        let n = acked.lock().unwrap().len();
        Ok((n >= 200, n))
    })
    .await?;
    proc1.kill()?; // SIGKILL with writes in flight
    proc1.wait()?;
    for w in writers {
        w.await?;
    }
    let mut acked = acked.lock().unwrap().clone();
    acked.sort();
    let (mut proc2, addr) = spawn_node(&cfg_path)?;
    let client = Client::connect(&addr, &creds).await?;
    let mut held = extranet_node::cli::pages::collect(u32::MAX, client, async |c: Client, page_token, page_size| {
        let req = extranet_proto::v1::ListFilingsRequest { page_token, page_size, ..Default::default() };
        let page = c.filings().list_filings(req).await?.into_inner();
        Ok((page.filings.into_iter().map(|f| f.id).collect(), page.next_page_token))
    })
    .await?;
    held.sort();
    let missing: Vec<_> = acked.iter().filter(|id| held.binary_search(id).is_err()).collect();
    assert!(missing.is_empty(), "{} acknowledged filings lost on {}: {missing:?}", missing.len(), engine.name());
    let mut unique = held.clone();
    unique.dedup();
    assert_eq!(unique.len(), held.len(), "a filing is held twice");
    let _ = proc2.kill();
    let _ = proc2.wait();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_filings_survive_kill_9_under_load_on_sled() -> anyhow::Result<()> {
    acknowledged_under_load_survive_kill_9(EngineKind::Sled).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_filings_survive_kill_9_under_load_on_redb() -> anyhow::Result<()> {
    acknowledged_under_load_survive_kill_9(EngineKind::Redb).await
}
