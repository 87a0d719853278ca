//! Disconnection and rectification orders across the federation
//! (Art.25(4)): the county orders a unit disconnected; from then on the
//! county refuses the unit's certificate on a real mTLS call (all but its
//! own orders and its rectification report), flags its addresses, and the
//! region sees the unit disconnected; the unit reports its rectification
//! while cut off; the county lifts the order and access returns. A unit
//! cannot issue or lift; the prefecture, holding a copy, cannot lift the
//! county's order; bad input is refused naming the field, writing nothing.
//!
//! ```text
//!   540000 region ── sees u0001 disconnected, then restored
//!     └ 540100 prefecture ── holds a copy, may not lift it
//!         └ 540102 county ── issues and lifts; refuses u0001's certificate meanwhile
//!             └ u0001 (unit, one /64 assigned)
//! ```

use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, PATIENCE, eventually, row, valid_unit};
use tonic::Code;

fn issue(unit: &str, reason: &str, days: u32) -> pb::IssueOrderRequest {
    pb::IssueOrderRequest { unit_id: unit.into(), reason: reason.into(), working_days: days, ..Default::default() }
}

fn step(id: &str, action: pb::OrderAction, text: &str) -> pb::ActOnOrderRequest {
    pb::ActOnOrderRequest { id: id.into(), action: action as i32, text: text.into(), ..Default::default() }
}

