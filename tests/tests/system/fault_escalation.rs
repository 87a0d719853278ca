//! A ticket near and past its deadlines shows up where a duty officer
//! looks: `extranet status`, the oversight view up the tree, Prometheus —
//! and its breach is recorded with nobody acting, once.
//!
//! The clocks run on the node's wall clock; to cross an hour's deadline in
//! a test, the ticket is written into the county's store as it would stand
//! had it been reported 50 minutes (or 2 hours) ago — through the store's
//! own ticket writer, so its counters and index move as in any write.

use extranet_node::config::MetricsConfig;
use extranet_node::domain::fault::FaultReport;
use extranet_node::domain::{Contact, FaultClass, FaultId, FaultTicket};
use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, PATIENCE, eventually};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MIN: i64 = 60_000;

fn reported_ago(h: &Harness, number: u64, minutes: i64) -> FaultTicket {
    let county = h.county_a();
    let at = extranet_node::store::health::now_ms() - minutes * MIN;
    let report = FaultReport {
        unit: None,
        access_point: format!("城关区第 {number} 汇聚点"),
        description: "链路中断".into(),
        down_since_ms: at,
        contact: Contact { name: "卓玛".into(), phone: "13908901234".into() },
        class: FaultClass::Backbone,
    };
    FaultTicket::open(FaultId { origin: county.clone(), number }, report, at, "operator", &county).unwrap()
}

async fn scrape(addr: std::net::SocketAddr) -> anyhow::Result<String> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n").await?;
    let mut out = String::new();
    s.read_to_string(&mut out).await?;
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_near_and_past_its_deadlines_shows_in_status_oversight_and_metrics() -> anyhow::Result<()> {
    let mut h = Harness::created(FOUR)?;
    h.fed.configure(|c| c.metrics = Some(MetricsConfig { listen: "127.0.0.1:0".into() }))?;
    h.fed.start_all().await?;
    let (region, county) = (h.region(), h.county_a());
    let store = &h.running(&county).store;
    // 50 minutes in: 10 left to respond (inside the 15-minute warning);
    // 2 hours in: backbone repair time gone, response an hour late
    let (near, late) = (reported_ago(&h, 1, 50), reported_ago(&h, 2, 130));
    store.transact(|tx| {
        tx.raise_number("fault", 2)?;
        tx.put_fault(&near)?;
        tx.put_fault(&late)?;
        Ok(())
    })?;
    // durable, as any write is: the breach scanner wakes on it
    store.sync().await?;
    let recorded = eventually("the county to record the late ticket's breaches", PATIENCE, async || {
        let t = store.fault(&late.id.key())?.expect("held");
        Ok((t.breaches.len() == 2, t.breaches.len()))
    })
    .await;
    assert!(recorded.is_ok(), "{recorded:?}");
    let t = store.fault(&late.id.key())?.unwrap();
    assert_eq!(t.revision, 2, "recorded in one change");

    let status = h.fed.client(&county).await?.status().get_status(pb::GetStatusRequest {}).await?.into_inner();
    let warned = |id: &FaultId, what: &str| status.warnings.iter().any(|w| w.contains(&id.key()) && w.contains(what));
    assert!(warned(&near.id, "响应时限还剩"), "{:?}", status.warnings);
    assert!(warned(&late.id, "修复时限已超过"), "{:?}", status.warnings);

    let row = eventually("the region's view to count the county's faults", PATIENCE, async || {
        let v = h.oversight(&region)?;
        let r = extranet_tests::row(&v, FOUR[2]).clone();
        let t = r.subtree.unwrap_or_default();
        Ok(((t.open_faults, t.faults_warning, t.faults_breached) == (2, 2, 2), r))
    })
    .await?;
    let f = row.summary.and_then(|s| s.faults).expect("fault figures");
    assert_eq!(f.open_by_class.get("backbone"), Some(&2));
    let top = h.oversight(&region)?;
    let at_top = extranet_tests::row(&top, FOUR[0]).subtree.unwrap_or_default();
    assert_eq!((at_top.open_faults, at_top.faults_breached), (2, 2), "the region's total includes the county's");

    let body = scrape(h.running(&county).metrics_addr.expect("metrics")).await?;
    for line in [
        "extranet_faults_open{class=\"backbone\"} 2",
        "extranet_faults_warning 2",
        "extranet_faults_breached_this_year 2",
    ] {
        assert!(body.contains(line), "{line} in:\n{body}");
    }
    h.shutdown().await;
    Ok(())
}
