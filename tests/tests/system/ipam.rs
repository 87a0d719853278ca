//! Address management across a real federation: delegations travel down and
//! become the child's pool, assignments travel up so the region can verify
//! the whole tree, counties keep assigning while cut off, concurrent
//! operators never get overlapping space, reclaiming a unit reclaims
//! everything it holds, and forged delegations are refused.

use extranet_certs::NodeId;
use extranet_federation::{Accepted, Channel, Envelope, EventStore, Route, Scope, StreamId};
use extranet_node::codec;
use extranet_node::domain::ipam::{Delegation, RecordState};
use extranet_node::store::NodeStore;
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, PATIENCE, id};
use ipnet::IpNet;

const ROOT: &str = "2408:8000::/32";

use extranet_tests::wait_store as wait;

/// Whether `store` holds a live delegation to `child` (its pool there).
fn has_pool(store: &NodeStore, child: &NodeId) -> bool {
    store.ipam_delegations().unwrap_or_default().iter().any(|d| &d.child == child && d.is_live())
}

fn assign_req(assignee: &str) -> pb::AssignRequest {
    pb::AssignRequest {
        purpose: pb::Purpose::AccessUnit as i32,
        assignee: assignee.into(),
        serves: "540102-000001".into(),
        ..Default::default()
    }
}

async fn delegate(h: &Harness, at: &NodeId, child: &NodeId) -> anyhow::Result<pb::DelegationRecord> {
    let c = h.fed.client(at).await?;
    Ok(c.ipam().delegate(pb::DelegateRequest { child: child.to_string(), ..Default::default() }).await?.into_inner())
}