/// The region delegates a pool down to the county, which assigns a /64 to u0001.
async fn county_assigns_to_u0001(h: &Harness) -> anyhow::Result<pb::AssignmentRecord> {
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    let r = h.fed.client(&region).await?;
    r.ipam().add_root(pb::AddRootRequest { prefix: "2408:8000::/32".into(), ..Default::default() }).await?;
    r.ipam().delegate(pb::DelegateRequest { child: pref.to_string(), ..Default::default() }).await?;
    let ps = &h.running(&pref).store;
    eventually("the prefecture to get a pool", PATIENCE, async || Ok((!ps.ipam_delegations()?.is_empty(), ()))).await?;
    let p = h.fed.client(&pref).await?;
    p.ipam().delegate(pb::DelegateRequest { child: county.to_string(), ..Default::default() }).await?;
    let cs = &h.running(&county).store;
    eventually("the county to get a pool", PATIENCE, async || Ok((!cs.ipam_delegations()?.is_empty(), ()))).await?;
    let c = h.fed.client(&county).await?;
    let assign = pb::AssignRequest {
        assignee: "u0001".into(),
        serves: "540102-A000001".into(),
        purpose: pb::Purpose::AccessUnit as i32,
        ..Default::default()
    };
    Ok(c.ipam().assign(assign).await?.into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_refuses_the_units_certificate_flags_its_addresses_and_shows_at_the_region_until_lifted()
-> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, county) = (h.region(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let assigned = county_assigns_to_u0001(&h).await?;
    let unit = h.unit_client(&county, "u0001").await?;
    unit.faults().list_faults(pb::ListFaultsRequest::default()).await?;

    let op = h.fed.client(&county).await?;
    let o = op.orders().issue_order(issue("u0001", "终端感染勒索病毒并向外网扫描", 5)).await?.into_inner();
    assert_eq!((o.state, o.unit_id.as_str()), (pb::OrderState::Standing as i32, "u0001"));
    let year = extranet_node::calendar::today().format("%Y").to_string();
    let notice = o.order_notice.clone().expect("the written order");
    assert_eq!(notice.number, format!("540102〔{year}〕断001号"));
    assert!(notice.text.contains("第二十五条第（四）项") && notice.html.contains("size: A4"), "{}", notice.text);
    let deadline = o.deadline.clone().expect("a deadline");
    assert_eq!(deadline.working_days, 5);
    assert_eq!(deadline.calendar_version, h.running(&county).store.calendar()?.version(), "stamped with its calendar");

    // the unit's certificate is refused on a real mTLS call, naming the order
    let refused = unit.faults().list_faults(pb::ListFaultsRequest::default()).await.unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    assert!(refused.message().contains(&o.id) && refused.message().contains("中断连接"), "{}", refused.message());
    let refused = unit.interruptions().list_interruptions(pb::ListInterruptionsRequest::default()).await;
    assert_eq!(refused.unwrap_err().code(), Code::PermissionDenied, "every service, not one");
    // … but it still sees its own order
    let own = unit.orders().list_orders(pb::ListOrdersRequest::default()).await?.into_inner();
    assert_eq!(own.orders.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), [o.id.as_str()]);

    // its addresses are flagged, not freed
    let pool = op.ipam().show(pb::ShowRequest::default()).await?.into_inner();
    assert_eq!(pool.flagged.len(), 1, "{pool:?}");
    assert_eq!(
        (pool.flagged[0].id.as_str(), pool.flagged[0].disconnected_by.as_str()),
        (assigned.id.as_str(), o.id.as_str())
    );
    let looked = op.ipam().lookup(pb::LookupRequest { address: assigned.prefix.clone() }).await?.into_inner();
    assert_eq!(looked.assignment.expect("still assigned").disconnected_by, o.id);

    // the region sees the unit disconnected, its rectification open
    let county_s = county.to_string();
    let v = h
        .wait_oversight(&region, "u0001 disconnected", PATIENCE, |v| {
            row(v, &county_s).subtree.as_ref().is_some_and(|t| t.units_disconnected == 1 && t.rectifications_open == 1)
        })
        .await?;
    let figures = row(&v, &county_s).summary.as_ref().and_then(|s| s.orders.clone()).expect("the county's figures");
    assert_eq!(figures.disconnected, ["u0001"]);
    assert_eq!(row(&v, region.as_str()).subtree.unwrap().units_disconnected, 1, "the region's total counts it");

    // the unit reports its rectification while cut off; still disconnected
    let reported =
        unit.orders().act_on_order(step(&o.id, pb::OrderAction::Rectified, "已重装系统并部署终端防护")).await?;
    assert_eq!(reported.into_inner().state, pb::OrderState::Rectified as i32);
    let still = unit.faults().list_faults(pb::ListFaultsRequest::default()).await.unwrap_err();
    assert_eq!(still.code(), Code::PermissionDenied, "reported is not verified");
    h.wait_oversight(&region, "the rectification reported", PATIENCE, |v| {
        row(v, &county_s).subtree.as_ref().is_some_and(|t| t.units_disconnected == 1 && t.rectifications_open == 0)
    })
    .await?;

    // the county verifies and lifts: access restored, the flag gone
    let lifted = op.orders().act_on_order(step(&o.id, pb::OrderAction::Lift, "复查无异常")).await?.into_inner();
    assert_eq!(lifted.state, pb::OrderState::Lifted as i32);
    assert_eq!(lifted.lifting_notice.expect("the lifting notice").number, format!("540102〔{year}〕复001号"));
    unit.faults().list_faults(pb::ListFaultsRequest::default()).await?;
    assert!(op.ipam().show(pb::ShowRequest::default()).await?.into_inner().flagged.is_empty());
    h.wait_oversight(&region, "u0001 restored", PATIENCE, |v| {
        row(v, &county_s).subtree.as_ref().is_some_and(|t| t.units_disconnected == 0)
    })
    .await?;
    let at_region = h.running(&region).store.order(&o.id)?.expect("the region's copy");
    assert_eq!(at_region.revision, 3, "the whole record, latest revision");
    // the unit's record keeps the order (Art.11): `extranet unit show`
    let exe = env!("CARGO_BIN_EXE_extranet-under-test");
    let (ok, out, err) = tokio::task::block_in_place(|| h.cli(exe, &county, &["unit", "show", "u0001"]));
    let orders = out.split("中断连接与限期整改通知").nth(1).unwrap_or_default();
    assert!(ok && orders.contains(&o.id) && orders.contains("已恢复连接"), "{out}{err}");
    assert!(out.contains("监督检查（第二十八条）：无"), "no inspection of it: {out}");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_cannot_issue_or_lift_and_another_nodes_operator_cannot_lift() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    h.register_unit(&county, valid_unit("u0002", FOUR[2])).await?;
    let other = h.unit_client(&county, "u0002").await?;
    let err = other.orders().issue_order(issue("u0001", "扫描", 5)).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    let op = h.fed.client(&county).await?;
    let o = op.orders().issue_order(issue("u0001", "扫描外网", 5)).await?.into_inner();
    let unit = h.unit_client(&county, "u0001").await?;
    unit.orders().act_on_order(step(&o.id, pb::OrderAction::Rectified, "已整改")).await?;
    let err = unit.orders().act_on_order(step(&o.id, pb::OrderAction::Lift, "")).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "a unit does not lift its own order: {err:?}");
    let err = other.orders().get_order(pb::GetOrderRequest { id: o.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "another unit does not see it");
    // the prefecture holds a copy, and may not lift it
    let ps = &h.running(&pref).store;
    eventually("the prefecture's copy", PATIENCE, async || Ok((ps.order(&o.id)?.is_some_and(|c| c.revision == 2), ())))
        .await?;
    let p = h.fed.client(&pref).await?;
    let err = p.orders().act_on_order(step(&o.id, pb::OrderAction::Lift, "")).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    assert!(err.message().contains("540102"), "names the issuer: {}", err.message());
    assert_eq!(ps.order(&o.id)?.unwrap().revision, 2, "the copy unchanged");
    let held = h.running(&county).store.order(&o.id)?.unwrap();
    assert_eq!((held.revision, held.is_standing()), (2, true), "the refusals wrote nothing");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_naming_the_field_and_writes_nothing() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let op = h.fed.client(&county).await?;
    let cases = [
        (issue("", "扫描", 5), Code::InvalidArgument, "unit_id"),
        (issue("u0001", "  ", 5), Code::InvalidArgument, "reason"),
        (issue("u0001", "扫描", 0), Code::InvalidArgument, "working_days"),
        (issue("u0001", "扫描", 61), Code::InvalidArgument, "working_days"),
        (issue("u0009", "扫描", 5), Code::NotFound, "u0009"),
    ];
    for (req, code, names) in cases {
        let err = op.orders().issue_order(req.clone()).await.unwrap_err();
        assert_eq!(err.code(), code, "{req:?}: {err:?}");
        assert!(err.message().contains(names), "{req:?}: {}", err.message());
    }
    let store = &h.running(&county).store;
    assert!(store.orders()?.is_empty() && store.disconnection("u0001")?.is_none(), "nothing written");
    let o = op.orders().issue_order(issue("u0001", "扫描", 5)).await?.into_inner();
    let twice = op.orders().issue_order(issue("u0001", "再次扫描", 5)).await.unwrap_err();
    assert_eq!(twice.code(), Code::FailedPrecondition, "one standing order per unit: {twice:?}");
    let early = op.orders().act_on_order(step(&o.id, pb::OrderAction::Lift, "")).await.unwrap_err();
    assert_eq!(early.code(), Code::FailedPrecondition, "lifted only once the rectification is reported");
    assert!(early.message().contains("整改"), "{}", early.message());
    let no_reason = op.orders().act_on_order(step(&o.id, pb::OrderAction::Extend, "")).await.unwrap_err();
    assert_eq!(no_reason.code(), Code::InvalidArgument, "{no_reason:?}");
    let unknown = op.orders().act_on_order(step(&o.id, pb::OrderAction::Unspecified, "x")).await.unwrap_err();
    assert!(unknown.code() == Code::InvalidArgument && unknown.message().contains("action"), "{unknown:?}");
    let mut extend = step(&o.id, pb::OrderAction::Extend, "补丁未装完");
    extend.working_days = 3;
    let extended = op.orders().act_on_order(extend).await?.into_inner();
    assert_eq!(extended.deadline.unwrap().working_days, 3, "extended, the reason recorded");
    assert_eq!(extended.history.last().unwrap().note, "补丁未装完");
    assert_eq!(store.orders()?.len(), 1);
    h.shutdown().await;
    Ok(())
}
