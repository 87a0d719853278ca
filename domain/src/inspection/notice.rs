//! The written rectification order of an inspection (整改通知书, Art.28):
//! Chinese, text and one printable A4 page, numbered per inspecting
//! authority and year (`540100〔2026〕查001号`), naming the authority, the
//! article, the day of the inspection and each finding's deadline; built on
//! the orders' [`Issuer`], so every written document reads the same.

use chrono::NaiveDate;

use super::{Inspected, Inspection};
use crate::notice::{WrittenNotice, date_zh};
use crate::order::Issuer;

/// The legal basis the order cites.
const BASIS: &str = "《西藏自治区电子政务外网管理办法》第二十八条";

/// The series of the rectification orders (查).
pub const SERIES: &str = "查";

impl Issuer<'_> {
    /// The written rectification order of `i`, issued on `on`.
    pub(super) fn rectification_notice(&self, i: &Inspection, on: NaiveDate) -> WrittenNotice {
        let addressee = match &i.inspected {
            Inspected::Unit(u) => format!("{}（单位编号 {u}）：", i.inspected_name),
            Inspected::Node(n) => format!("{}政务外网主管部门（{n}）：", i.inspected_name),
        };
        let mut body = vec![
            addressee,
            format!(
                "依据{BASIS}，本部门于{}对你单位政务外网{}进行了监督检查（检查人员：{}），发现以下问题，现责令限期整改：",
                date_zh(i.date),
                i.scope,
                i.inspectors.join("、")
            ),
        ];
        for (n, f) in i.findings.iter().enumerate() {
            let due = f.rectification.as_ref().map_or_else(
                || "（不要求整改）".to_string(),
                |r| format!("请于{}前（{} 个工作日内）完成整改。", date_zh(r.deadline.due), r.deadline.working_days),
            );
            body.push(format!("{}．{}{due}", n + 1, f.text));
        }
        body.push(format!("请按期报送整改情况，经本部门验收后方为整改完成。检查编号 {}。", i.id));
        self.document("整改通知书", SERIES, on, body, &i.recorded_by)
    }
}
