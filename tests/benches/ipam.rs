//! Benchmark of address management (prints figures; not a timed test):
//! - durable assignments per second at one node with 1 and 32 concurrent
//!   clients (each acknowledged only after flush + fsync);
//! - verification time over a region of 7 prefectures, 74 counties and
//!   100,000 assignments (the verify core, on generated records).
//!
//! Run: `cargo bench -p extranet-tests --bench ipam`
//! (`BENCH_SECS` sets the seconds per concurrency level, default 3).

use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

use extranet_certs::NodeId;
use extranet_node::domain::ipam::{AssigneeId, Assignment, AssignmentId, Delegation, Purpose, RecordState, verify};
use extranet_proto::v1 as pb;
use extranet_tests::Harness;
use ipnet::{IpNet, Ipv6Net};

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let secs: u64 = std::env::var("BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let h = Harness::tree(&["540000"]).await?;
    let c = h.fed.client(&h.region()).await?;
    c.ipam().add_root(pb::AddRootRequest { prefix: "2408:8000::/32".into(), ..Default::default() }).await?;
    println!("durable /64 assignments/s at one node, {secs} s per level:");
    for clients in [1usize, 32] {
        let (rate, held) = throughput(&h, clients, Duration::from_secs(secs)).await?;
        println!("  {clients:>3} clients: {rate:>8.0} assignments/s  ({held} assignments held after the run)");
    }
    h.shutdown().await;
    let (d, a) = region(100_000);
    let region = NodeId::parse("540000")?;
    let root: IpNet = "2408:8000::/32".parse()?;
    let mut samples = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let r = verify(&region, &[root], &d, &a);
        samples.push(t0.elapsed());
        anyhow::ensure!(r.passed() && r.assignments == a.len(), "generated region must verify");
    }
    samples.sort();
    println!(
        "verify over {} delegations and {} assignments: median {:.1} ms (of 5 runs)",
        d.len(),
        a.len(),
        samples[2].as_secs_f64() * 1e3
    );
    Ok(())
}

async fn throughput(h: &Harness, clients: usize, dur: Duration) -> anyhow::Result<(f64, usize)> {
    let client = h.fed.client(&h.region()).await?;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..clients {
        let mut ipam = client.ipam();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while start.elapsed() < dur {
                let req = pb::AssignRequest {
                    purpose: pb::Purpose::AccessUnit as i32,
                    assignee: format!("unit-{i}"),
                    serves: "bench".into(),
                    ..Default::default()
                };
                ipam.assign(req).await?;
                n += 1;
            }
            Ok::<u64, tonic::Status>(n)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    let held = h.running(&h.region()).store.ipam_assignments()?.len();
    Ok((total as f64 / start.elapsed().as_secs_f64(), held))
}

fn v6(base: u128, len: u8) -> IpNet {
    IpNet::V6(Ipv6Net::new(Ipv6Addr::from(base), len).expect("valid length"))
}

/// A region: 7 prefecture /40s, 74 county /48s, `n` county /64s.
fn region(n: usize) -> (Vec<Delegation>, Vec<Assignment>) {
    let root = 0x2408_8000_u128 << 96;
    let region = NodeId::parse("540000").expect("id");
    let (mut ds, mut counties) = (Vec::new(), Vec::new());
    for p in 0..7u128 {
        let pref = NodeId::parse(&format!("540000/54{:02}00", p + 1)).expect("id");
        let pnet = root + (p << 88);
        ds.push(delegation(&region, &pref, v6(pnet, 40), ds.len()));
        for c in 0..(if p < 4 { 11 } else { 10 }) as u128 {
            let county = NodeId::parse(&format!("{}/54{:02}{:02}", pref.as_str(), p + 1, c + 1)).expect("id");
            ds.push(delegation(&pref, &county, v6(pnet + (c << 80), 48), ds.len()));
            counties.push((county, pnet + (c << 80)));
        }
    }
    let unit = AssigneeId::new("unit").expect("id");
    let a = (0..n)
        .map(|i| {
            let (county, base) = &counties[i % counties.len()];
            let k = (i / counties.len()) as u128;
            Assignment {
                id: AssignmentId { node: county.clone(), number: i as u64 + 1 },
                prefix: v6(base + (k << 64), 64),
                purpose: Purpose::AccessUnit,
                assignee: unit.clone(),
                serves: "bench".into(),
                by: "bench".into(),
                at_ms: 0,
                ipv4_justification: None,
                ipv4_approved_by: None,
                state: RecordState::Live,
            }
        })
        .collect();
    (ds, a)
}

fn delegation(parent: &NodeId, child: &NodeId, prefix: IpNet, number: usize) -> Delegation {
    Delegation {
        parent: parent.clone(),
        number: number as u64 + 1,
        child: child.clone(),
        prefix,
        by: "bench".into(),
        at_ms: 0,
        state: RecordState::Live,
    }
}
