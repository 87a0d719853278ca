//! Access-point devices and rooms (Art.14, Art.17, Art.18, Art.20): a
//! device changes only under an approved resource change that names it; a
//! withdrawal decided at the prefecture closes there only once Chengguan,
//! which holds the devices, has confirmed every one reclaimed; the asset
//! figures roll up to the region.
//!
//! ```text
//!   540000 region ── sees the asset figures
//!     └ 540100 Lhasa ── decides the unit's access and its withdrawal (ledger)
//!         └ 540102 Chengguan ── the unit, its devices and room
//! ```

use extranet_node::domain::AppState;
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, PATIENCE, eventually, row, valid_form, valid_unit};
use tonic::Code;

const CHENGGUAN: &str = "540000/540100/540102";

fn submit(kind: pb::ApplicationKind, form: pb::ApplicationForm) -> pb::SubmitRequest {
    pb::SubmitRequest { unit_id: "u0001".into(), kind: kind as i32, form: Some(form), ..Default::default() }
}

fn device(kind: &str, serial: &str) -> pb::RegisterDeviceRequest {
    pb::RegisterDeviceRequest {
        unit_id: "u0001".into(),
        kind: kind.into(),
        model: "华为 AR6120".into(),
        serial: serial.into(),
        holder: "卓玛 13908901234".into(),
        location: "城关区政务中心三楼机房".into(),
        request_id: format!("register-{serial}"),
    }
}

fn change(id: &str, action: &str, application: &str) -> pb::ChangeDeviceRequest {
    pb::ChangeDeviceRequest {
        id: id.into(),
        action: action.into(),
        application: application.into(),
        request_id: format!("{action}-{id}-{application}"),
        ..Default::default()
    }
}

/// The devices of Chengguan, by state value.
async fn states(op: &extranet_node::client::Client) -> anyhow::Result<Vec<String>> {
    let list = op.assets().list_devices(pb::ListDevicesRequest::default()).await?.into_inner().devices;
    Ok(list.into_iter().map(|d| d.state).collect())
}

/// Lhasa's one ledger entry.
async fn entry(op: &extranet_node::client::Client) -> anyhow::Result<Option<pb::LedgerEntry>> {
    Ok(op.access().export_ledger(pb::ExportLedgerRequest {}).await?.into_inner().rows.into_iter().next())
}

