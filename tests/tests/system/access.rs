//! Access units and applications across the federation: Art.11 and Art.8
//! refusals that write nothing, Art.15 forwarding up, down and across with
//! the decision coming back, who may see and do what, the lifecycle with
//! its deadlines, written notices, withdrawal with its ledger, and Art.22.

use extranet_federation::EventStore;
use extranet_node::domain::AppState;
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, PATIENCE, eventually, valid_form, valid_unit};
use tonic::Code;

const CHENGGUAN: &str = "540000/540100/540102";
const DOILUNG: &str = "540000/540100/540103";

/// Units, applications and stream cursors held at a node.
type Footprint = (usize, usize, Vec<(extranet_federation::StreamId, u64)>);

/// Everything a node holds that a refused request could have changed.
fn footprint(h: &Harness, n: &extranet_certs::NodeId) -> anyhow::Result<Footprint> {
    let s = &h.running(n).store;
    Ok((s.units()?.len(), s.applications()?.len(), s.cursors()?))
}

/// The `Access` service of node `at`, called with credentials bound to another node.
async fn access_at(
    h: &Harness,
    at: &extranet_certs::NodeId,
    creds: &extranet_node::client::CredentialDir,
) -> anyhow::Result<pb::access_client::AccessClient<tonic::transport::Channel>> {
    let tls = creds.load()?;
    let identity = extranet_certs::Identity::node(at.clone());
    let ch = extranet_certs::transport::connect(&h.node(at).config.listen, &identity, &tls).await?;
    Ok(pb::access_client::AccessClient::new(ch))
}

