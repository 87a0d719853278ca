//! System launches tied to address management (Art.23, Art.26(4)), on a
//! real four-node federation:
//!
//! ```text
//!   region 540000 ── prefecture 540100 ─┬─ county A 540102  (units u0001, u0002)
//!                                       └─ county B 540103
//! ```
//!
//! A unit applies at its county for its system's addresses, the county's
//! operator grants them (the assignment is made in the same write), the
//! unit files the launch itself, and the region holds the launch with the
//! assignment it was checked against. A launch naming an address the
//! county never assigned to that unit, or dated yesterday, is refused and
//! writes nothing.

use chrono::Duration;
use extranet_node::calendar::today;
use extranet_node::codec::KIND_FILING;
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, valid_unit};
use ipnet::IpNet;
use tonic::Code;

fn launch(unit: &str, date: chrono::NaiveDate, addresses: &[&str]) -> pb::LaunchDetails {
    pb::LaunchDetails {
        system_name: "城关区不动产登记系统".into(),
        owning_unit: unit.into(),
        launch_date: date.to_string(),
        addresses: addresses.iter().map(|a| a.to_string()).collect(),
        security_test_ref: "XZ-CP-2026-0088".into(),
        assignment_ids: Vec::new(),
    }
}

fn file(l: pb::LaunchDetails) -> pb::FileLaunchRequest {
    pb::FileLaunchRequest { launch: Some(l), ..Default::default() }
}

