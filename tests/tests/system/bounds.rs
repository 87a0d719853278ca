//! A hostile client or peer cannot make a node hold hundreds of megabytes:
//! a real `extranet serve` process is flooded with oversized and
//! over-long requests and sync frames, refuses each with the status its
//! bound names, and its peak resident memory (VmHWM) stays under the bound
//! stated in docs/security.md.

use extranet_certs::{Identity, NodeId, TlsMaterial, transport};
use extranet_node::client::Client;
use extranet_node::domain::limits;
use extranet_proto::v1 as pb;
use extranet_proto::v1::federation_client::FederationClient;
use extranet_tests::{Harness, valid_cutover};
use tonic::Code;

/// The bound of docs/security.md ("Memory"): peak resident memory of a node
/// under abuse from clients and peers.
const RSS_BOUND_KIB: u64 = 256 << 10;

fn spawn_node(config: &std::path::Path) -> anyhow::Result<(std::process::Child, String)> {
    extranet_tests::spawn_served(env!("CARGO_BIN_EXE_extranet-under-test"), config, &[])
}

/// A field of `/proc/<pid>/status`, in KiB.
fn proc_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with(field)).ok_or_else(|| anyhow::anyhow!("no {field}"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}

/// A cutover naming `n` affected units of about 13 bytes each.
fn cutover_naming(n: usize) -> pb::FileCutoverRequest {
    let mut c = valid_cutover();
    c.affected_units = (0..n).map(|i| format!("单位{i:07}")).collect();
    pb::FileCutoverRequest { cutover: Some(c), ..Default::default() }
}

/// A sync frame of one event carrying `bytes` of payload, as from `origin`.
fn big_frame(origin: &NodeId, seq: u64, bytes: usize) -> pb::SyncFrame {
    let e = pb::Envelope {
        origin: origin.to_string(),
        channel: pb::Channel::Up as i32,
        seq,
        scope_kind: 0,
        scope: String::new(),
        kind: "filing.v1".into(),
        payload: vec![0x5a; bytes],
        created_at_ms: 1,
    };
    pb::SyncFrame { frame: Some(pb::sync_frame::Frame::Events(pb::EventBatch { events: vec![e], skips: vec![] })) }
}

/// A child opens a sync stream and sends a frame over the frame bound; the
/// status it ends with.
async fn oversized_sync(
    addr: &str,
    parent: &NodeId,
    child: &NodeId,
    tls: &TlsMaterial,
) -> anyhow::Result<tonic::Status> {
    let channel = transport::connect(addr, &Identity::node(parent.clone()), tls).await?;
    let hello = pb::Hello {
        node: child.to_string(),
        cursors: vec![],
        software_version: "test".into(),
        dead_after_ms: 0,
        skips: false,
    };
    let frames = vec![
        pb::SyncFrame { frame: Some(pb::sync_frame::Frame::Hello(hello)) },
        big_frame(child, 1, extranet_federation::MAX_MESSAGE_BYTES + 1),
    ];
    let mut client = FederationClient::new(channel).max_encoding_message_size(64 << 20);
    let mut inbound = match client.sync(tokio_stream::iter(frames)).await {
        Ok(r) => r.into_inner(),
        Err(s) => return Ok(s),
    };
    loop {
        match inbound.message().await {
            Ok(Some(_)) => continue,
            Ok(None) => anyhow::bail!("the stream ended cleanly after an oversized frame"),
            Err(s) => return Ok(s),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooded_node_refuses_and_stays_under_its_memory_bound() -> anyhow::Result<()> {
    let h = Harness::created(&["540000", "540000/540100"])?;
    let (region, pref) = (h.region(), h.prefecture());
    let node = h.node(&region);
    let (mut proc, addr) = spawn_node(&node.config_path())?;
    let pid = proc.id();
    let client = Client::connect(&addr, &node.operator()).await?;
    let mut filings = client.filings();
    // the node answers, and files what is within bounds
    let unit = extranet_tests::valid_unit(extranet_tests::CUTOVER_UNIT, "540000");
    client.units().register_unit(pb::RegisterUnitRequest { unit: Some(unit), ..Default::default() }).await?;
    let ok = filings.file_cutover(pb::FileCutoverRequest { cutover: Some(valid_cutover()), ..Default::default() });
    let ok = ok.await?.into_inner();
    let start_kib = proc_kib(pid, "VmRSS:")?;

    // the request: 280,000 affected units, 3.9 MB — refused unread, many times over, in parallel
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let mut f = filings.clone();
        tasks.push(tokio::spawn(async move {
            let huge = cutover_naming(280_000);
            let mut codes = Vec::new();
            for _ in 0..10 {
                let s = f.file_cutover(huge.clone()).await.expect_err("a 3.9 MB request is refused");
                codes.push(s.code());
            }
            codes
        }));
    }
    for t in tasks {
        for code in t.await? {
            assert_eq!(
                code,
                Code::InvalidArgument,
                "a request over {} bytes is refused by size",
                limits::MAX_REQUEST_BYTES
            );
        }
    }
    // just under the request bound but over the element bound
    for _ in 0..20 {
        let s = filings.file_cutover(cutover_naming(15_000)).await.unwrap_err();
        assert_eq!(s.code(), Code::InvalidArgument, "{s:?}");
        assert!(s.message().contains("cutover.affected_units"), "{}", s.message());
    }
    // a child peer sends a frame over the frame bound
    let child_dir = h.node(&pref).dir.join("tls");
    let child_tls =
        TlsMaterial::load(&child_dir.join("root.pem"), &child_dir.join("node.pem"), &child_dir.join("node.key"))?;
    for _ in 0..4 {
        let s = oversized_sync(&addr, &region, &pref, &child_tls).await?;
        assert_eq!(
            s.code(),
            Code::InvalidArgument,
            "a sync frame over {} bytes: {s:?}",
            extranet_federation::MAX_MESSAGE_BYTES
        );
        assert!(s.message().contains("上限"), "{}", s.message());
    }

    // nothing oversized was kept, the node still lists, and its memory stayed bounded
    let r = filings.list_filings(pb::ListFilingsRequest { page_size: 5, ..Default::default() }).await?.into_inner();
    assert_eq!(r.filings.iter().map(|f| f.id.clone()).collect::<Vec<_>>(), vec![ok.id]);
    let peak_kib = proc_kib(pid, "VmHWM:")?;
    let now_kib = proc_kib(pid, "VmRSS:")?;
    eprintln!("resident memory: {start_kib} KiB before the flood, peak {peak_kib} KiB, {now_kib} KiB after");
    assert!(
        peak_kib < RSS_BOUND_KIB,
        "peak resident memory {peak_kib} KiB (started at {start_kib} KiB, now {now_kib} KiB) exceeds the documented {RSS_BOUND_KIB} KiB"
    );
    proc.kill()?;
    proc.wait()?;
    Ok(())
}
