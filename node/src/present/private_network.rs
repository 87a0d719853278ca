//! How a private network reads to a person (`extranet private-network …`,
//! the console's page): its status and the Art.5 finding in Chinese, a
//! table row, the whole record with its steps.

use extranet_proto::v1 as pb;

use super::text::time;
use crate::codec::WireEnum;
use crate::domain::MigrationStatus;
use crate::domain::private_network::StepKind;

/// A status in Chinese (未迁移（未定计划）, 计划迁移, 已迁移整合).
pub fn status_zh(v: i32) -> &'static str {
    MigrationStatus::from_pb(v).map_or("—", MigrationStatus::zh)
}

/// A step's kind in Chinese.
pub fn step_zh(v: i32) -> &'static str {
    StepKind::from_pb(v).map_or("—", StepKind::zh)
}

/// The lease fees in Chinese: stopped, still paid after migration (the
/// Art.5 finding), or still paid before it (as Art.5 allows).
pub fn fees_zh(n: &pb::PrivateNetwork) -> &'static str {
    let stopped = n.details.as_ref().is_some_and(|d| d.lease_fees_stopped);
    match (stopped, n.fees_still_paid) {
        (true, _) => "已停止",
        (false, true) => "已迁移仍在支付（第五条）",
        (false, false) => "迁移前照常申请",
    }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() { "—".into() } else { s.to_string() }
}

/// One network as a row of `extranet private-network list`.
pub fn row(n: &pb::PrivateNetwork) -> Vec<String> {
    let d = n.details.clone().unwrap_or_default();
    vec![
        n.id.clone(),
        d.name,
        d.owner_department,
        d.link_count.to_string(),
        status_zh(n.status).into(),
        or_dash(&d.planned_on),
        or_dash(&d.migrated_on),
        fees_zh(n).into(),
    ]
}

/// The header of [`row`].
pub const HEADER: [&str; 8] =
    ["编号", "专网名称", "主管部门", "链路数", "状态", "计划迁移日期", "实际完成日期", "线路租赁费"];

/// Prints one network with its steps.
pub fn print_private_network(n: &pb::PrivateNetwork) {
    let d = n.details.clone().unwrap_or_default();
    println!("非涉密业务专网：{}    {}    登记节点：{}", n.id, status_zh(n.status), n.origin);
    println!("专网名称：{}    主管部门：{}", d.name, d.owner_department);
    println!("覆盖范围：{}", d.scope);
    println!("链路：{} 条    {}", d.link_count, d.links);
    println!("计划迁移日期：{}    实际完成日期：{}", or_dash(&d.planned_on), or_dash(&d.migrated_on));
    println!("线路租赁费：{}", fees_zh(n));
    if !d.notes.is_empty() {
        println!("备注：{}", d.notes);
    }
    for s in &n.history {
        println!("  {}  {}  {}  {}", time(s.at_ms), step_zh(s.kind), s.by, s.note);
    }
}
