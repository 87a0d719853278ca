//! A node restored from an older backup — or lost entirely and started on an
//! empty data directory — takes back from its parent what it wrote and the
//! parent holds, before it writes again: nothing acknowledged is lost, and no
//! filing number or sequence number is issued twice.
//!
//! ```text
//!   540000 region
//!     └ 540100 Lhasa
//!         ├ 540102 Chengguan   (files; backed up; restored or wiped)
//!         └ 540103 Doilungdêqên
//! ```
//!
//! And a prefecture restored takes its own down stream (the delegations it
//! made) back from a child, so it never delegates the same space twice.

use std::path::Path;

use extranet_certs::NodeId;
use extranet_node::domain::AppState;
use extranet_node::store::NodeStore;
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, PATIENCE, eventually, valid_cutover};

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

async fn file(h: &Harness, n: &NodeId) -> anyhow::Result<String> {
    Ok(h.file_cutover(n, valid_cutover()).await?.id)
}

/// Starts `n` again (an in-process restart may find the old store's lock
/// held for a moment by the stopped node's last tasks).
async fn restart(h: &mut Harness, n: &NodeId) -> anyhow::Result<()> {
    eventually(&format!("{n} to start"), PATIENCE, async || Ok(h.fed.start(n).await.map_err(|e| e.to_string()))).await
}

/// Files at `n` as a client that retries `UNAVAILABLE` (recovering) would;
/// returns the filing number and how many times it was told to wait.
async fn file_when_ready(h: &Harness, n: &NodeId) -> anyhow::Result<(String, usize)> {
    let mut refused = 0;
    let id = eventually(&format!("{n} to accept a filing after the restore"), PATIENCE, async || {
        match h.file_cutover(n, valid_cutover()).await {
            Ok(f) => Ok(Ok(f.id)),
            Err(s) if s.code() == tonic::Code::Unavailable => {
                anyhow::ensure!(s.message().contains("恢复"), "refused for another reason: {}", s.message());
                refused += 1;
                Ok(Err(s))
            }
            Err(s) => anyhow::bail!("filing after the restore failed: {s:?}"),
        }
    })
    .await?;
    Ok((id, refused))
}

