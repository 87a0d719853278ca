//! The one codec of every value the store keeps, so that each says which
//! format version it is in. Renaming a field of a domain struct would
//! otherwise make the data already on disk unreadable — or worse, read
//! wrongly after a downgrade.
//!
//! A stored record is one version byte (1–31) followed by its body: JSON of
//! the record, except events since their version 2 (their protobuf wire
//! form, [`Record::encode_body`]). Records written before there was a
//! version byte are bare JSON, whose first byte is printable (`{`, `[`, `"`,
//! a digit): they read as version 0. A record of a version newer than this
//! build knows is refused with [`NodeError::NewerFormat`] rather than
//! misread. When a record's shape changes, its old shape stays here as a
//! frozen struct, [`Record::VERSION`] goes up, and [`Record::upgrade`]
//! turns the old body into today's record (the idea of garage's
//! `util/migrate.rs`); callers only ever see the newest shape.
//!
//! Counters and cursors (u64 values) are 8 bytes big-endian in version 0
//! and the version byte followed by those 8 bytes since version 1.

use extranet_federation::{Envelope, StreamId};
use serde::{Serialize, de::DeserializeOwned};

use crate::calendar::{CalendarDocument, LocalCalendar};
use crate::domain::{
    AccessUnit, Application, DeadlineSummary, FaultTicket, Filing, Interruption, Order, WithdrawalEntry, fault, ipam,
};
use crate::error::{NodeError, Result};

/// The highest first byte that is a version marker; anything above starts
/// a bare JSON body (version 0).
const MAX_MARKER: u8 = 0x1f;

/// A value kept in the store, in a versioned format.
pub trait Record: Serialize + DeserializeOwned {
    /// The record's name in errors, for the operator (Chinese).
    const NAME: &'static str;
    /// The format version this build writes (and the newest it reads).
    const VERSION: u8 = 1;

    /// Writes the body of the current version: JSON, unless the record
    /// says otherwise.
    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        serde_json::to_writer(out, self).map_err(|e| NodeError::Store(format!("{}编码失败：{e}", Self::NAME)))
    }

    /// Reads a body of the current version.
    fn decode_body(body: &[u8]) -> Result<Self> {
        json(Self::NAME, body)
    }

    /// Reads a body of an older `version` (< [`Record::VERSION`]). By
    /// default the older versions have today's shape.
    fn upgrade(version: u8, body: &[u8]) -> Result<Self> {
        let _ = version;
        json(Self::NAME, body)
    }
}

/// Reads a JSON body of record `name`.
pub(crate) fn json<T: DeserializeOwned>(name: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| NodeError::Store(format!("{name}记录已损坏：{e}")))
}

/// Encodes `v` in the current format of its record.
pub fn encode<T: Record>(v: &T) -> Result<Vec<u8>> {
    let mut out = vec![T::VERSION];
    v.encode_body(&mut out)?;
    Ok(out)
}

/// Decodes a stored `T` of any version up to this build's.
pub fn decode<T: Record>(v: &[u8]) -> Result<T> {
    let (version, body) = split(T::NAME, T::VERSION, v)?;
    if version == T::VERSION { T::decode_body(body) } else { T::upgrade(version, body) }
}

/// The version of a stored value and its body; refuses a newer version.
fn split<'a>(name: &'static str, known: u8, v: &'a [u8]) -> Result<(u8, &'a [u8])> {
    match v.split_first() {
        Some((&0, _)) => Err(NodeError::Store(format!("{name}记录已损坏：版本字节为 0"))),
        Some((&found, body)) if found <= MAX_MARKER => {
            if found > known {
                return Err(NodeError::NewerFormat { record: name, found, known });
            }
            Ok((found, body))
        }
        _ => Ok((0, v)),
    }
}

/// Name of counters and cursors in errors.
const COUNTER: &str = "计数器或游标";
/// Format version of counters and cursors.
const COUNTER_VERSION: u8 = 1;

