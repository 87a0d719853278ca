//! The register of non-classified private networks across the federation
//! (Art.5, Art.9, Art.10):
//!
//! ```text
//!   540000 (region: registers one)
//!     └── 540100 (prefecture: registers one, plans it)
//!           ├── 540102 (county: three — unplanned, planned, migrated still paying fees)
//!           └── 540103 (county: two — migrated with fees stopped, planned then migrated)
//! ```
//!
//! Migration figures at the region equal the sum of what each node
//! registered — for the prefecture's subtree and for the whole region —
//! computed from the records the test made, not typed in; every record
//! reaches the region, which can read but not change them; a bad record is
//! refused naming the field and writes nothing; a county cannot write
//! another county's record.

use extranet_certs::{Identity, NodeId, transport};
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, PATIENCE, eventually, row};
use pb::private_networks_client::PrivateNetworksClient;
use pb::update_private_network_request::Step;
use tonic::Code;

fn details(name: &str, planned: &str, migrated: &str, fees_stopped: bool) -> pb::PrivateNetworkDetails {
    pb::PrivateNetworkDetails {
        owner_department: "人力资源和社会保障局".into(),
        name: name.into(),
        scope: "辖区内各乡镇社保服务站".into(),
        link_count: 8,
        links: "电信 MSTP 10M".into(),
        planned_on: planned.into(),
        migrated_on: migrated.into(),
        lease_fees_stopped: fees_stopped,
        notes: String::new(),
    }
}

fn register(d: pb::PrivateNetworkDetails) -> pb::RegisterPrivateNetworkRequest {
    pb::RegisterPrivateNetworkRequest { details: Some(d), ..Default::default() }
}

fn update(id: &str, step: Step) -> pb::UpdatePrivateNetworkRequest {
    pb::UpdatePrivateNetworkRequest { id: id.into(), step: Some(step), ..Default::default() }
}

fn day(offset_days: i64) -> String {
    (extranet_node::calendar::today() + chrono::Duration::days(offset_days)).to_string()
}

/// The oversight figures a set of records makes, computed from them.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
struct Tally {
    total: u64,
    unplanned: u64,
    planned: u64,
    migrated: u64,
    fees_still_paid: u64,
    migrated_this_year: u64,
}

impl Tally {
    fn of<'a>(records: impl IntoIterator<Item = &'a pb::PrivateNetwork>) -> Self {
        let year = extranet_node::calendar::today().format("%Y").to_string();
        let mut t = Tally::default();
        for n in records {
            t.total += 1;
            match pb::MigrationStatus::try_from(n.status).unwrap() {
                pb::MigrationStatus::Unplanned => t.unplanned += 1,
                pb::MigrationStatus::Planned => t.planned += 1,
                pb::MigrationStatus::Migrated => t.migrated += 1,
                pb::MigrationStatus::Unspecified => panic!("{} has no status", n.id),
            }
            t.fees_still_paid += u64::from(n.fees_still_paid);
            t.migrated_this_year += u64::from(n.details.as_ref().unwrap().migrated_on.starts_with(&year));
        }
        t
    }

    fn from_totals(t: &pb::Totals) -> Self {
        Tally {
            total: t.private_networks,
            unplanned: t.private_networks_unplanned,
            planned: t.private_networks_planned,
            migrated: t.private_networks_migrated,
            fees_still_paid: t.private_networks_fees_still_paid,
            migrated_this_year: t.private_networks_migrated_this_year,
        }
    }
}

