//! How a circular reads to a person (`extranet circular …`, the console's
//! pages and front page): its kind, number, issuer and the units named.

use extranet_proto::v1 as pb;

use super::text::time;
use crate::codec::WireEnum;
use crate::domain::CircularKind;

/// The kind in Chinese with its article.
pub fn kind_zh(c: &pb::Circular) -> String {
    let k = c.content.as_ref().and_then(|x| CircularKind::from_pb(x.kind));
    k.map_or_else(|| "—".into(), |k| format!("{}（{}）", k.zh(), k.article()))
}

/// The document's number, or `—`.
pub fn number(c: &pb::Circular) -> String {
    c.notice.as_ref().map_or_else(|| "—".into(), |n| n.number.clone())
}

/// The units named, joined.
pub fn units_zh(c: &pb::Circular) -> String {
    let units = c.content.as_ref().map(|x| x.units.as_slice()).unwrap_or_default();
    if units.is_empty() {
        return "—".into();
    }
    units.iter().map(|u| format!("{}（{}）", u.name, u.unit_id)).collect::<Vec<_>>().join("、")
}

/// The subject.
pub fn title(c: &pb::Circular) -> String {
    c.content.as_ref().map(|x| x.title.clone()).unwrap_or_default()
}

/// One circular as a row of `extranet circular list`.
pub fn row(c: &pb::Circular) -> Vec<String> {
    vec![c.id.clone(), number(c), kind_zh(c), title(c), c.origin.clone(), time(c.issued_at_ms), units_zh(c)]
}

/// The header of [`row`].
pub const HEADER: [&str; 7] = ["编号", "文号", "类别", "事由", "发布节点", "发布时间", "被通报单位"];

/// Prints one circular: its header lines, then the document's text.
pub fn print_circular(c: &pb::Circular) {
    println!("通报：{}    文号：{}    {}", c.id, number(c), kind_zh(c));
    println!("发布节点：{}    发布人：{}    {}", c.origin, c.issued_by, time(c.issued_at_ms));
    println!();
    if let Some(n) = &c.notice {
        print!("{}", n.text);
    }
}
