//! The supervision record of one unit for `extranet unit show`: the orders
//! that disconnected it, the inspections of it with their findings, and the
//! circulars naming it (Art.11: a unit's record keeps its history of
//! orders, findings and circulars). Each list is the service's own, so a
//! unit's certificate sees exactly what it may.

use extranet_proto::v1 as pb;

use crate::client::Client;
use crate::present::text::table;
use crate::present::{circular, inspection, order};

/// Prints the unit's orders, inspections and circulars, each as a table.
pub async fn print_records(c: &Client, unit: &str) -> anyhow::Result<()> {
    let r = pb::ListOrdersRequest { unit_id: unit.into(), page_size: 1000, ..Default::default() };
    let orders = c.orders().list_orders(r).await?.into_inner().orders;
    let r = pb::ListInspectionsRequest { page_size: 1000, ..Default::default() };
    let inspections: Vec<pb::Inspection> = c
        .inspections()
        .list_inspections(r)
        .await?
        .into_inner()
        .inspections
        .into_iter()
        .filter(|i| i.unit_id == unit)
        .collect();
    let r = pb::ListCircularsRequest { unit_id: unit.into(), page_size: 1000, ..Default::default() };
    let circulars = c.circulars().list(r).await?.into_inner().circulars;
    section("中断连接与限期整改通知（第二十五条）", &order::HEADER, orders.iter().map(order::row).collect());
    section("监督检查（第二十八条）", &inspection::HEADER, inspections.iter().map(inspection::row).collect());
    section("通报（第二十八条、第二十九条）", &circular::HEADER, circulars.iter().map(circular::row).collect());
    Ok(())
}

fn section(title: &str, header: &[&str], rows: Vec<Vec<String>>) {
    println!("\n{title}：{}", if rows.is_empty() { "无" } else { "" });
    if !rows.is_empty() {
        table(header, &rows);
    }
}