/// What each node registers, as its final records.
async fn register_everywhere(h: &Harness) -> anyhow::Result<Vec<(NodeId, pb::PrivateNetwork)>> {
    let (region, pref, a, b) = (h.region(), h.prefecture(), h.county_a(), h.county_b());
    let mut out = Vec::new();
    let mut r = h.fed.client(&region).await?.private_networks();
    let n = r.register(register(details("自治区人社业务专网", "", "", false))).await?.into_inner();
    out.push((region.clone(), n));
    let mut p = h.fed.client(&pref).await?.private_networks();
    let n = p.register(register(details("拉萨市医保专网", "", "", false))).await?.into_inner();
    out.push((
        pref.clone(),
        p.update(update(&n.id, Step::Plan(pb::PlanMigration { planned_on: day(90) }))).await?.into_inner(),
    ));
    let mut ca = h.fed.client(&a).await?.private_networks();
    for d in [
        details("城关区社保专网", "", "", false),
        details("城关区公积金专网", &day(30), "", false),
        details("城关区不动产专网", "", &day(-400), false),
    ] {
        out.push((a.clone(), ca.register(register(d)).await?.into_inner()));
    }
    let mut cb = h.fed.client(&b).await?.private_networks();
    out.push((b.clone(), cb.register(register(details("堆龙德庆区民政专网", "", &day(0), true))).await?.into_inner()));
    let n = cb.register(register(details("堆龙德庆区教育专网", &day(10), "", false))).await?.into_inner();
    let n = cb.update(update(&n.id, Step::Migrated(pb::RecordMigration { migrated_on: day(0) }))).await?.into_inner();
    out.push((b.clone(), n));
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_network_migration_figures_at_the_region_equal_the_sum_of_the_counties() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref) = (h.region(), h.prefecture());
    let records = register_everywhere(&h).await?;
    let in_pref = Tally::of(records.iter().filter(|(n, _)| n.is_within(&pref)).map(|(_, r)| r));
    let all = Tally::of(records.iter().map(|(_, r)| r));
    assert_eq!((in_pref.total, all.total), (6, 7), "what the test registered");
    assert!(in_pref.fees_still_paid == 2 && in_pref.migrated_this_year == 2, "{in_pref:?}");
    let (pref_s, region_s) = (pref.to_string(), region.to_string());
    let v = h
        .wait_oversight(&region, "the private networks of every node counted", PATIENCE, |v| {
            let t = |n: &str| row(v, n).subtree.as_ref().map(Tally::from_totals).unwrap_or_default();
            t(&pref_s) == in_pref && t(&region_s) == all
        })
        .await?;
    for county in [h.county_a(), h.county_b()] {
        let own = Tally::of(records.iter().filter(|(n, _)| *n == county).map(|(_, r)| r));
        assert_eq!(Tally::from_totals(row(&v, county.as_str()).subtree.as_ref().unwrap()), own, "{county}");
    }
    // every record reaches the region, which reads them
    let rs = h.running(&region).store.clone();
    eventually("the region to hold every record", PATIENCE, async || {
        let held = rs.private_networks()?.len();
        Ok(if held == records.len() { Ok(()) } else { Err(held) })
    })
    .await?;
    let year: i32 = extranet_node::calendar::today().format("%Y").to_string().parse()?;
    assert_eq!(rs.private_networks_migrated_in(year)?, all.migrated_this_year, "the annual report's figure");
    assert_eq!(rs.private_networks_migrated_in(year - 2)?, 0);
    let op = h.fed.client(&region).await?;
    let listed = op
        .private_networks()
        .list(pb::ListPrivateNetworksRequest { under: pref_s.clone(), ..Default::default() })
        .await?
        .into_inner();
    assert_eq!(listed.networks.len(), 6, "the prefecture's subtree, read at the region");
    let (_, county_record) = records.iter().find(|(n, _)| *n == h.county_a()).unwrap();
    let got = op.private_networks().get(pb::GetPrivateNetworkRequest { id: county_record.id.clone() }).await?;
    assert_eq!(&got.into_inner(), county_record, "the region's copy is the county's");
    // the region holds a copy: it cannot change it
    let plan = update(&county_record.id, Step::Plan(pb::PlanMigration { planned_on: day(5) }));
    let e = op.private_networks().update(plan).await.unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");
    h.shutdown().await;
    Ok(())
}

fn code_of<T>(r: Result<tonic::Response<T>, tonic::Status>) -> Code {
    r.err().map_or(Code::Ok, |e| e.code())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_record_is_refused_and_writes_nothing_and_a_county_cannot_write_anothers() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (a, b) = (h.county_a(), h.county_b());
    let mut ca = h.fed.client(&a).await?.private_networks();
    let kept = ca.register(register(details("城关区社保专网", "", "", false))).await?.into_inner();
    let store = h.running(&a).store.clone();
    let events = |h: &Harness| {
        let up = h.up_events(&a, &a).unwrap();
        up.iter().filter(|e| e.kind == extranet_node::codec::KIND_PRIVATE_NETWORK).count()
    };
    let before = (store.private_networks()?, events(&h));
    let mut no_owner = details("x", "", "", false);
    no_owner.owner_department = "  ".into();
    let bad = [
        ("owner_department", no_owner),
        ("migrated_on", details("x", "", &day(1), false)),
        ("lease_fees_stopped", details("x", "", "", true)),
        ("planned_on", details("x", "2026-13-01", "", false)),
        ("link_count", pb::PrivateNetworkDetails { link_count: 0, ..details("x", "", "", false) }),
    ];
    for (field, d) in bad {
        let e = ca.register(register(d)).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{field}: {e:?}");
        assert!(e.message().contains(field), "{field}: {}", e.message());
    }
    let early = ca.update(update(&kept.id, Step::FeesStopped(pb::StopLeaseFees {}))).await.unwrap_err();
    assert_eq!(early.code(), Code::FailedPrecondition, "fees stop after migration (Art.5): {early:?}");
    let none = pb::UpdatePrivateNetworkRequest { id: kept.id.clone(), ..Default::default() };
    assert_eq!(code_of(ca.update(none).await), Code::InvalidArgument, "a step is required");
    let ahead = update(&kept.id, Step::Migrated(pb::RecordMigration { migrated_on: day(1) }));
    assert_eq!(code_of(ca.update(ahead).await), Code::InvalidArgument, "not migrated tomorrow");
    assert_eq!((store.private_networks()?, events(&h)), before, "the refusals wrote nothing");
    // another county's operator, at this county's node and at its own
    let op_b = h.node(&b).operator().load()?;
    let ch = transport::connect(&h.running(&a).addr.to_string(), &Identity::node(a.clone()), &op_b).await?;
    let mut b_at_a = PrivateNetworksClient::new(ch);
    let plan = update(&kept.id, Step::Plan(pb::PlanMigration { planned_on: day(30) }));
    assert_eq!(code_of(b_at_a.update(plan.clone()).await), Code::PermissionDenied);
    let reg = register(details("冒名登记", "", "", false));
    assert_eq!(code_of(b_at_a.register(reg).await), Code::PermissionDenied);
    let mut cb = h.fed.client(&b).await?.private_networks();
    assert_eq!(code_of(cb.update(plan).await), Code::NotFound, "540103 holds no record of 540102");
    assert_eq!(store.private_networks()?, before.0, "the county's record is unchanged");
    h.shutdown().await;
    Ok(())
}