/// Files 2, backs up, files 3 more (they reach the region), then `lose`
/// the county's data (restore the backup, or wipe it) and starts it in
/// confirm mode. Returns the harness and the county.
async fn lose_data_after_five(lose: impl Fn(&Path, &Path) -> std::io::Result<()>) -> anyhow::Result<(Harness, NodeId)> {
    let mut h = Harness::four().await?;
    let (region, county) = (h.region(), h.county_a());
    for _ in 0..2 {
        file(&h, &county).await?;
    }
    h.wait_filing(&region, "540102-000002", 0).await?;
    let backup = back_up(&mut h, &county).await?;
    for _ in 0..3 {
        file(&h, &county).await?;
    }
    h.wait_filing(&region, "540102-000005", 0).await?;
    lose_and_restart(&mut h, &county, |data| lose(&backup, data)).await?;
    Ok((h, county))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_restored_from_an_old_backup_takes_its_filings_back_and_never_reuses_a_number() -> anyhow::Result<()> {
    let (h, county) = lose_data_after_five(copy_dir).await?;
    let (next, _) = file_when_ready(&h, &county).await?;
    assert_eq!(next, "540102-000006", "a filing number the region already holds was issued again");
    for n in 3..=5 {
        let key = format!("540102-{n:06}");
        assert!(h.running(&county).store.filing(&key)?.is_some(), "{key}, filed after the backup, is not back");
    }
    let region = h.region();
    h.wait_filing(&region, "540102-000006", 0).await?;
    let at_region = h.up_events(&region, &county)?;
    let seqs: Vec<u64> = at_region.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "the region's copy has a gap or a repeat");
    let filed = h.running(&region).store.filings(Some(&county), 100)?;
    assert_eq!(filed.len(), 6, "the region holds each of the county's filings once: {filed:?}");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_whose_disk_was_lost_gets_back_everything_its_parent_holds() -> anyhow::Result<()> {
    let (h, county) = lose_data_after_five(|_, data| std::fs::create_dir_all(data)).await?;
    let (next, _) = file_when_ready(&h, &county).await?;
    assert_eq!(next, "540102-000006");
    for n in 1..=5 {
        let key = format!("540102-{n:06}");
        assert!(h.running(&county).store.filing(&key)?.is_some(), "{key} not recovered from the parent");
    }
    h.shutdown().await;
    Ok(())
}

use extranet_tests::wait_store as wait;

/// The four-node harness on a topology that lists exactly its nodes: a
/// restored node in confirm mode waits for every child its topology lists.
async fn four_as_the_whole_topology() -> anyhow::Result<Harness> {
    let mut h = Harness::created(&["540000", "540000/540100", "540000/540100/540102", "540000/540100/540103"])?;
    let topo = h.node(&h.region()).dir.join("four.tsv");
    std::fs::write(
        &topo,
        "code\tlevel\tname_zh\tname_en\tparent_code\n540000\tregion\t西藏自治区\tXizang\t\n\
         540100\tprefecture\t拉萨市\tLhasa\t540000\n540102\tcounty\t城关区\tChengguan\t540100\n\
         540103\tcounty\t堆龙德庆区\tDoilungdeqen\t540100\n",
    )?;
    h.fed.configure(move |cfg| cfg.oversight.topology = Some(topo.clone()))?;
    h.fed.start_all().await?;
    Ok(h)
}

fn delegated_to(store: &NodeStore, child: &NodeId) -> Option<String> {
    let ds = store.ipam_delegations().unwrap_or_default();
    ds.into_iter().find(|d| &d.child == child && d.is_live()).map(|d| d.prefix.to_string())
}

/// Delegates at `at` to `child`, retrying while `at` recovers.
async fn delegate(h: &Harness, at: &NodeId, child: &NodeId) -> anyhow::Result<pb::DelegationRecord> {
    eventually(&format!("{at} to delegate to {child} once recovered"), PATIENCE, async || {
        let c = h.fed.client(at).await?;
        match c.ipam().delegate(pb::DelegateRequest { child: child.to_string(), ..Default::default() }).await {
            Ok(d) => Ok(Ok(d.into_inner())),
            Err(s) if s.code() == tonic::Code::Unavailable => Ok(Err(s)),
            Err(s) => anyhow::bail!("delegate at {at}: {s:?}"),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefecture_restored_takes_its_delegations_back_from_a_child_and_never_delegates_them_twice()
-> anyhow::Result<()> {
    let mut h = four_as_the_whole_topology().await?;
    let (region, pref, a, b) = (h.region(), h.prefecture(), h.county_a(), h.county_b());
    let rc = h.fed.client(&region).await?;
    rc.ipam().add_root(pb::AddRootRequest { prefix: "2408:8000::/32".into(), ..Default::default() }).await?;
    delegate(&h, &region, &pref).await?;
    wait("prefecture pool", &h.running(&pref).store, |s| delegated_to(s, &pref).is_some()).await?;
    let backup = back_up(&mut h, &pref).await?;
    let to_a = delegate(&h, &pref, &a).await?;
    wait("county A's pool", &h.running(&a).store, |s| delegated_to(s, &a).is_some()).await?;
    restore_from(&mut h, &pref, &backup).await?;
    let to_b = delegate(&h, &pref, &b).await?;
    let store = &h.running(&pref).store;
    assert_eq!(delegated_to(store, &a), Some(to_a.prefix.clone()), "the delegation to county A is not back");
    let (pa, pb_): (ipnet::IpNet, ipnet::IpNet) = (to_a.prefix.parse()?, to_b.prefix.parse()?);
    assert!(!pa.contains(&pb_.network()) && !pb_.contains(&pa.network()), "{pa} delegated again as {pb_}");
    h.shutdown().await;
    Ok(())
}

const CHENGGUAN: &str = "540000/540100/540102";

fn application(span: pb::AccessSpan) -> pb::SubmitRequest {
    pb::SubmitRequest {
        kind: pb::ApplicationKind::New as i32,
        form: Some(extranet_tests::valid_form(span)),
        ..Default::default()
    }
}

/// Lodges `span` for unit `u0001` at `n`, retrying while `n` recovers; returns the application id.
async fn lodge_when_ready(h: &Harness, n: &NodeId, span: pb::AccessSpan) -> anyhow::Result<String> {
    eventually(&format!("{n} to accept an application"), PATIENCE, async || {
        let unit = h.unit_client(n, "u0001").await?;
        match unit.access().submit(application(span)).await {
            Ok(a) => Ok(Ok(a.into_inner().id)),
            Err(s) if s.code() == tonic::Code::Unavailable => Ok(Err(s)),
            Err(s) => anyhow::bail!("lodging at {n}: {s:?}"),
        }
    })
    .await
}

/// Stops `n`, puts `backup` back as its data directory and starts it in confirm mode.
async fn restore_from(h: &mut Harness, n: &NodeId, backup: &Path) -> anyhow::Result<()> {
    lose_and_restart(h, n, |data| copy_dir(backup, data)).await
}

/// Stops `n`, removes its data directory, lets `refill` put back what the
/// office has (a backup, or nothing) and starts it in confirm mode.
async fn lose_and_restart(
    h: &mut Harness,
    n: &NodeId,
    refill: impl FnOnce(&Path) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    h.fed.stop(n).await?;
    let data = h.node(n).config.data_dir.clone();
    std::fs::remove_dir_all(&data)?;
    refill(&data)?;
    let m = n.clone();
    h.fed.configure(move |cfg| cfg.sync.confirm_own_streams = cfg.node == m)?;
    restart(h, n).await
}

/// Stops `n`, copies its data directory aside and starts it again.
async fn back_up(h: &mut Harness, n: &NodeId) -> anyhow::Result<std::path::PathBuf> {
    h.fed.stop(n).await?;
    let data = h.node(n).config.data_dir.clone();
    let backup = data.with_file_name("backup");
    copy_dir(&data, &backup)?;
    restart(h, n).await?;
    Ok(backup)
}

/// After the backup a unit registers at the county and lodges two
/// applications: one the prefecture decides (Art.15 sends it up), one the
/// county decides itself. Restored, the county takes back the forwarded one
/// and its unit from the prefecture, hears the prefecture's approval again,
/// and never issues either number again; of the local one only its deadline
/// summary left the node, and status lists it as not re-applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_restored_takes_back_the_applications_that_left_it_and_never_reuses_their_numbers()
-> anyhow::Result<()> {
    let mut h = Harness::four().await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    let backup = back_up(&mut h, &county).await?;
    h.register_unit(&county, extranet_tests::valid_unit("u0001", CHENGGUAN)).await?;
    let up = lodge_when_ready(&h, &county, pb::AccessSpan::PrefectureAndBelow).await?;
    let local = lodge_when_ready(&h, &county, pb::AccessSpan::Local).await?;
    assert_eq!((up.as_str(), local.as_str()), ("540102-A000001", "540102-A000002"));
    h.wait_application(&pref, &up, |_| true).await?;
    let approve = pb::ApproveRequest { id: up.clone(), access_plan: "方案".into(), ..Default::default() };
    h.fed.client(&pref).await?.access().approve(approve).await?;
    h.wait_application(&county, &up, |a| a.state == AppState::Approved).await?;
    wait("the local application's summary at the prefecture", &h.running(&pref).store, |s| {
        s.deadline_summaries().unwrap_or_default().iter().any(|x| x.id == local)
    })
    .await?;

    restore_from(&mut h, &county, &backup).await?;
    let next = lodge_when_ready(&h, &county, pb::AccessSpan::Local).await?;
    assert_eq!(next, "540102-A000003", "an application number issued before the restore was issued again");
    let store = &h.running(&county).store;
    assert!(
        store.unit(&extranet_node::domain::UnitId::parse("u0001")?)?.is_some(),
        "the unit that applied is not back"
    );
    let back = h.wait_application(&county, &up, |a| a.state == AppState::Approved).await?;
    assert!(back.owned_by(&pref), "the forwarded application is back with its routing");
    assert!(store.application(&local)?.is_none(), "a record that never left the county cannot come back");
    let unapplied = store.unapplied()?;
    assert!(
        unapplied.iter().any(|u| u.kind == extranet_node::codec::KIND_ACCESS_SUMMARY && u.error.contains(&local)),
        "the local application's summary is listed as not re-applied: {unapplied:?}"
    );
    h.shutdown().await;
    Ok(())
}

/// The prefecture approves an application a county forwarded, after its
/// backup; restored, it takes the approved record back from the county
/// (the decision it sent down), so it does not review the application again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefecture_restored_takes_back_the_decisions_it_sent_down() -> anyhow::Result<()> {
    let mut h = four_as_the_whole_topology().await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    h.register_unit(&county, extranet_tests::valid_unit("u0001", CHENGGUAN)).await?;
    let up = lodge_when_ready(&h, &county, pb::AccessSpan::PrefectureAndBelow).await?;
    let lodged = h.wait_application(&pref, &up, |_| true).await?;
    let backup = back_up(&mut h, &pref).await?;
    let approve = pb::ApproveRequest { id: up.clone(), access_plan: "方案".into(), ..Default::default() };
    h.fed.client(&pref).await?.access().approve(approve).await?;
    let decided = h.wait_application(&county, &up, |a| a.state == AppState::Approved).await?;
    assert!(decided.revision > lodged.revision);

    restore_from(&mut h, &pref, &backup).await?;
    let back = h.wait_application(&pref, &up, |a| a.state == AppState::Approved).await?;
    assert_eq!(back.revision, decided.revision, "the prefecture holds its own latest record again");
    assert_eq!(back.access_plan.as_deref(), Some("方案"));
    h.shutdown().await;
    Ok(())
}
