//! The cutover notice (割接通知, Art.21): what filing a cutover issues to
//! each affected unit — the window in Beijing time, what is done and may be
//! interrupted, whom to call — as text and as one printable A4 page. Its
//! date is the day the filing node filed (the date the two working days
//! count from), its number follows from the filing's
//! (`540102〔2026〕割000003号`), so it is composed from the filing wherever
//! it is shown and never stored apart from it.

use chrono::Datelike;

use crate::calendar::{beijing, date_of_ms};
use crate::filing::{CUTOVER_NOTICE_WORKING_DAYS, Cutover, Filing, FilingDetails};
use crate::notice::{Document, WrittenNotice};

/// The notice a cutover filing issued; `None` for another kind of filing.
/// `division` is the filing node's division name, when known.
pub fn cutover_notice(f: &Filing, division: Option<&str>) -> Option<WrittenNotice> {
    let FilingDetails::Cutover(c) = &f.details else { return None };
    let issued_on = date_of_ms(f.filed_at_ms);
    let number = format!("{}〔{}〕割{:06}号", f.id.origin.code(), issued_on.year(), f.id.number);
    let body = paragraphs(c);
    Some(WrittenNotice::compose(&Document {
        title: "政务外网割接通知",
        number,
        body: &body,
        authority: &f.id.origin,
        authority_division: division,
        issued_on,
        by: &f.filed_by,
    }))
}

/// The addressees (names, or ids where no name was recorded) and the body.
fn paragraphs(c: &Cutover) -> Vec<String> {
    let names = if c.affected_names.len() == c.affected_units.len() { &c.affected_names } else { &c.affected_units };
    let at = |t: &chrono::DateTime<chrono::FixedOffset>| {
        t.with_timezone(&beijing()).format("%Y年%-m月%-d日 %H:%M").to_string()
    };
    let contact = if c.contact.is_empty() { "本级政务外网主管部门".to_string() } else { c.contact.clone() };
    vec![
        format!("{}：", names.join("、")),
        format!(
            "按照《西藏自治区电子政务外网管理办法》第二十一条，现提前 {CUTOVER_NOTICE_WORKING_DAYS} 个工作日通知：\
             定于 {} 至 {}（北京时间）进行政务外网网络升级或测试割接。",
            at(&c.window_start),
            at(&c.window_end)
        ),
        format!("割接内容及可能中断的业务：{}", c.description),
        "请贵单位提前做好业务安排和数据备份，割接期间如遇异常请及时联系。".to_string(),
        format!("联系人及电话：{contact}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filing::FilingId;
    use extranet_ids::NodeId;

    #[test]
    fn the_notice_names_the_units_the_window_the_work_and_the_contact_dated_the_filing_day() {
        let c = Cutover {
            affected_units: vec!["u0001".into(), "u0002".into()],
            affected_names: vec!["城关区教育局".into(), "城关区卫健委".into()],
            window_start: chrono::DateTime::parse_from_rfc3339("2026-12-07T14:00:00Z").unwrap(),
            window_end: chrono::DateTime::parse_from_rfc3339("2026-12-07T16:00:00Z").unwrap(),
            notified_on: "2026-12-03".parse().unwrap(),
            description: "核心交换机升级，期间全区县业务中断约 30 分钟".into(),
            major_adjustment: false,
            major_approval: None,
            contact: "扎西 0891-6812345".into(),
        };
        let f = Filing {
            id: FilingId { origin: NodeId::parse("540000/540100/540102").unwrap(), number: 3 },
            filed_at_ms: 1_796_270_400_000, // 2026-12-03 12:00 Beijing
            filed_by: "operator".into(),
            details: FilingDetails::Cutover(c),
            receipts: vec![],
        };
        let n = cutover_notice(&f, Some("城关区")).unwrap();
        assert_eq!((n.number.as_str(), n.issued_on.to_string().as_str()), ("540102〔2026〕割000003号", "2026-12-03"));
        for want in [
            "城关区教育局、城关区卫健委：",
            "2026年12月7日 22:00",
            "2026年12月8日 00:00",
            "核心交换机升级",
            "扎西 0891-6812345",
            "第二十一条",
        ] {
            assert!(n.text.contains(want), "{want} in {}", n.text);
        }
        assert!(n.html.contains("@page") && n.html.contains("政务外网割接通知"));
    }
}