/// Region holds ROOT, prefecture a /40 of it, county A a /48 of that.
async fn three_tiers(h: &Harness) -> anyhow::Result<()> {
    let region = h.fed.client(&h.region()).await?;
    region.ipam().add_root(pb::AddRootRequest { prefix: ROOT.into(), ..Default::default() }).await?;
    let d = delegate(h, &h.region(), &h.prefecture()).await?;
    assert!(d.prefix.ends_with("/40"), "default prefecture tier is /40: {}", d.prefix);
    let pref = h.prefecture();
    wait("prefecture pool", &h.running(&pref).store, |s| has_pool(s, &pref)).await?;
    let d = delegate(h, &pref, &h.county_a()).await?;
    assert!(d.prefix.ends_with("/48"), "default county tier is /48: {}", d.prefix);
    let county = h.county_a();
    wait("county pool", &h.running(&county).store, |s| has_pool(s, &county)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_tier_delegation_is_verified_at_the_region() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    three_tiers(&h).await?;
    let county = h.fed.client(&h.county_a()).await?;
    let a = county.ipam().assign(assign_req("unit-1")).await?.into_inner();
    assert!(a.prefix.ends_with("/64"), "{}", a.prefix);
    let id_ = a.id.clone();
    wait("assignment replica at region", &h.running(&h.region()).store, |s| {
        s.ipam_assignments().unwrap_or_default().iter().any(|x| x.id.to_string() == id_)
    })
    .await?;
    let region = h.fed.client(&h.region()).await?;
    let v = region.ipam().verify(pb::VerifyRequest {}).await?.into_inner();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!((v.nodes, v.delegations, v.assignments), (3, 2, 1), "region saw every tier and the county's /64");
    let found = region.ipam().lookup(pb::LookupRequest { address: a.prefix.clone() }).await?.into_inner();
    assert_eq!(found.assignment.map(|x| x.id), Some(a.id));
    assert_eq!(found.delegations.len(), 2, "covered by the prefecture's and the county's delegations");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_off_county_assigns_in_its_headroom_and_its_request_completes_after_reconnect() -> anyhow::Result<()> {
    let mut h = Harness::four().await?;
    three_tiers(&h).await?;
    h.fed.stop(&h.prefecture()).await?;
    let county = h.fed.client(&h.county_a()).await?;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(county.ipam().assign(assign_req(&format!("unit-{i}"))).await?.into_inner().id);
    }
    // beyond the headroom: ask the parent; pending, not failed, while cut off
    let req =
        pb::RequestSpaceRequest { length: 48, ipv4: false, reason: "新增接入单位".into(), ..Default::default() };
    let asked = county.ipam().request_space(req).await?.into_inner();
    assert_eq!(asked.state, pb::RequestState::Pending as i32);
    // Cut off, the county still answered from its own pool, and the request
    // waits in its outbox for the parent (what the reconnect below delivers).
    let cs = h.running(&h.county_a()).store.clone();
    let own = cs.ipam_delegations()?.into_iter().find(|d| d.child == h.county_a() && d.is_live()).expect("pool");
    let assigned: Vec<IpNet> = cs.ipam_assignments()?.iter().map(|a| a.prefix).collect();
    assert!(assigned.len() == 5 && assigned.iter().all(|p| own.prefix.contains(p)), "{assigned:?} in {own:?}");
    let queued: Vec<String> = h
        .up_events(&h.county_a(), &h.county_a())?
        .iter()
        .filter(|e| e.kind == codec::KIND_IPAM_REQUEST)
        .map(|e| codec::decode_request(&e.payload).map(|r| r.id.to_string()))
        .collect::<Result<_, _>>()?;
    assert_eq!(queued, vec![asked.id.clone()], "the request is queued up, once");
    h.fed.start(&h.prefecture()).await?;
    wait("the grant at the county", &cs, |s| {
        s.ipam_requests().unwrap_or_default().iter().all(|r| !r.is_pending())
            && s.ipam_delegations().unwrap_or_default().iter().any(|d| d.is_live() && d.prefix.prefix_len() == 47)
    })
    .await?;
    let listed = county.ipam().list_requests(pb::ListRequestsRequest::default()).await?.into_inner().requests;
    assert_eq!(listed[0].state, pb::RequestState::Granted as i32);
    assert_eq!(listed[0].granted_prefix, "2408:8000::/47", "grown in place");
    let req = pb::AssignRequest { prefix: "2408:8000:1::/64".into(), ..assign_req("unit-new") };
    ids.push(county.ipam().assign(req).await?.into_inner().id);
    wait("county's assignments at the region", &h.running(&h.region()).store, |s| {
        s.ipam_assignments().unwrap_or_default().iter().filter(|a| a.id.node == h.county_a()).count() == ids.len()
    })
    .await?;
    let v = h.fed.client(&h.region()).await?.ipam().verify(pb::VerifyRequest {}).await?.into_inner();
    assert!(v.problems.is_empty() && v.assignments == 6, "{v:?}");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_concurrent_clients_get_disjoint_space() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000"]).await?;
    let region = h.region();
    h.fed
        .client(&region)
        .await?
        .ipam()
        .add_root(pb::AddRootRequest { prefix: "2408:8000:100::/48".into(), ..Default::default() })
        .await?;
    let mut tasks = Vec::new();
    for c in 0..32 {
        let client = h.fed.client(&region).await?;
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for i in 0..4 {
                let len = if (c + i) % 5 == 0 { 60 } else { 64 };
                let req = pb::AssignRequest { length: len, ..assign_req(&format!("unit-{c}")) };
                got.push(client.ipam().assign(req).await?.into_inner().prefix);
            }
            anyhow::Ok(got)
        }));
    }
    let mut nets: Vec<IpNet> = Vec::new();
    for t in tasks {
        nets.extend(t.await??.iter().map(|p| p.parse::<IpNet>().expect("prefix")));
    }
    assert_eq!(nets.len(), 128);
    for (i, a) in nets.iter().enumerate() {
        for b in &nets[i + 1..] {
            assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
        }
    }
    let v = h.fed.client(&region).await?.ipam().verify(pb::VerifyRequest {}).await?.into_inner();
    assert!(v.problems.is_empty() && v.assignments == 128, "{v:?}");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reclaiming_an_assignee_reclaims_everything_and_writes_the_ledger() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000"]).await?;
    let c = h.fed.client(&h.region()).await?;
    c.ipam().add_root(pb::AddRootRequest { prefix: ROOT.into(), ..Default::default() }).await?;
    let mut mine = Vec::new();
    for _ in 0..3 {
        mine.push(c.ipam().assign(assign_req("unit-x")).await?.into_inner().prefix);
    }
    let other = c.ipam().assign(assign_req("unit-y")).await?.into_inner();
    let req =
        pb::ReclaimAssigneeRequest { assignee: "unit-x".into(), reason: "接入撤销".into(), ..Default::default() };
    let entry = c.ipam().reclaim_assignee(req).await?.into_inner();
    let mut got = entry.prefixes.clone();
    got.sort();
    mine.sort();
    assert_eq!(got, mine, "all three of unit-x's prefixes in one ledger entry");
    let store = &h.running(&h.region()).store;
    let live: Vec<String> =
        store.ipam_assignments()?.iter().filter(|a| a.is_live()).map(|a| a.assignee.to_string()).collect();
    assert_eq!(live, vec!["unit-y".to_string()], "only unit-y keeps space");
    assert_eq!(store.ipam_ledger()?.len(), 1);
    let csv = c.ipam().export(pb::ExportRequest {}).await?.into_inner().csv;
    assert!(csv.contains("台账") && csv.contains("接入撤销") && csv.contains(&other.prefix), "{csv}");
    // quarantined: the next /64 does not reuse unit-x's space
    let next = c.ipam().assign(assign_req("unit-z")).await?.into_inner().prefix;
    assert!(!mine.contains(&next), "{next} reused from quarantine");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_cannot_assign_outside_its_delegation() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    three_tiers(&h).await?;
    let county = h.fed.client(&h.county_a()).await?;
    let req = pb::AssignRequest { prefix: "2408:8000:ff00::/64".into(), ..assign_req("unit-1") };
    let e = county.ipam().assign(req).await.expect_err("outside the county's /48");
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    assert!(e.message().contains("prefix") && e.message().contains("地址池"), "{}", e.message());
    let req = pb::AssignRequest { prefix: "2408:8000::1/64".into(), ..assign_req("unit-1") };
    let e = county.ipam().assign(req).await.expect_err("host bits");
    assert!(e.message().contains("主机位"), "{}", e.message());
    let req = pb::AssignRequest { length: 48, ..assign_req("unit-1") };
    let e = county.ipam().assign(req).await.expect_err("length outside policy");
    assert!(e.message().contains("length") && e.message().contains("策略"), "{}", e.message());
    assert!(h.running(&h.county_a()).store.ipam_assignments()?.is_empty(), "nothing written");
    h.shutdown().await;
    Ok(())
}