fn submit(unit: &str, kind: pb::ApplicationKind, form: pb::ApplicationForm) -> pb::SubmitRequest {
    pb::SubmitRequest { unit_id: unit.into(), kind: kind as i32, form: Some(form), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_without_its_art11_people_is_refused_and_nothing_written() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", CHENGGUAN]).await?;
    let county = h.county_a();
    let before = footprint(&h, &county)?;
    let cases: Vec<(pb::Unit, &str)> = vec![
        (pb::Unit { responsible_leader: None, ..valid_unit("u0001", CHENGGUAN) }, "unit.responsible_leader"),
        (
            pb::Unit {
                responsible_leader: Some(pb::Contact { name: "次仁".into(), phone: "".into() }),
                ..valid_unit("u0001", CHENGGUAN)
            },
            "unit.responsible_leader.phone",
        ),
        (
            pb::Unit { responsible_department: " ".into(), ..valid_unit("u0001", CHENGGUAN) },
            "unit.responsible_department",
        ),
        (
            pb::Unit {
                responsible_person: Some(pb::Contact { name: "".into(), phone: "13908901234".into() }),
                ..valid_unit("u0001", CHENGGUAN)
            },
            "unit.responsible_person.name",
        ),
        (pb::Unit { responsible_person: None, ..valid_unit("u0001", CHENGGUAN) }, "unit.responsible_person"),
        (pb::Unit { category: 0, ..valid_unit("u0001", CHENGGUAN) }, "unit.category"),
        (pb::Unit { id: "Bad Id".into(), ..valid_unit("u0001", CHENGGUAN) }, "unit.id"),
        (pb::Unit { vertically_managed: true, ..valid_unit("u0001", CHENGGUAN) }, "unit.region_department"),
        (pb::Unit { township: true, ..valid_unit("u0001", "540000/540100") }, "unit.division"),
        (valid_unit("u0001", "540000/540100/540199"), "unit.division"),
    ];
    for (unit, field) in cases {
        let err = h.register_unit(&county, unit).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{field}: {err:?}");
        assert!(err.message().contains(field), "names {field}: {}", err.message());
    }
    assert_eq!(footprint(&h, &county)?, before, "nothing written");
    h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await?;
    let dup = h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await.unwrap_err();
    assert_eq!(dup.code(), Code::FailedPrecondition);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_without_the_art8_declaration_is_refused_and_nothing_written() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", CHENGGUAN]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await?;
    let before = footprint(&h, &county)?;
    let unit = h.unit_client(&county, "u0001").await?;
    let no_declaration =
        pb::ApplicationForm { declares_no_classified_information: false, ..valid_form(pb::AccessSpan::Local) };
    let err = unit.access().submit(submit("", pb::ApplicationKind::New, no_declaration)).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    assert!(err.message().contains("application.declares_no_classified_information"), "{}", err.message());
    assert!(err.message().contains("第八条"), "{}", err.message());
    for (form, field) in [
        (pb::ApplicationForm { basis: "".into(), ..valid_form(pb::AccessSpan::Local) }, "application.basis"),
        (pb::ApplicationForm { location: "".into(), ..valid_form(pb::AccessSpan::Local) }, "application.location"),
        (pb::ApplicationForm { bandwidth_mbps: 0, ..valid_form(pb::AccessSpan::Local) }, "application.bandwidth_mbps"),
        (
            pb::ApplicationForm { security_measures: "".into(), ..valid_form(pb::AccessSpan::Local) },
            "application.security_measures",
        ),
    ] {
        let err = unit.access().submit(submit("", pb::ApplicationKind::New, form)).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{field}");
        assert!(err.message().contains(field), "{}", err.message());
    }
    assert_eq!(footprint(&h, &county)?, before, "nothing written");
    h.shutdown().await;
    Ok(())
}

/// A county unit whose access spans its prefecture and below lodges at the
/// county; Art.15 sends it up to Lhasa, which decides; the decision comes
/// back down to the county, where the unit sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lodged_at_the_county_decided_by_the_prefecture_and_the_decision_comes_back() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (county, pref) = (h.county_a(), h.prefecture());
    h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await?;
    let unit = h.unit_client(&county, "u0001").await?;
    let route = unit
        .access()
        .route(pb::RouteRequest { unit_id: "".into(), span: pb::AccessSpan::PrefectureAndBelow as i32 })
        .await?
        .into_inner();
    assert_eq!(
        (route.competent.as_str(), route.case.as_str(), route.forwarded),
        ("540000/540100", "SPANS_PREFECTURE", true)
    );

    let a = unit
        .access()
        .submit(submit("", pb::ApplicationKind::New, valid_form(pb::AccessSpan::PrefectureAndBelow)))
        .await?;
    let a = a.into_inner();
    assert_eq!(a.routing.as_ref().unwrap().competent, "540000/540100");
    assert!(a.routing.as_ref().unwrap().reason.contains("第十五条"));
    let lodged_due = a.deadlines[0].clone();

    // It reaches Lhasa, which owns it and computes the same review deadline.
    let at_pref = h.wait_application(&pref, &a.id, |_| true).await?;
    assert!(at_pref.owned_by(&pref));
    assert_eq!(at_pref.deadlines.review.due.to_string(), lodged_due.due);
    assert_eq!(at_pref.deadlines.review.calendar_version, lodged_due.calendar_version);
    // …and the county hears it was taken up.
    h.wait_application(&county, &a.id, |x| x.revision >= 2).await?;

    // The county cannot decide it, not at its own node nor at Lhasa's.
    let county_op = h.fed.client(&county).await?;
    let err = county_op
        .access()
        .approve(pb::ApproveRequest { id: a.id.clone(), access_plan: "方案".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    assert!(err.message().contains("540000/540100"), "{}", err.message());
    let mut at_lhasa_as_county = access_at(&h, &pref, &h.node(&county).operator()).await?;
    let err = at_lhasa_as_county
        .approve(pb::ApproveRequest { id: a.id.clone(), access_plan: "方案".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");

    // Lhasa approves; the decision travels back to the county.
    let pref_op = h.fed.client(&pref).await?;
    pref_op.access().review(pb::ReviewRequest { id: a.id.clone(), ..Default::default() }).await?;
    let approved = pref_op
        .access()
        .approve(pb::ApproveRequest {
            id: a.id.clone(),
            access_plan: "经拉萨市汇聚节点接入，双链路".into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(approved.state, pb::ApplicationState::Approved as i32);
    let back = h.wait_application(&county, &a.id, |x| x.state == AppState::Approved).await?;
    assert_eq!(back.access_plan.as_deref(), Some("经拉萨市汇聚节点接入，双链路"));
    assert!(back.deadlines.implementation.is_some(), "the implementation clock came back too");
    let seen = unit.access().get_application(pb::GetApplicationRequest { id: a.id.clone() }).await?.into_inner();
    assert_eq!(seen.state, pb::ApplicationState::Approved as i32, "the applicant sees the decision");

    // Implementation done at Lhasa: the unit is connected at the county.
    pref_op.access().implement(pb::ImplementRequest { id: a.id.clone(), done: false, ..Default::default() }).await?;
    pref_op.access().implement(pb::ImplementRequest { id: a.id.clone(), done: true, ..Default::default() }).await?;
    h.wait_application(&county, &a.id, |x| x.state == AppState::Connected).await?;
    let u = h.running(&county).store.unit(&"u0001".to_string().try_into()?)?.unwrap();
    assert_eq!(u.status, extranet_node::domain::UnitStatus::Connected);
    h.shutdown().await;
    Ok(())
}

/// A township unit walks into the region's office: Art.15 sends it down to
/// its county, which rejects it in writing; the notice comes back up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lodged_at_the_region_decided_by_the_county_with_a_written_notice() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, county) = (h.region(), h.county_a());
    h.register_unit(&region, pb::Unit { township: true, ..valid_unit("xz-town", CHENGGUAN) }).await?;
    let unit = h.unit_client(&region, "xz-town").await?;
    let a = unit.access().submit(submit("", pb::ApplicationKind::New, valid_form(pb::AccessSpan::Local))).await?;
    let a = a.into_inner();
    let routing = a.routing.clone().unwrap();
    assert_eq!((routing.competent.as_str(), routing.case.as_str()), (CHENGGUAN, "TOWNSHIP"));

    h.wait_application(&county, &a.id, |_| true).await?;
    let county_op = h.fed.client(&county).await?;
    let rejected = county_op
        .access()
        .reject(pb::RejectRequest {
            id: a.id.clone(), reasons: "接入位置不具备机房条件".into(), ..Default::default()
        })
        .await?
        .into_inner();
    let notice = rejected.notice.clone().expect("notice issued with the rejection");
    assert!(notice.text.contains("接入位置不具备机房条件") && notice.text.contains(&a.id));
    assert!(notice.text.contains("城关区政务外网主管部门"), "the deciding authority by name: {}", notice.text);
    assert!(notice.html.contains("<html") && notice.html.contains("书面告知书"));

    let back = h.wait_application(&region, &a.id, |x| x.state == AppState::Rejected).await?;
    assert_eq!(back.rejection.as_ref().unwrap().notice.number, notice.number);
    let seen = unit.access().get_notice(pb::GetNoticeRequest { id: a.id.clone() }).await?.into_inner();
    assert_eq!(seen, notice, "the applicant reads the notice where it lodged");
    let err = county_op
        .access()
        .reject(pb::RejectRequest { id: a.id.clone(), reasons: "".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "reasons are required");
    h.shutdown().await;
    Ok(())
}

/// A Chengguan unit lodges at Doilungdêqên: the message goes up to Lhasa,
/// which turns it down to Chengguan; the decision returns the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lodged_at_a_sibling_county_travels_through_the_prefecture() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (a_county, b_county) = (h.county_a(), h.county_b());
    h.register_unit(&b_county, valid_unit("walkin", CHENGGUAN)).await?;
    let op_b = h.fed.client(&b_county).await?;
    let a = op_b.access().submit(submit("walkin", pb::ApplicationKind::New, valid_form(pb::AccessSpan::Local))).await?;
    let a = a.into_inner();
    assert_eq!(a.routing.unwrap().competent, CHENGGUAN);
    h.wait_application(&a_county, &a.id, |_| true).await?;
    assert!(h.running(&h.prefecture()).store.application(&a.id)?.is_none(), "Lhasa relays, it does not keep it");
    let op_a = h.fed.client(&a_county).await?;
    op_a.access()
        .approve(pb::ApproveRequest { id: a.id.clone(), access_plan: "就近接入".into(), ..Default::default() })
        .await?;
    h.wait_application(&b_county, &a.id, |x| x.state == AppState::Approved).await?;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_sees_and_submits_only_its_own_applications() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", CHENGGUAN]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await?;
    h.register_unit(&county, valid_unit("u0002", CHENGGUAN)).await?;
    let one = h.unit_client(&county, "u0001").await?;
    let two = h.unit_client(&county, "u0002").await?;
    let a1 = one.access().submit(submit("", pb::ApplicationKind::New, valid_form(pb::AccessSpan::Local))).await?;
    let a1 = a1.into_inner();
    two.access().submit(submit("u0002", pb::ApplicationKind::New, valid_form(pb::AccessSpan::Local))).await?;

    let err = two.access().get_application(pb::GetApplicationRequest { id: a1.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    let listed = two.access().list_applications(pb::ListApplicationsRequest::default()).await?.into_inner();
    assert_eq!(listed.applications.len(), 1);
    assert!(listed.applications.iter().all(|a| a.unit.as_ref().unwrap().id == "u0002"));
    let err = two
        .access()
        .submit(submit("u0001", pb::ApplicationKind::New, valid_form(pb::AccessSpan::Local)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "cannot submit in another unit's name");
    let err = two
        .access()
        .approve(pb::ApproveRequest { id: a1.id.clone(), access_plan: "x".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "a unit decides nothing");
    let err = two.units().get_unit(pb::GetUnitRequest { id: "u0001".into() }).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    two.units().get_unit(pb::GetUnitRequest { id: "u0002".into() }).await?;
    // The operator sees both.
    let op = h.fed.client(&county).await?;
    assert_eq!(
        op.access().list_applications(pb::ListApplicationsRequest::default()).await?.into_inner().applications.len(),
        2
    );
    // A unit certificate of one node is refused at another.
    let unit_creds = extranet_node::client::CredentialDir(h.node(&county).dir.join("unit-u0001"));
    let mut at_region = access_at(&h, &h.region(), &unit_creds).await?;
    let err = at_region.list_applications(pb::ListApplicationsRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    h.shutdown().await;
    Ok(())
}

/// Gives `county` an address pool (region → prefecture → county) and
/// assigns a /64 to access unit `unit` there; returns the prefix.
async fn assign_to_unit(h: &Harness, county: &extranet_certs::NodeId, unit: &str) -> anyhow::Result<String> {
    let wait_pool = |n: extranet_certs::NodeId| async move {
        eventually(&format!("{n} to get a pool (seen: the delegations it holds)"), PATIENCE, async || {
            let held = h.running(&n).store.ipam_delegations()?;
            Ok((held.iter().any(|d| d.child == n && d.is_live()), held))
        })
        .await
        .map(drop)
    };
    let pref = county.parent().expect("a county has a prefecture");
    let region = h.fed.client(&h.region()).await?;
    region.ipam().add_root(pb::AddRootRequest { prefix: "2408:8000::/32".into(), ..Default::default() }).await?;
    region.ipam().delegate(pb::DelegateRequest { child: pref.to_string(), ..Default::default() }).await?;
    wait_pool(pref.clone()).await?;
    let p = h.fed.client(&pref).await?;
    p.ipam().delegate(pb::DelegateRequest { child: county.to_string(), ..Default::default() }).await?;
    wait_pool(county.clone()).await?;
    let req = pb::AssignRequest {
        purpose: pb::Purpose::AccessUnit as i32,
        assignee: unit.into(),
        serves: "接入单位局域网".into(),
        ..Default::default()
    };
    Ok(h.fed.client(county).await?.ipam().assign(req).await?.into_inner().prefix)
}

/// Whether `unit` still holds a live assignment at `n`.
fn holds_addresses(h: &Harness, n: &extranet_certs::NodeId, unit: &str) -> anyhow::Result<bool> {
    let all = h.running(n).store.ipam_assignments()?;
    Ok(all.iter().any(|a| &a.id.node == n && a.assignee.as_str() == unit && a.is_live()))
}

/// Connect, then withdraw (Art.17): ledger entry with the device checklist,
/// the unit's addresses reclaimed and recorded; CSV export; overdue
/// listing; Art.22.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawal_ledger_overdue_and_resource_changes_at_one_county() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", DOILUNG]).await?;
    let county = extranet_tests::id(DOILUNG);
    h.register_unit(&county, valid_unit("u0001", DOILUNG)).await?;
    let prefix = assign_to_unit(&h, &county, "u0001").await?;
    let op = h.fed.client(&county).await?;
    let acc = op.access();
    let new = acc.clone().submit(submit("u0001", pb::ApplicationKind::New, valid_form(pb::AccessSpan::Local))).await?;
    let new = new.into_inner();

    // Far in the future the review and notice deadlines are both missed.
    let late = acc.clone().overdue(pb::OverdueRequest { as_of: "2099-01-05".into() }).await?.into_inner();
    assert_eq!(late.items.len(), 2, "{late:?}");
    assert!(late.items.iter().all(|i| i.id == new.id && i.working_days_late > 1000));
    let now = acc.clone().overdue(pb::OverdueRequest::default()).await?.into_inner();
    assert!(now.items.is_empty(), "nothing is late on the day it was lodged");

    // Art.22 (and Art.16): nothing is implemented before it is approved.
    let err = acc
        .clone()
        .implement(pb::ImplementRequest { id: new.id.clone(), done: false, ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    acc.clone()
        .approve(pb::ApproveRequest { id: new.id.clone(), access_plan: "专线接入".into(), ..Default::default() })
        .await?;
    acc.clone().implement(pb::ImplementRequest { id: new.id.clone(), done: false, ..Default::default() }).await?;
    acc.clone().implement(pb::ImplementRequest { id: new.id.clone(), done: true, ..Default::default() }).await?;

    let rc_form = pb::ApplicationForm {
        resource_subject: pb::ResourceSubject::Equipment as i32,
        basis: "核心交换机升级".into(),
        ..valid_form(pb::AccessSpan::Local)
    };
    let rc = acc.clone().submit(submit("u0001", pb::ApplicationKind::ResourceChange, rc_form)).await?.into_inner();
    let err = acc
        .clone()
        .implement(pb::ImplementRequest { id: rc.id.clone(), done: true, ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("第二十二条"), "{}", err.message());
    let listed = acc
        .clone()
        .list_applications(pb::ListApplicationsRequest {
            state: pb::ApplicationState::Submitted as i32,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(listed.applications.iter().map(|a| a.id.clone()).collect::<Vec<_>>(), vec![rc.id.clone()]);

    // Withdrawal.
    let w_form = pb::ApplicationForm {
        basis: "机构撤并，不再需要政务外网".into(),
        location: "单位机房".into(),
        declares_no_classified_information: true,
        ..Default::default()
    };
    let w = acc.clone().submit(submit("u0001", pb::ApplicationKind::Withdrawal, w_form)).await?.into_inner();
    let err = acc
        .clone()
        .withdraw(pb::WithdrawRequest { id: w.id.clone(), devices: vec![], ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "not before approval");
    assert!(h.running(&county).store.ledger()?.is_empty(), "a refused withdrawal writes no ledger entry");
    acc.clone()
        .approve(pb::ApproveRequest {
            id: w.id.clone(), access_plan: "拆除接入设备".into(), ..Default::default()
        })
        .await?;
    let done = acc
        .clone()
        .withdraw(pb::WithdrawRequest { id: w.id.clone(), devices: vec![], ..Default::default() })
        .await?
        .into_inner();
    assert_eq!(done.state, pb::ApplicationState::Withdrawn as i32);
    assert_eq!(done.ledger_number, 1);
    let unit = op.units().get_unit(pb::GetUnitRequest { id: "u0001".into() }).await?.into_inner();
    assert_eq!(unit.status, pb::UnitStatus::Withdrawn as i32);

    // The county, which assigned the unit's addresses, reclaims them and
    // records it in the ledger entry.
    let store = &h.running(&county).store;
    eventually("the address reclaim to be confirmed (seen: the reclaims pending)", PATIENCE, async || {
        let pending = extranet_node::ops::withdrawn_addresses::pending_address_reclaims(store)?;
        Ok((pending.is_empty(), pending))
    })
    .await?;
    assert!(!holds_addresses(&h, &county, "u0001")?, "the unit's assignment is ended");
    let csv = acc.clone().export_ledger(pb::ExportLedgerRequest {}).await?.into_inner();
    assert_eq!(csv.entries, 1);
    assert!(csv.csv.contains(&w.id) && csv.csv.contains("接入路由器（待回收）"), "{}", csv.csv);
    assert!(csv.csv.contains(&format!("已回收：{prefix}")), "{}", csv.csv);
    h.shutdown().await;
    Ok(())
}

/// A region-vertically-managed unit at a county, and a county unit whose
/// access spans the region: both go to the region, and back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vertically_managed_and_region_spanning_applications_go_to_the_region() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", CHENGGUAN]).await?;
    let (region, county) = (h.region(), h.county_a());
    let vertical = pb::Unit {
        vertically_managed: true,
        region_department: "西藏自治区税务局".into(),
        ..valid_unit("tax-cg", CHENGGUAN)
    };
    h.register_unit(&county, vertical).await?;
    h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await?;
    let op = h.fed.client(&county).await?;
    let v = op.access().submit(submit("tax-cg", pb::ApplicationKind::New, valid_form(pb::AccessSpan::Local))).await?;
    let s = op
        .access()
        .submit(submit("u0001", pb::ApplicationKind::New, valid_form(pb::AccessSpan::RegionAndBelow)))
        .await?;
    let (v, s) = (v.into_inner(), s.into_inner());
    assert_eq!(v.routing.as_ref().unwrap().case, "VERTICALLY_MANAGED");
    assert!(v.routing.as_ref().unwrap().reason.contains("自治区级主管部门"));
    assert_eq!(s.routing.as_ref().unwrap().case, "SPANS_REGION");
    let region_op = h.fed.client(&region).await?;
    for id in [&v.id, &s.id] {
        h.wait_application(&region, id, |_| true).await?;
        region_op.access().review(pb::ReviewRequest { id: id.clone(), ..Default::default() }).await?;
        h.wait_application(&county, id, |x| x.state == AppState::UnderReview).await?;
    }
    h.shutdown().await;
    Ok(())
}

/// Every deciding node sends its deadlines up: the region counts what is
/// overdue at every node below it, and a finished application drops out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_region_sees_overdue_counts_for_every_node_below_it() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await?;
    h.register_unit(&county, valid_unit("u0002", CHENGGUAN)).await?;
    let op = h.fed.client(&county).await?;
    let local =
        op.access().submit(submit("u0001", pb::ApplicationKind::New, valid_form(pb::AccessSpan::Local))).await?;
    let up = op
        .access()
        .submit(submit("u0002", pb::ApplicationKind::New, valid_form(pb::AccessSpan::PrefectureAndBelow)))
        .await?;
    let (local, up) = (local.into_inner(), up.into_inner());
    let region_op = h.fed.client(&region).await?;
    let counts = |as_of: &str| {
        let mut c = region_op.access();
        let req = pb::OverdueCountsRequest { as_of: as_of.into() };
        async move { anyhow::Ok(c.overdue_counts(req).await?.into_inner()) }
    };
    let r = eventually("both summaries to reach the region", PATIENCE, async || {
        let r = counts("2099-01-05").await?;
        Ok((r.nodes.len() == 2, r))
    })
    .await?;
    let by: Vec<(String, u32, u32)> =
        r.nodes.iter().map(|n| (n.node.clone(), n.open_applications, n.overdue_applications)).collect();
    assert_eq!(by, vec![(pref.to_string(), 1, 1), (county.to_string(), 1, 1)]);
    assert!(counts("").await?.nodes.iter().all(|n| n.overdue_applications == 0), "nothing late today");

    // The county rejects its own: it is finished and drops out above.
    op.access()
        .reject(pb::RejectRequest { id: local.id.clone(), reasons: "材料不全".into(), ..Default::default() })
        .await?;
    eventually("the rejection to reach the region", PATIENCE, async || {
        let r = counts("2099-01-05").await?;
        Ok((r.nodes.len() == 1, r))
    })
    .await?;
    assert_eq!(counts("2099-01-05").await?.nodes[0].node, pref.to_string());
    assert!(h.running(&pref).store.application(&up.id)?.is_some());
    h.shutdown().await;
    Ok(())
}

/// A withdrawal decided at Lhasa for a Chengguan unit: Lhasa keeps the
/// ledger entry; Chengguan, which assigned the unit's addresses, reclaims
/// them when the decision arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_decided_above_reclaims_addresses_where_they_were_assigned() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", CHENGGUAN]).await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await?;
    assign_to_unit(&h, &county, "u0001").await?;
    let op = h.fed.client(&county).await?;
    let pref_op = h.fed.client(&pref).await?;
    let new = op
        .access()
        .submit(submit("u0001", pb::ApplicationKind::New, valid_form(pb::AccessSpan::PrefectureAndBelow)))
        .await?
        .into_inner();
    h.wait_application(&pref, &new.id, |_| true).await?;
    pref_op
        .access()
        .approve(pb::ApproveRequest { id: new.id.clone(), access_plan: "汇聚接入".into(), ..Default::default() })
        .await?;
    pref_op.access().implement(pb::ImplementRequest { id: new.id.clone(), done: false, ..Default::default() }).await?;
    pref_op.access().implement(pb::ImplementRequest { id: new.id.clone(), done: true, ..Default::default() }).await?;
    h.wait_application(&county, &new.id, |a| a.state == AppState::Connected).await?;

    let w_form = pb::ApplicationForm {
        basis: "机构撤并".into(),
        location: "单位机房".into(),
        declares_no_classified_information: true,
        span: pb::AccessSpan::PrefectureAndBelow as i32,
        ..Default::default()
    };
    let w = op.access().submit(submit("u0001", pb::ApplicationKind::Withdrawal, w_form)).await?.into_inner();
    h.wait_application(&pref, &w.id, |_| true).await?;
    pref_op
        .access()
        .approve(pb::ApproveRequest { id: w.id.clone(), access_plan: "拆除".into(), ..Default::default() })
        .await?;
    pref_op.access().withdraw(pb::WithdrawRequest { id: w.id.clone(), devices: vec![], ..Default::default() }).await?;
    assert_eq!(h.running(&pref).store.ledger()?.len(), 1, "the deciding node keeps the ledger entry");

    eventually("the county to reclaim the unit's addresses", PATIENCE, async || {
        Ok((!holds_addresses(&h, &county, "u0001")?, ()))
    })
    .await?;
    let unit = op.units().get_unit(pb::GetUnitRequest { id: "u0001".into() }).await?.into_inner();
    assert_eq!(unit.status, pb::UnitStatus::Withdrawn as i32);
    h.shutdown().await;
    Ok(())
}

/// The region's oversight shows, for each node below it, the applications it
/// decides by state and its units by status, from the nodes' own summaries —
/// promptly on the change: the periodic summary is an hour away here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_and_unit_figures_roll_up_to_the_regions_oversight() -> anyhow::Result<()> {
    let mut h = Harness::created(extranet_tests::FOUR)?;
    h.fed.configure(|c| c.oversight.summary_interval_secs = 3600)?;
    h.fed.start_all().await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await?;
    h.register_unit(&county, valid_unit("u0002", CHENGGUAN)).await?;
    let op = h.fed.client(&county).await?;
    op.access().submit(submit("u0001", pb::ApplicationKind::New, valid_form(pb::AccessSpan::Local))).await?;
    let path = county.to_string();
    let figures = |v: &pb::OversightView| {
        let s = v.rows.iter().find(|r| r.node == path)?.summary.clone()?;
        Some((s.applications?, s.units?))
    };
    let v = h
        .wait_oversight(&h.region(), "county application and unit figures", extranet_tests::PATIENCE, |v| {
            figures(v)
                .is_some_and(|(a, u)| a.by_state.values().sum::<u64>() == 1 && u.by_status.values().sum::<u64>() == 2)
        })
        .await?;
    let (apps, _) = figures(&v).expect("figures");
    assert_eq!(apps.overdue_reviews + apps.overdue_implementations + apps.overdue_notices, 0, "nothing late today");
    h.shutdown().await;
    Ok(())
}
