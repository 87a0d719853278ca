//! The console's `/access-points` page (Art.14, Art.18, Art.20): a county
//! operator records a unit's room check and registers its device through
//! the forms; a bad field is answered 400 naming it and registers nothing;
//! a change without an approved application naming the device is refused
//! 409 and leaves the device as it was; a violation lands in its history;
//! a unit's certificate cannot open the page.

use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, valid_unit};

const PAGE: &str = "/access-points";

fn device<'a>(kind: &'a str, serial: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("unit_id", "u0001"),
        ("kind", kind),
        ("model", "华为 AR6140"),
        ("serial", serial),
        ("holder", "扎西 13908907777"),
        ("location", "三层机房 A1 机柜"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_keeps_rooms_and_devices_in_the_console_and_a_refusal_changes_nothing() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let op = h.operator_web(&county).await?;
    let grpc = h.fed.client(&county).await?;
    let count = async || -> anyhow::Result<usize> {
        Ok(grpc.assets().list_devices(pb::ListDevicesRequest::default()).await?.into_inner().devices.len())
    };

    for (fields, names) in [(device("toaster", "SN-1"), "kind"), (device("router", ""), "serial")] {
        let bad = op.post_form(PAGE, "/access-points/devices", &fields).await?;
        assert_eq!(bad.status, 400, "{bad:?}");
        assert!(bad.body.contains(names) && bad.body.contains("id=\"device-form\""), "names {names}, form again");
    }
    assert_eq!(count().await?, 0, "a refusal registers nothing");

    let made = op.post_form(PAGE, "/access-points/devices", &device("router", "SN-1")).await?;
    assert_eq!((made.status, made.location()), (303, "/access-points/devices/540102-E000001"), "{made:?}");
    let shown = op.get(made.location()).await?.body;
    assert!(shown.contains("在用") && shown.contains("登记") && shown.contains("id=\"change-form\""), "{shown}");

    let dev = made.location().to_string();
    let off = [("action", "switch-off"), ("application", "540102-A000009"), ("note", "")];
    let refused = op.post_form(&dev, &format!("{dev}/change"), &off).await?;
    assert_eq!(refused.status, 409, "{refused:?}");
    assert!(refused.body.contains("540102-A000009") && refused.body.contains("role=\"alert\""), "{}", refused.body);
    let still = grpc.assets().list_devices(pb::ListDevicesRequest::default()).await?.into_inner().devices;
    assert_eq!((still[0].state.as_str(), still[0].steps.len()), ("in-service", 1), "nothing changed");
    let early = op.post_form(&dev, &format!("{dev}/reclaim"), &[("note", "")]).await?;
    assert_eq!(early.status, 409, "an in-service device is not reclaimed: {early:?}");
    assert_eq!(op.post_form(&dev, &format!("{dev}/melt"), &[]).await?.status, 404);

    let v = op.post_form(&dev, &format!("{dev}/violation"), &[("what", "未经批准擅自关闭"), ("found_on", "")]).await?;
    assert_eq!(v.status, 303, "{v:?}");
    assert!(op.get(&dev).await?.body.contains("未经批准擅自关闭"), "the violation is in the history");

    let today = extranet_node::calendar::today().to_string();
    let room = [
        ("unit_id", "u0001"),
        ("location", "县政府大楼三层机房"),
        ("power_backup", "UPS 2 小时"),
        ("standard", "GB 50174-2017"),
        ("checked_on", today.as_str()),
        ("checked_by", ""),
    ];
    let r = op.post_form(PAGE, "/access-points/rooms", &room).await?;
    assert_eq!((r.status, r.location()), (303, PAGE), "{r:?}");
    let list = op.get(PAGE).await?.body;
    assert!(list.contains("县政府大楼三层机房") && list.contains("GB 50174-2017"), "{list}");
    assert!(list.contains("data-row=\"540102-E000001\"") && list.contains("1 条"), "the device and its violation");

    let unit = h.unit_web(&county, "u0001").await?;
    assert_eq!(unit.get(PAGE).await?.status, 403, "operators only");
    h.shutdown().await;
    Ok(())
}
