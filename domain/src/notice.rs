//! Written documents of an authority, as text and as printable A4 HTML, in
//! Chinese: the notice of a rejection (审核未通过书面告知书, Art.16), issued
//! with the rejection and kept with the application, and any other an act
//! issues ([`WrittenNotice::compose`]).

use chrono::{Datelike, NaiveDate};
use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

/// A written notice, kept with the application it answers.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct WrittenNotice {
    /// Notice number, e.g. `540100〔2026〕A000003号`.
    pub number: String,
    /// Date of issue.
    pub issued_on: NaiveDate,
    /// The deciding authority's node.
    pub authority: NodeId,
    /// Plain text.
    pub text: String,
    /// Printable HTML (one A4 page).
    pub html: String,
}

/// What a notice says.
pub struct NoticeFacts<'a> {
    /// Application id, e.g. `540102-A000001`.
    pub application: &'a str,
    /// Kind of application, in Chinese.
    pub kind: &'a str,
    /// The applicant unit's name.
    pub unit_name: &'a str,
    /// Submission date.
    pub submitted_on: NaiveDate,
    /// The reasons.
    pub reasons: &'a str,
    /// Date of the decision.
    pub decided_on: NaiveDate,
    /// The deciding authority.
    pub authority: &'a NodeId,
    /// Its division's name, e.g. 拉萨市, when known.
    pub authority_division: Option<&'a str>,
    /// Operator who decided.
    pub decided_by: &'a str,
}

/// Name of the authority of a node, for a notice: 拉萨市政务外网主管部门
/// when the division's name is known, else by tier and code.
pub fn authority_name(node: &NodeId, division: Option<&str>) -> String {
    let level = match node.depth() {
        1 => "自治区级",
        2 => "地(市)级",
        _ => "县(区、市)级",
    };
    match division {
        Some(name) => format!("{name}政务外网主管部门（区划代码 {}）", node.code()),
        None => format!("{level}政务外网主管部门（区划代码 {}）", node.code()),
    }
}

/// A date as a notice writes it: 2026年3月9日.
pub fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

impl WrittenNotice {
    /// Issues the notice for `f`.
    pub fn issue(f: &NoticeFacts<'_>) -> Self {
        let number = format!("{}〔{}〕{}号", f.authority.code(), f.decided_on.year(), f.application.replace('-', ""));
        let body = [
            format!("{}：", f.unit_name),
            format!(
                "你单位于{}提交的政务外网{}（编号 {}），经审核未予通过。",
                date_zh(f.submitted_on),
                f.kind,
                f.application
            ),
            format!("原因：{}", f.reasons),
            "依据《西藏自治区电子政务外网管理办法》第十六条，特此书面告知。如对上述原因有异议，或整改后仍需接入，可重新提出申请。"
                .to_string(),
        ];
        WrittenNotice::compose(&Document {
            title: "政务外网接入申请审核未通过书面告知书",
            number,
            body: &body,
            authority: f.authority,
            authority_division: f.authority_division,
            issued_on: f.decided_on,
            by: f.decided_by,
        })
    }

    /// Lays out any written document of an authority as text and as one
    /// printable A4 page: title, number, the paragraphs, then the
    /// authority, the date and who handled it.
    pub fn compose(d: &Document<'_>) -> Self {
        let authority = authority_name(d.authority, d.authority_division);
        let (title, number) = (d.title, &d.number);
        let text = format!(
            "{title}\n{number}\n\n{}\n\n{authority}\n{}\n经办：{}\n",
            d.body.join("\n"),
            date_zh(d.issued_on),
            d.by
        );
        let paras: String = d.body.iter().map(|p| format!("<p>{}</p>\n", escape(p))).collect();
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{title} {num}</title>\n<style>\n\
             @page {{ size: A4; margin: 25mm 20mm; }}\n\
             body {{ font-family: \"SimSun\", \"Songti SC\", \"Noto Serif CJK SC\", serif; font-size: 16pt; line-height: 1.8; }}\n\
             h1 {{ text-align: center; font-size: 22pt; font-family: \"SimHei\", \"Noto Sans CJK SC\", sans-serif; }}\n\
             .number {{ text-align: center; }}\n\
             p {{ text-indent: 2em; margin: 0.4em 0; }}\n\
             p:first-of-type {{ text-indent: 0; }}\n\
             .sign {{ text-align: right; margin-top: 3em; }}\n\
             </style>\n</head>\n<body>\n<h1>{title}</h1>\n\
             <div class=\"number\">{num}</div>\n{paras}<div class=\"sign\">{auth}<br>{date}<br>经办：{by}</div>\n</body>\n</html>\n",
            title = escape(title),
            num = escape(number),
            auth = escape(&authority),
            date = date_zh(d.issued_on),
            by = escape(d.by),
        );
        WrittenNotice { number: number.clone(), issued_on: d.issued_on, authority: d.authority.clone(), text, html }
    }
}

/// What a written document says, for [`WrittenNotice::compose`].
pub struct Document<'a> {
    /// Its title, e.g. 政务外网接入申请审核未通过书面告知书.
    pub title: &'a str,
    /// Its number, per issuing authority and year.
    pub number: String,
    /// The paragraphs: the addressee first, then the body.
    pub body: &'a [String],
    /// The issuing authority's node.
    pub authority: &'a NodeId,
    /// Its division's name, when known.
    pub authority_division: Option<&'a str>,
    /// Date of issue.
    pub issued_on: NaiveDate,
    /// Who handled it.
    pub by: &'a str,
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_names_applicant_application_reasons_date_and_authority() {
        let authority = NodeId::parse("540000/540100").unwrap();
        let n = WrittenNotice::issue(&NoticeFacts {
            application: "540102-A000001",
            kind: "接入申请",
            unit_name: "城关区<教育局>",
            submitted_on: "2026-03-02".parse().unwrap(),
            reasons: "安全措施不完整",
            decided_on: "2026-03-09".parse().unwrap(),
            authority: &authority,
            authority_division: Some("拉萨市"),
            decided_by: "operator",
        });
        for part in [
            "城关区<教育局>",
            "540102-A000001",
            "安全措施不完整",
            "2026年3月9日",
            "2026年3月2日",
            "拉萨市政务外网主管部门",
            "540100",
            "第十六条",
        ] {
            assert!(n.text.contains(part), "text has {part}: {}", n.text);
        }
        assert!(n.html.contains("城关区&lt;教育局&gt;"), "escaped in HTML");
        assert!(n.html.contains("@page") && n.html.contains("lang=\"zh-CN\""));
        assert_eq!(n.number, "540100〔2026〕540102A000001号");
    }
}