/// Encodes a counter or cursor value.
pub fn u64_value(n: u64) -> [u8; 9] {
    let mut out = [COUNTER_VERSION; 9];
    out[1..].copy_from_slice(&n.to_be_bytes());
    out
}

/// Decodes a counter or cursor value (absent = 0), of version 0 (8 bytes)
/// or 1; refuses a newer version.
pub fn read_u64(v: Option<&[u8]>) -> Result<u64> {
    let Some(v) = v else { return Ok(0) };
    let bytes = if v.len() == 8 { v } else { split(COUNTER, COUNTER_VERSION, v)?.1 };
    let b =
        <[u8; 8]>::try_from(bytes).map_err(|_| NodeError::Store(format!("{COUNTER}已损坏：长度 {} 字节", v.len())))?;
    Ok(u64::from_be_bytes(b))
}

macro_rules! records {
    ($($t:ty => $name:literal),* $(,)?) => {
        $(impl Record for $t {
            const NAME: &'static str = $name;
        })*
    };
}

records! {
    AccessUnit => "接入单位",
    Application => "接入申请",
    DeadlineSummary => "期限摘要",
    WithdrawalEntry => "撤销台账条目",
    Filing => "备案",
    FaultTicket => "故障报告",
    Interruption => "维护作业中断",
    crate::domain::approval::MajorAdjustment => "重大调整审批申请",
    Order => "中断连接通知",
    crate::domain::Incident => "网络安全事件",
    crate::domain::Circular => "通报",
    crate::domain::inspection::Inspection => "监督检查",
    crate::domain::PrivateNetwork => "非涉密业务专网",
    fault::LinkProvider => "链路提供单位",
    fault::MaintenanceUnit => "运维服务单位",
    fault::AccessPoint => "接入点",
    CalendarDocument => "工作日历",
    LocalCalendar => "本地工作日历",
    ipam::Delegation => "地址委派",
    ipam::Assignment => "地址分配",
    ipam::AddressLedgerEntry => "地址台账条目",
    ipam::Reservation => "保留地址",
    ipam::SpaceRequest => "地址扩容申请",
    ipam::SystemRequest => "信息系统地址申请",
    crate::domain::asset::Device => "统一部署设备",
    crate::domain::asset::AccessRoom => "接入点机房",
    Vec<String> => "设备索引",
    ipnet::IpNet => "根地址池",
    Vec<(StreamId, u64)> => "对端游标",
    std::collections::BTreeSet<String> => "待重算期限的申请",
}

/// An event: since version 2 in its wire form (protobuf), a third of its
/// JSON size (whose payload bytes were a list of numbers); versions 0 and 1
/// are JSON.
impl Record for Envelope {
    const NAME: &'static str = "事件";
    const VERSION: u8 = 2;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&extranet_federation::convert::encode_envelope(self));
        Ok(())
    }

    fn decode_body(body: &[u8]) -> Result<Self> {
        extranet_federation::convert::decode_envelope(body)
            .map_err(|e| NodeError::Store(format!("{}记录已损坏：{e}", Self::NAME)))
    }
}

/// A held status summary: generated at (ms), payload, heard at (ms).
pub type HeldSummary = (i64, Vec<u8>, i64);

/// Version 0 of a held status summary, before receivers dated summaries by
/// their own clock: `(generated_at_ms, payload)` or already today's three
/// fields. Frozen: never change it.
mod v0 {
    /// The two-field form.
    pub type TwoFields = (i64, Vec<u8>);
}

impl Record for HeldSummary {
    const NAME: &'static str = "状态摘要";

    /// A two-field summary reads as heard when it was generated; the next
    /// summary from that node replaces it.
    fn upgrade(_version: u8, body: &[u8]) -> Result<Self> {
        if let Ok(t) = serde_json::from_slice::<HeldSummary>(body) {
            return Ok(t);
        }
        let (g, p): v0::TwoFields = json(Self::NAME, body)?;
        Ok((g, p, g))
    }
}