/// The next sequence of `origin`'s down stream as held by `store`.
fn next_down_seq(store: &NodeStore, origin: &NodeId) -> u64 {
    let stream = StreamId { origin: origin.clone(), channel: Channel::Down };
    store.cursors().unwrap_or_default().into_iter().find(|(s, _)| *s == stream).map_or(0, |(_, n)| n) + 1
}

fn forged(store: &NodeStore, origin: &NodeId, child: &NodeId, prefix: &str) -> Envelope {
    let d = Delegation {
        parent: origin.clone(),
        number: 99,
        child: child.clone(),
        prefix: prefix.parse().expect("prefix"),
        by: "forger".into(),
        at_ms: 0,
        state: RecordState::Live,
    };
    Envelope {
        origin: origin.clone(),
        seq: next_down_seq(store, origin),
        route: Route::Down(Scope::Node(child.clone())),
        kind: codec::KIND_IPAM_DELEGATION.into(),
        payload: codec::encode_delegation(&d),
        created_at_ms: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegation_not_from_the_parent_is_refused() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    three_tiers(&h).await?;
    let county = h.county_a();
    let store = &h.running(&county).store;
    // from the region: an ancestor, so the engine would pass it, but not the parent
    let e = forged(store, &h.region(), &county, "2408:8000:ff00::/48");
    assert!(matches!(store.accept(&e, true)?, Accepted::Applied), "stored, so the applier saw it");
    // from another prefecture: not even an ancestor
    let e = forged(store, &id("540000/540200"), &county, "2408:8000:fe00::/48");
    assert!(matches!(store.accept(&e, true)?, Accepted::Applied));
    let pools: Vec<String> = store
        .ipam_delegations()?
        .iter()
        .filter(|d| d.child == county && d.is_live())
        .map(|d| d.prefix.to_string())
        .collect();
    assert_eq!(pools.len(), 1, "only the prefecture's delegation is the county's pool: {pools:?}");
    let c = h.fed.client(&county).await?;
    let req = pb::AssignRequest { prefix: "2408:8000:ff00::/64".into(), ..assign_req("unit-1") };
    assert_eq!(c.ipam().assign(req).await.expect_err("forged space").code(), tonic::Code::InvalidArgument);
    h.shutdown().await;
    Ok(())
}

/// The region's oversight shows each node's pool utilisation and IPv6 share
/// (Art.6), rolled up from the nodes' own summaries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn address_figures_roll_up_to_the_region() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", "540000/540100/540102"]).await?;
    three_tiers(&h).await?;
    let county = h.fed.client(&h.county_a()).await?;
    county.ipam().assign(assign_req("unit-1")).await?;
    let county_path = h.county_a().to_string();
    let figures = |v: &pb::OversightView| {
        v.rows.iter().find(|r| r.node == county_path).and_then(|r| r.summary.as_ref()).and_then(|s| s.addresses)
    };
    let v = h
        .wait_oversight(&h.region(), "county address figures", PATIENCE, |v| {
            figures(v).is_some_and(|a| a.pool_utilisation > 0.0)
        })
        .await?;
    let a = figures(&v).expect("figures");
    // one /64 of a /48: 2^-16 of the pool
    assert!((a.pool_utilisation - 1.0 / 65536.0).abs() < 1e-9, "{}", a.pool_utilisation);
    assert_eq!(a.ipv6_share, 1.0);
    h.shutdown().await;
    Ok(())
}