/// New access for u0001, decided at Lhasa (Art.15), done.
async fn connect(
    h: &Harness,
    op: &extranet_node::client::Client,
    pref: &extranet_node::client::Client,
) -> anyhow::Result<()> {
    let new =
        op.access().submit(submit(pb::ApplicationKind::New, valid_form(pb::AccessSpan::PrefectureAndBelow))).await?;
    let id = new.into_inner().id;
    h.wait_application(&h.prefecture(), &id, |_| true).await?;
    let approve = pb::ApproveRequest { id: id.clone(), access_plan: "汇聚接入".into(), ..Default::default() };
    pref.access().approve(approve).await?;
    pref.access().implement(pb::ImplementRequest { id: id.clone(), done: false, ..Default::default() }).await?;
    pref.access().implement(pb::ImplementRequest { id: id.clone(), done: true, ..Default::default() }).await?;
    h.wait_application(&h.county_a(), &id, |a| a.state == AppState::Connected).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_changes_only_under_an_approved_application_naming_it() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", CHENGGUAN]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await?;
    let op = h.fed.client(&county).await?;
    connect(&h, &op, &h.fed.client(&h.prefecture()).await?).await?;
    let router = op.assets().register_device(device("router", "SN-R1")).await?.into_inner();
    let switch = op.assets().register_device(device("switch", "SN-S1")).await?.into_inner();
    assert_eq!((router.id.as_str(), router.state.as_str()), ("540102-E000001", "in-service"));

    // bad input: named, and nothing written
    let bad = [
        (
            pb::RegisterDeviceRequest { unit_id: "nobody".into(), ..device("router", "SN-X") },
            Code::InvalidArgument,
            "nobody",
        ),
        (
            pb::RegisterDeviceRequest { kind: "toaster".into(), ..device("router", "SN-X") },
            Code::InvalidArgument,
            "kind",
        ),
        (
            pb::RegisterDeviceRequest { serial: "SN 2".into(), ..device("router", "SN-X") },
            Code::InvalidArgument,
            "serial",
        ),
        (device("switch", "SN-S1"), Code::FailedPrecondition, "SN-S1"),
    ];
    for (n, (req, code, names)) in bad.into_iter().enumerate() {
        let req = pb::RegisterDeviceRequest { request_id: format!("bad-{n}"), ..req };
        let e = op.assets().register_device(req).await.expect_err("refused");
        assert!(e.code() == code && e.message().contains(names), "{e:?}");
    }
    assert_eq!(states(&op).await?.len(), 2, "refusals register nothing");

    // without an application, or with one not approved, not naming it, or of another kind: refused
    let e = op.assets().change_device(change(&router.id, "switch-off", "540102-A000009")).await.expect_err("no app");
    assert_eq!(e.code(), Code::FailedPrecondition, "{e:?}");
    let form = pb::ApplicationForm {
        resource_subject: pb::ResourceSubject::Equipment as i32,
        devices: vec![router.id.clone()],
        ..valid_form(pb::AccessSpan::Local)
    };
    let rc = op.access().submit(submit(pb::ApplicationKind::ResourceChange, form)).await?.into_inner();
    let e = op.assets().change_device(change(&router.id, "switch-off", &rc.id)).await.expect_err("not approved");
    assert!(e.code() == Code::FailedPrecondition && e.message().contains("尚未批准"), "{e:?}");
    op.access()
        .approve(pb::ApproveRequest { id: rc.id.clone(), access_plan: "更换设备".into(), ..Default::default() })
        .await?;
    let e = op.assets().change_device(change(&switch.id, "switch-off", &rc.id)).await.expect_err("not named");
    assert!(e.code() == Code::FailedPrecondition && e.message().contains(&switch.id), "{e:?}");
    assert_eq!(states(&op).await?, ["in-service", "in-service"], "refused changes change nothing");
    let off = op.assets().change_device(change(&router.id, "switch-off", &rc.id)).await?.into_inner();
    assert_eq!(off.state, "switched-off");
    assert_eq!(off.steps.last().map(|s| s.application.as_str()), Some(rc.id.as_str()), "the step names its authority");

    // a device may name only a resource change
    let e = op
        .access()
        .submit(submit(
            pb::ApplicationKind::New,
            pb::ApplicationForm { devices: vec![router.id.clone()], ..valid_form(pb::AccessSpan::Local) },
        ))
        .await
        .expect_err("only a resource change names devices");
    assert!(e.code() == Code::InvalidArgument && e.message().contains("application.devices"), "{e:?}");

    // a violation is recorded; a room check in the future is refused
    let v = pb::RecordViolationRequest {
        id: switch.id.clone(),
        what: "未经批准擅自移动".into(),
        found_on: extranet_node::calendar::today().to_string(),
        request_id: "violation-1".into(),
    };
    assert_eq!(op.assets().record_violation(v).await?.into_inner().violations.len(), 1);
    let room = |checked_on: String| pb::RecordRoomRequest {
        room: Some(pb::AccessRoom {
            unit_id: "u0001".into(),
            location: "政务中心三楼".into(),
            power_backup: "UPS 2 小时".into(),
            standard: "GB 50174-2017".into(),
            checked_on: checked_on.clone(),
            ..Default::default()
        }),
        request_id: format!("room-{checked_on}"),
    };
    let tomorrow = extranet_node::calendar::today() + chrono::Duration::days(1);
    let e = op.assets().record_room(room(tomorrow.to_string())).await.expect_err("future check");
    assert!(e.code() == Code::InvalidArgument && e.message().contains("room.checked_on"), "{e:?}");
    let r = op.assets().record_room(room(extranet_node::calendar::today().to_string())).await?.into_inner();
    assert!(r.current);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_closes_at_the_deciding_node_once_every_device_is_reclaimed_where_held() -> anyhow::Result<()> {
    let mut h = Harness::created(&["540000", "540000/540100", CHENGGUAN])?;
    h.fed.configure(|c| c.oversight = extranet_tests::fast_oversight())?;
    h.fed.start_all().await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", CHENGGUAN)).await?;
    let op = h.fed.client(&county).await?;
    let pref_op = h.fed.client(&pref).await?;
    connect(&h, &op, &pref_op).await?;
    let mut ids = Vec::new();
    for (kind, serial) in [("router", "SN-R1"), ("switch", "SN-S1"), ("firewall", "SN-F1")] {
        ids.push(op.assets().register_device(device(kind, serial)).await?.into_inner().id);
    }
    let e = op
        .assets()
        .reclaim_device(pb::ReclaimDeviceRequest {
            id: ids[0].clone(),
            request_id: "early".into(),
            ..Default::default()
        })
        .await
        .expect_err("not withdrawn yet");
    assert!(e.code() == Code::FailedPrecondition && e.message().contains("尚未撤销接入"), "{e:?}");

    let w_form = pb::ApplicationForm {
        basis: "机构撤并".into(),
        location: "单位机房".into(),
        declares_no_classified_information: true,
        span: pb::AccessSpan::PrefectureAndBelow as i32,
        ..Default::default()
    };
    let w = op.access().submit(submit(pb::ApplicationKind::Withdrawal, w_form)).await?.into_inner();
    h.wait_application(&pref, &w.id, |_| true).await?;
    pref_op
        .access()
        .approve(pb::ApproveRequest { id: w.id.clone(), access_plan: "拆除".into(), ..Default::default() })
        .await?;
    pref_op.access().withdraw(pb::WithdrawRequest { id: w.id.clone(), devices: vec![], ..Default::default() }).await?;

    // Chengguan's register becomes Lhasa's checklist: three devices, none reclaimed, open
    let e = eventually("Lhasa's ledger to take Chengguan's device list", PATIENCE, async || {
        let e = entry(&pref_op).await?;
        Ok((e.as_ref().is_some_and(|e| e.devices_registered), e))
    })
    .await?
    .expect("entry");
    let listed: Vec<&str> = e.devices.iter().map(|d| d.device.as_str()).collect();
    assert_eq!(listed, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(e.devices.iter().all(|d| !d.reclaimed) && e.closed_on.is_empty(), "{e:?}");
    assert!(h.running(&county).store.ledger()?.is_empty(), "the ledger is the deciding node's");
    assert_eq!(states(&op).await?, ["to-reclaim"; 3]);

    // two of three reclaimed: still open at Lhasa
    for id in &ids[..2] {
        let req =
            pb::ReclaimDeviceRequest {
                id: id.clone(), note: "已收回库房".into(), request_id: format!("reclaim-{id}")
            };
        op.assets().reclaim_device(req).await?;
    }
    let e = eventually("Lhasa to see two devices reclaimed", PATIENCE, async || {
        let e = entry(&pref_op).await?.expect("entry");
        Ok((e.devices.iter().filter(|d| d.reclaimed).count() == 2, e))
    })
    .await?;
    assert!(e.closed_on.is_empty() && e.state == "待回收设备 1 台", "{e:?}");
    let again =
        pb::ReclaimDeviceRequest { id: ids[0].clone(), request_id: "reclaim-again".into(), ..Default::default() };
    let err = op.assets().reclaim_device(again).await.expect_err("reclaimed once");
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");

    // the last one closes the entry
    let last = pb::ReclaimDeviceRequest { id: ids[2].clone(), request_id: "reclaim-last".into(), ..Default::default() };
    op.assets().reclaim_device(last).await?;
    let e = eventually("Lhasa's ledger entry to close", PATIENCE, async || {
        let e = entry(&pref_op).await?.expect("entry");
        Ok((!e.closed_on.is_empty(), e))
    })
    .await?;
    assert!(e.devices.iter().all(|d| d.reclaimed) && e.state.starts_with("已结清"), "{e:?}");

    // the region sees Chengguan's assets: three devices, all reclaimed
    let v = h
        .wait_oversight(&region, "Chengguan's reclaimed devices in the region's view", PATIENCE, |v| {
            v.rows.iter().any(|r| {
                r.node == CHENGGUAN
                    && r.summary
                        .as_ref()
                        .and_then(|s| s.assets.as_ref())
                        .is_some_and(|a| a.devices_by_state.get("reclaimed") == Some(&3))
            })
        })
        .await?;
    let t = row(&v, "540000/540100").subtree.expect("subtree totals");
    assert_eq!((t.devices, t.devices_in_service, t.devices_to_reclaim), (3, 0, 0));
    h.shutdown().await;
    Ok(())
}
