//! Units kept current (Art.11): the county's operator changes u0001's
//! responsible department and person; the unit's record at the county —
//! the node that decides for it — keeps who changed what when and the
//! previous values (a suspension's reason is kept the same way: domain
//! tests in `domain/src/unit.rs`). Bad input names the
//! field and changes nothing; a unit cannot update itself.

use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, valid_unit};
use tonic::Code;

fn update(dept: &str, person: Option<(&str, &str)>) -> pb::UpdateUnitRequest {
    pb::UpdateUnitRequest {
        id: "u0001".into(),
        responsible_department: dept.into(),
        responsible_person: person.map(|(name, phone)| pb::Contact { name: name.into(), phone: phone.into() }),
        reason: "人员调整".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_keeps_who_changed_what_when_and_the_previous_values_at_the_units_node() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let county = h.county_a();
    let registered = h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let op = h.fed.client(&county).await?;
    let u = op.units().update_unit(update("信息中心", Some(("扎西", "13908907777")))).await?.into_inner();
    assert_eq!(
        (u.responsible_department.as_str(), u.responsible_person.as_ref().unwrap().name.as_str()),
        ("信息中心", "扎西")
    );
    assert_eq!(u.history.len(), 2, "{:?}", u.history);
    let dept = &u.history[0];
    assert_eq!(dept.field, pb::UnitField::ResponsibleDepartment as i32);
    assert_eq!((dept.before.as_str(), dept.after.as_str()), (registered.responsible_department.as_str(), "信息中心"));
    assert_eq!((dept.by.as_str(), dept.reason.as_str()), ("operator", "人员调整"));
    assert!(dept.at_ms > 0);
    let old = registered.responsible_person.unwrap();
    assert_eq!(u.history[1].before, format!("{} {}", old.name, old.phone));

    // kept where it is decided: the county's store, read back
    let held = h.running(&county).store.unit(&extranet_node::domain::UnitId::parse("u0001")?)?.unwrap();
    assert_eq!(held.history.len(), 2);
    let shown = op.units().get_unit(pb::GetUnitRequest { id: "u0001".into() }).await?.into_inner();
    assert_eq!(shown.history, u.history);

    // bad input names the field and changes nothing
    let err = op.units().update_unit(update("", Some(("扎西", "12")))).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("responsible_person.phone"), "{}", err.message());
    let err = op.units().update_unit(update("信息中心", None)).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "nothing to change: {err:?}");
    let unit = h.unit_client(&county, "u0001").await?;
    let err = unit.units().update_unit(update("别处", None)).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    let again = op.units().get_unit(pb::GetUnitRequest { id: "u0001".into() }).await?.into_inner();
    assert_eq!(again.history.len(), 2, "nothing written");
    h.shutdown().await;
    Ok(())
}

/// A unit whose application the region decides (Art.15: spans the region):
/// an update at the county reaches the region's record of the application
/// while it waits, so the node deciding it sees the unit as it stands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_reaches_the_node_deciding_the_units_open_application() -> anyhow::Result<()> {
    let h = Harness::tree(&FOUR[..3]).await?;
    let (region, county) = (h.region(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let op = h.fed.client(&county).await?;
    let form = extranet_tests::valid_form(pb::AccessSpan::RegionAndBelow);
    let submit = pb::SubmitRequest {
        unit_id: "u0001".into(),
        kind: pb::ApplicationKind::New as i32,
        form: Some(form),
        ..Default::default()
    };
    let app = op.access().submit(submit).await?.into_inner();
    h.wait_application(&region, &app.id, |_| true).await?;
    op.units().update_unit(update("信息中心", Some(("扎西", "13908907777")))).await?;
    let at_region = h.wait_application(&region, &app.id, |a| a.unit.responsible_department == "信息中心").await?;
    assert_eq!(at_region.unit.responsible_person.name, "扎西");
    assert_eq!(at_region.unit.history.len(), 2, "with its history");
    h.shutdown().await;
    Ok(())
}
