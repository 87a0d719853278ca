//! The regional demo's day of work in Ngari (阿里地区): the region's IPv6
//! pool is delegated down to Gêrzê (改则县), a township office there
//! registers, applies for access and is approved, and the county assigns it
//! a /64 — all through the same operator services a real office uses.

use std::time::{Duration, Instant};

use anyhow::Context;
use extranet_certs::NodeId;
use extranet_proto::v1 as pb;

use crate::local::LocalFederation;

/// The demo's root pool: the IPv6 documentation prefix (RFC 3849), so no
/// real address space appears in a demo.
const DEMO_ROOT: &str = "2001:db8::/32";
/// The unit that applies.
pub const UNIT: &str = "u0001";

/// Delegates the region's pool down to `county` through its prefecture,
/// then has a unit there apply, be approved and receive a /64. Returns the
/// application id and the assigned prefix.
pub async fn run(fed: &LocalFederation, region: &NodeId, county: &NodeId) -> anyhow::Result<(String, String)> {
    let prefecture = county.parent().context("county has a prefecture")?;
    fed.client(region)
        .await?
        .ipam()
        .add_root(pb::AddRootRequest { prefix: DEMO_ROOT.into(), ..Default::default() })
        .await?;
    for (from, to) in [(region, &prefecture), (&prefecture, county)] {
        let req = pb::DelegateRequest { child: to.to_string(), ..Default::default() };
        let d = fed.client(from).await?.ipam().delegate(req).await?.into_inner();
        wait_pool(fed, to).await?;
        println!("      {from} 向 {to} 下发地址段 {}", d.prefix);
    }
    let op = fed.client(county).await?;
    op.units().register_unit(pb::RegisterUnitRequest { unit: Some(unit(county)), ..Default::default() }).await?;
    let submit = pb::SubmitRequest {
        unit_id: UNIT.into(),
        kind: pb::ApplicationKind::New as i32,
        form: Some(form()),
        ..Default::default()
    };
    let app = op.access().submit(submit).await?.into_inner();
    let id = app.id.clone();
    op.access().review(pb::ReviewRequest { id: id.clone(), ..Default::default() }).await?;
    let plan = "县政务外网汇聚节点光纤接入，IPv6 单栈".to_string();
    op.access().approve(pb::ApproveRequest { id: id.clone(), access_plan: plan, ..Default::default() }).await?;
    op.access().implement(pb::ImplementRequest { id: id.clone(), done: false, ..Default::default() }).await?;
    let assign = pb::AssignRequest {
        purpose: pb::Purpose::AccessUnit as i32,
        assignee: UNIT.into(),
        serves: id.clone(),
        ..Default::default()
    };
    let a = op.ipam().assign(assign).await?.into_inner();
    op.access().implement(pb::ImplementRequest { id: id.clone(), done: true, ..Default::default() }).await?;
    Ok((id, a.prefix))
}

/// Waits until `node` holds a live delegation to itself (its pool).
async fn wait_pool(fed: &LocalFederation, node: &NodeId) -> anyhow::Result<()> {
    let store = &fed.node(node)?.running.as_ref().context("node running")?.store;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !store.ipam_delegations()?.iter().any(|d| &d.child == node && d.is_live()) {
        anyhow::ensure!(Instant::now() < deadline, "{node} 未在 30 秒内收到下发的地址段");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

fn unit(county: &NodeId) -> pb::Unit {
    pb::Unit {
        id: UNIT.into(),
        name: "改则县改则镇人民政府".into(),
        category: pb::UnitCategory::PartyGovernment as i32,
        division: county.to_string(),
        responsible_leader: Some(pb::Contact { name: "次仁多吉".into(), phone: "0897-3212345".into() }),
        responsible_department: "党政办公室".into(),
        responsible_person: Some(pb::Contact { name: "央金".into(), phone: "13989071234".into() }),
        ..Default::default()
    }
}

fn form() -> pb::ApplicationForm {
    pb::ApplicationForm {
        basis: "镇政府政务服务事项接入自治区政务服务平台".into(),
        scope: "镇政府机关及便民服务中心".into(),
        location: "改则镇人民政府机房".into(),
        bandwidth_mbps: 50,
        technical_requirements: "IPv6 单栈，双上联".into(),
        security_measures: "边界防火墙、终端准入、专机专用".into(),
        declares_no_classified_information: true,
        span: pb::AccessSpan::Local as i32,
        resource_subject: 0,
        devices: Vec::new(),
    }
}
