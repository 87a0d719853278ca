//! The written documents of an order (Art.25(4)): the disconnection and
//! rectification order (中断连接、限期整改通知书) issued with it, and the
//! lifting notice (恢复连接通知) issued when it is lifted. Chinese, as text
//! and as one printable A4 page, numbered per issuing authority and year
//! (`540102〔2026〕断001号`, `540102〔2026〕复001号`), naming the authority,
//! the legal basis and the dates; built on the rejection notice's helpers.

use chrono::NaiveDate;
use extranet_ids::NodeId;

use super::{Order, StepKind};
use crate::calendar::date_of_ms as day;
use crate::notice::{Document, WrittenNotice, date_zh};

/// The legal basis every order document cites.
const BASIS: &str = "《西藏自治区电子政务外网管理办法》第二十五条第（四）项";

/// Who issues a document, and its number in that authority's series for
/// the year (allocated by the node, one series per kind of document).
pub struct Issuer<'a> {
    /// The issuing authority's node.
    pub authority: &'a NodeId,
    /// Its division's name, e.g. 城关区, when known.
    pub division: Option<&'a str>,
    /// The document's number in its series for the year, from 1.
    pub seq: u64,
}

/// The documents an order carries (for a page or a print-out).
pub struct OrderDocuments;

impl OrderDocuments {
    /// The number of document `seq` of `kind` (断 or 复) issued by `node` in `year`.
    pub fn number(node: &NodeId, year: i32, kind: &str, seq: u64) -> String {
        format!("{}〔{year}〕{kind}{seq:03}号", node.code())
    }
}

impl Issuer<'_> {
    /// Document `title` of series `kind` issued on `on` by `by` (the
    /// inspection notices share this with the orders').
    pub(crate) fn document(
        &self,
        title: &str,
        kind: &str,
        on: NaiveDate,
        body: Vec<String>,
        by: &str,
    ) -> WrittenNotice {
        use chrono::Datelike;
        WrittenNotice::compose(&Document {
            title,
            number: OrderDocuments::number(self.authority, on.year(), kind, self.seq),
            body: &body,
            authority: self.authority,
            authority_division: self.division,
            issued_on: on,
            by,
        })
    }

    /// The written order of `o`, as issued.
    pub(super) fn order_notice(&self, o: &Order) -> WrittenNotice {
        let on = day(o.issued_at_ms());
        let d = &o.deadline;
        let body = vec![
            format!("{}（单位编号 {}）：", o.unit_name, o.unit),
            format!("经查，你单位存在以下网络安全问题，已影响电子政务外网安全：{}", o.reason),
            format!(
                "依据{BASIS}，自{}起中断你单位与电子政务外网的连接，并责令你单位限期整改：请于{}（{} 个工作日内）前完成整改，并向本部门报送整改情况。",
                date_zh(on),
                date_zh(d.due),
                d.working_days
            ),
            format!("经核验整改到位后，本部门将书面通知恢复连接。通知编号 {}。", o.id),
        ];
        self.document("中断连接、限期整改通知书", "断", on, body, o.issued_by())
    }

    /// The written lifting notice of `o`, as lifted (its last step).
    pub(super) fn lifting_notice(&self, o: &Order) -> WrittenNotice {
        let lift = o.history.last().filter(|s| s.kind == StepKind::Lifted);
        let (on, by) = lift.map_or((NaiveDate::MIN, ""), |s| (day(s.at_ms), s.by.as_str()));
        let reported = o.history.iter().rfind(|s| s.kind == StepKind::Rectified).map(|s| day(s.at_ms));
        let mut body = vec![
            format!("{}（单位编号 {}）：", o.unit_name, o.unit),
            format!(
                "本部门于{}下达的中断连接、限期整改通知（{}，编号 {}），你单位已于{}报送整改情况，经核验整改到位。",
                date_zh(day(o.issued_at_ms())),
                o.order_notice.number,
                o.id,
                reported.map_or_else(|| "—".to_string(), date_zh)
            ),
            format!("依据{BASIS}，自{}起恢复你单位与电子政务外网的连接。", date_zh(on)),
        ];
        if let Some(note) = lift.map(|s| s.note.as_str()).filter(|n| !n.is_empty()) {
            body.push(format!("核验意见：{note}"));
        }
        body.push("请你单位继续落实网络安全管理责任，防止类似问题再次发生。".into());
        self.document("恢复连接通知", "复", on, body, by)
    }
}