/// The console's page does what the CLI does through the same calls: a
/// county registers a network and records its migration there; a bad
/// form is refused naming the field; the region's page shows the copy
/// without a form to change it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_registers_a_network_and_records_its_migration_and_the_region_only_reads_it() -> anyhow::Result<()>
{
    let h = Harness::with_consoles(&extranet_tests::FOUR[..3]).await?;
    let (region, county) = (h.region(), h.county_a());
    let web = h.operator_web(&county).await?;
    let form = |links: &'static str| {
        vec![
            ("owner_department", "城关区民政局"),
            ("name", "城关区低保专网"),
            ("scope", "城关区"),
            ("link_count", links),
        ]
    };
    let bad = web.post_form("/private-networks", "/private-networks", &form("0")).await?;
    assert_eq!(bad.status, 400, "{bad:?}");
    assert!(bad.body.contains("link_count"), "the service names the field: {}", bad.body);
    assert!(h.running(&county).store.private_networks()?.is_empty(), "nothing written");
    let ok = web.post_form("/private-networks", "/private-networks", &form("4")).await?;
    assert_eq!((ok.status, ok.location()), (303, "/private-networks/540102-N000001"), "{ok:?}");
    let page = "/private-networks/540102-N000001";
    let today = day(0);
    let fields = [("step", "migrated"), ("on", today.as_str()), ("note", "已割接")];
    let done = web.post_form(page, "/private-networks/540102-N000001/update", &fields).await?;
    assert_eq!(done.status, 303, "{done:?}");
    let shown = web.get(page).await?.body;
    assert!(shown.contains("已迁移整合") && shown.contains("已迁移仍在支付"), "the Art.5 finding shown: {shown}");
    let at_region = h.operator_web(&region).await?;
    let copy = eventually("the region's console to show the county's network", PATIENCE, async || {
        let r = at_region.get(page).await?;
        Ok(if r.status == 200 { Ok(r.body) } else { Err(r.status) })
    })
    .await?;
    assert!(copy.contains("已迁移整合") && !copy.contains("id=\"private-network-step\""), "read-only: {copy}");
    h.shutdown().await;
    Ok(())
}

/// `extranet private-network …` registers, updates and lists in Chinese,
/// and `--json` answers the record for scripts; a refusal names the field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_registers_updates_and_lists_a_network() -> anyhow::Result<()> {
    const EXE: &str = env!("CARGO_BIN_EXE_extranet-under-test");
    let h = Harness::tree(&extranet_tests::FOUR[..3]).await?;
    let county = h.county_a();
    let run = |args: &[&str]| {
        let all: Vec<&str> = ["private-network"].into_iter().chain(args.iter().copied()).collect();
        tokio::task::block_in_place(|| h.cli(EXE, &county, &all))
    };
    let reg = [
        "register",
        "--owner",
        "城关区卫健委",
        "--name",
        "城关区卫生专网",
        "--scope",
        "城关区各卫生院",
        "--links",
        "6",
    ];
    let (ok, out, err) = run(&[&reg[..], &["--json"]].concat());
    assert!(ok, "{err}");
    let n: serde_json::Value = serde_json::from_str(&out)?;
    let id = n["id"].as_str().unwrap().to_string();
    assert_eq!(n["status"], pb::MigrationStatus::Unplanned as i32, "{out}");
    let planned = day(60);
    let (ok, out, err) = run(&["update", &id, "--planned", &planned]);
    assert!(ok && out.contains("计划迁移") && out.contains(&planned), "{out}{err}");
    let (ok, _, err) = run(&["update", &id, "--fees-stopped"]);
    assert!(!ok && err.contains("第五条"), "fees stop after migration: {err}");
    let (ok, out, err) = run(&["list", "--status", "planned"]);
    assert!(ok && out.contains("专网名称") && out.contains(&id), "{out}{err}");
    h.shutdown().await;
    Ok(())
}