/// An address inside `prefix`: its first host, as a /128.
fn host_in(prefix: &str) -> String {
    let net: IpNet = prefix.parse().expect("a prefix");
    format!("{}/128", net.hosts().nth(1).expect("a host"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_launch_with_an_address_not_assigned_to_its_unit_or_dated_yesterday_is_refused_and_writes_nothing()
-> anyhow::Result<()> {
    let h = Harness::four().await?;
    let county = h.county_a();
    h.give_pool(&county).await?;
    for u in ["u0001", "u0002"] {
        h.register_unit(&county, valid_unit(u, "540000/540100/540102")).await?;
    }
    let op = h.fed.client(&county).await?;
    let assign = pb::AssignRequest {
        purpose: pb::Purpose::InformationSystem as i32,
        assignee: "u0002".into(),
        serves: "u0002 的业务系统".into(),
        ..Default::default()
    };
    let others = op.ipam().assign(assign).await?.into_inner();
    let theirs = host_in(&others.prefix);
    let mut unit = h.unit_client(&county, "u0001").await?.filings();
    let cases = [
        (launch("", today(), &[&theirs]), Code::FailedPrecondition, vec![theirs.as_str(), "u0002", others.id.as_str()]),
        (launch("", today(), &["2408:9999::1/128"]), Code::FailedPrecondition, vec!["2408:9999::1/128", "不在本节点"]),
        (
            launch("", today() - Duration::days(1), &[&theirs]),
            Code::FailedPrecondition,
            vec!["第二十三条", "已早于今天"],
        ),
        (launch("u0002", today(), &[&theirs]), Code::PermissionDenied, vec!["u0001"]),
        (
            pb::LaunchDetails { security_test_ref: " ".into(), ..launch("", today(), &[&theirs]) },
            Code::InvalidArgument,
            vec!["launch.security_test_ref"],
        ),
    ];
    for (l, code, says) in cases {
        let e = unit.file_launch(file(l.clone())).await.expect_err("refused");
        assert_eq!(e.code(), code, "{l:?}: {}", e.message());
        for s in says {
            assert!(e.message().contains(s), "{l:?}: “{}” should name {s}", e.message());
        }
    }
    // an operator must name a unit registered here
    let e = op.filings().file_launch(file(launch("u0099", today(), &[&theirs]))).await.expect_err("refused");
    assert_eq!((e.code(), e.message().contains("u0099")), (Code::InvalidArgument, true), "{}", e.message());
    assert!(h.running(&county).store.filings(None, 10)?.is_empty(), "no filing written");
    let up = h.up_events(&county, &county)?;
    assert!(up.iter().all(|e| e.kind != KIND_FILING), "no filing announced: {up:?}");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_applies_for_addresses_gets_them_files_the_launch_and_the_region_sees_them_linked() -> anyhow::Result<()>
{
    let h = Harness::four().await?;
    let county = h.county_a();
    h.give_pool(&county).await?;
    h.register_unit(&county, valid_unit("u0001", "540000/540100/540102")).await?;
    let unit = h.unit_client(&county, "u0001").await?;
    let apply = pb::RequestSystemAddressesRequest {
        system_name: "城关区不动产登记系统".into(),
        reason: "系统对外提供政务服务".into(),
        ..Default::default()
    };
    let asked = unit.ipam().request_system_addresses(apply.clone()).await?.into_inner();
    assert_eq!((asked.state, asked.unit_id.as_str()), (pb::SystemRequestState::Pending as i32, "u0001"));
    // IPv4 only with a written reason (Art.6)
    let v4 = pb::RequestSystemAddressesRequest { ipv4: true, ..apply.clone() };
    let e = unit.ipam().request_system_addresses(v4).await.expect_err("no reason");
    assert_eq!((e.code(), e.message().contains("ipv4_justification")), (Code::InvalidArgument, true));

    // the operator sees it waiting and grants it
    let op = h.fed.client(&county).await?;
    let pending = pb::ListSystemRequestsRequest { pending_only: true };
    let waiting = op.ipam().list_system_requests(pending).await?.into_inner().requests;
    assert_eq!(waiting.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), vec![asked.id.as_str()]);
    let decide = pb::DecideSystemRequestRequest { id: asked.id.clone(), grant: true, ..Default::default() };
    let granted = op.ipam().decide_system_request(decide.clone()).await?.into_inner();
    assert_eq!(granted.state, pb::SystemRequestState::Granted as i32);
    let e = op.ipam().decide_system_request(decide).await.expect_err("decided once");
    assert_eq!(e.code(), Code::FailedPrecondition, "{}", e.message());
    let mine = unit.ipam().list_system_requests(pb::ListSystemRequestsRequest::default()).await?.into_inner();
    assert_eq!(mine.requests, vec![granted.clone()], "the unit sees its own application granted");

    // the unit files the launch with what it was given
    let address = host_in(&granted.prefix);
    let l = launch("", today(), &[&address, &granted.prefix]);
    let filed = unit.filings().file_launch(file(l)).await?.into_inner();
    let Some(pb::filing::Details::Launch(at_county)) = &filed.details else { panic!("a launch: {filed:?}") };
    assert_eq!(
        (at_county.owning_unit.as_str(), &at_county.assignment_ids),
        ("u0001", &vec![granted.assignment_id.clone()])
    );

    // the region holds the launch and the assignment it names
    let at_region = h.wait_filing(&h.region(), &filed.id, 1).await?;
    assert_eq!(at_region.details, filed.details, "the region sees the launch as filed, with its link");
    let number = granted.assignment_id.rsplit_once("-A").and_then(|(_, n)| n.parse().ok()).expect("an id");
    let region = &h.running(&h.region()).store;
    let holds = |s: &extranet_node::store::NodeStore| s.ipam_assignment(&county, number).ok().flatten().is_some();
    extranet_tests::wait_store(&format!("the region to hold {}", granted.assignment_id), region, holds).await?;
    let held = region.ipam_assignment(&county, number)?.expect("held");
    assert_eq!((held.assignee.as_str(), held.serves.as_str()), ("u0001", asked.id.as_str()));
    assert!(held.prefix.contains(&address.parse::<IpNet>()?), "{} holds {address}", held.prefix);

    // a change is a filing of its own kind, naming the launch
    let change = pb::SystemChangeDetails {
        launch_id: filed.id.clone(),
        what_changes: "增加互联网出口代理".into(),
        system: Some(launch("", today() + Duration::days(3), &[&address])),
    };
    let req = pb::FileSystemChangeRequest { change: Some(change), ..Default::default() };
    let changed = unit.filings().file_system_change(req).await?.into_inner();
    let at_region = h.wait_filing(&h.region(), &changed.id, 1).await?;
    assert!(matches!(&at_region.details, Some(pb::filing::Details::Change(c)) if c.launch_id == filed.id));
    h.shutdown().await;
    Ok(())
}
