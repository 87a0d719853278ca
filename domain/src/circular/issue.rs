//! Issuing a circular ([`Circular::issue`]): what it says is checked
//! (a title and the facts; Art.29's cases name at least one unit; every
//! unit named lies in the issuer's subtree; references well-formed), and
//! the written circular is composed, numbered `{code}〔{year}〕通{nnn}号`.

use std::collections::HashSet;

use chrono::Datelike;
use extranet_ids::NodeId;

use super::{Circular, CircularId, CircularKind, MAX_NAMED, NamedUnit};
use crate::calendar::date_of_ms;
use crate::error::{DomainError, Result};
use crate::incident::IncidentId;
use crate::limits;
use crate::notice::{Document, WrittenNotice};
use crate::order::OrderId;

/// The legal basis every circular cites.
const BASIS: &str = "《西藏自治区电子政务外网管理办法》";

/// What a circular says and whom it names.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct CircularRequest {
    /// What it is about.
    pub kind: CircularKind,
    /// Its subject, e.g. 某单位终端感染勒索病毒.
    pub title: String,
    /// The facts circulated (情况).
    pub facts: String,
    /// What is required of the subtree (整改要求; may be empty).
    pub requirements: String,
    /// The units named.
    pub units: Vec<NamedUnit>,
    /// The incidents behind it (`540102-I000001`).
    pub incidents: Vec<String>,
    /// The disconnection orders behind it (`540102-D000001`).
    pub orders: Vec<String>,
    /// The inspections behind it (free references).
    pub inspections: Vec<String>,
}

/// Who issues a circular, and its number in that authority's series for the year.
pub struct Issuer<'a> {
    /// The issuing authority's node.
    pub authority: &'a NodeId,
    /// Its division's name, e.g. 拉萨市, when known.
    pub division: Option<&'a str>,
    /// The circular's number in the authority's series for the year, from 1.
    pub seq: u64,
}

/// The document number of circular `seq` of `node` in `year`: `540100〔2026〕通001号`.
pub fn number(node: &NodeId, year: i32, seq: u64) -> String {
    format!("{}〔{year}〕通{seq:03}号", node.code())
}

fn checked_units(units: &[NamedUnit], issuer: &NodeId) -> Result<Vec<NamedUnit>> {
    limits::count("units", units.len(), MAX_NAMED)?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for u in units {
        if !u.node.is_within(issuer) {
            return Err(DomainError::invalid(
                "units",
                format!("单位 {} 登记于 {}，不在本级（{}）管辖范围内，不能通报", u.unit, u.node, issuer),
            ));
        }
        if !seen.insert((u.node.clone(), u.unit.clone())) {
            return Err(DomainError::invalid("units", format!("单位 {}（{}）重复", u.unit, u.node)));
        }
        out.push(NamedUnit { name: limits::required_text("units.name", &u.name)?, ..u.clone() });
    }
    Ok(out)
}

fn checked_refs(field: &'static str, v: &[String], check: fn(&str) -> Result<()>) -> Result<Vec<String>> {
    let v = limits::items(field, v, MAX_NAMED)?;
    for r in &v {
        check(r).map_err(|e| DomainError::invalid(field, e.to_string()))?;
    }
    Ok(v)
}

impl CircularRequest {
    /// The request as it will be issued by `issuer`, or why not.
    pub fn checked(self, issuer: &NodeId) -> Result<Self> {
        let units = checked_units(&self.units, issuer)?;
        if self.kind.names_units() && units.is_empty() {
            return Err(DomainError::invalid("units", format!("依据{}须写明被通报的接入单位", self.kind.article())));
        }
        Ok(CircularRequest {
            title: limits::required_text("title", &self.title)?,
            facts: limits::required_text("facts", &self.facts)?,
            requirements: limits::optional_text("requirements", &self.requirements)?,
            units,
            incidents: checked_refs("incidents", &self.incidents, IncidentId::check_key)?,
            orders: checked_refs("orders", &self.orders, OrderId::check_key)?,
            inspections: checked_refs("inspections", &self.inspections, |_| Ok(()))?,
            ..self
        })
    }
}

impl Circular {
    /// Issues circular `id` with `req` at `at_ms` by `by` as `issuer`.
    pub fn issue(id: CircularId, req: CircularRequest, at_ms: i64, by: &str, issuer: &Issuer<'_>) -> Result<Self> {
        let content = req.checked(issuer.authority)?;
        let notice = issuer.compose(&id, &content, at_ms, by);
        Ok(Circular { id, content, issued_at_ms: at_ms, issued_by: by.to_string(), notice, revision: 1 })
    }
}

impl Issuer<'_> {
    fn compose(&self, id: &CircularId, k: &CircularRequest, at_ms: i64, by: &str) -> WrittenNotice {
        let on = date_of_ms(at_ms);
        let title = if k.title.ends_with("通报") { k.title.clone() } else { format!("关于{}的通报", k.title) };
        let mut body = vec!["本级及所辖各级政务外网主管部门、各接入单位：".to_string()];
        body.push(match k.kind {
            CircularKind::SecurityEvent => {
                format!("依据{BASIS}第二十八条，现将{}有关情况通报如下。", k.title)
            }
            CircularKind::DutyFailure => {
                format!("依据{BASIS}第二十九条第（一）项，下列接入单位不履行网络安全保护义务，现予以通报。")
            }
            CircularKind::ObstructedInspection => format!(
                "依据{BASIS}第二十九条第（二）项，下列接入单位拒绝或阻碍有关部门依法依规实施监督检查，现予以通报。"
            ),
        });
        if !k.units.is_empty() {
            let named: Vec<String> = k
                .units
                .iter()
                .map(|u| format!("{}（单位编号 {}，区划代码 {}）", u.name, u.unit, u.node.code()))
                .collect();
            body.push(format!("被通报单位：{}。", named.join("；")));
        }
        body.push(format!("基本情况：{}", k.facts));
        let refs = [("相关安全事件", &k.incidents), ("相关中断连接通知", &k.orders), ("相关监督检查", &k.inspections)];
        for (what, ids) in refs.iter().filter(|(_, ids)| !ids.is_empty()) {
            body.push(format!("{what}：{}。", ids.join("、")));
        }
        if !k.requirements.is_empty() {
            body.push(format!("工作要求：{}", k.requirements));
        }
        if k.kind.names_units() {
            body.push("被通报单位应立即整改，造成严重后果的，由相关主管部门依法依规追究相应责任。".into());
        }
        body.push(format!("特此通报。（通报编号 {id}）"));
        WrittenNotice::compose(&Document {
            title: &title,
            number: number(self.authority, on.year(), self.seq),
            body: &body,
            authority: self.authority,
            authority_division: self.division,
            issued_on: on,
            by,
        })
    }
}
