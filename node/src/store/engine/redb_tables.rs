//! The tables of the redb database and its errors, shared by the adapter
//! (`redb.rs`) and its scans (`redb_scan.rs`).

use redb::TableDefinition;

use crate::store::TreeId;

use super::EngineError;

/// The database file inside the data directory.
pub const FILE: &str = "data.redb";

/// The table holding tree `t`.
pub(super) fn table(t: TreeId) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
    TableDefinition::new(t.name())
}

/// Any redb failure as the interface's error, keeping the I/O error (a full
/// disk, a failed fsync).
pub(super) fn engine_error(e: impl Into<redb::Error>) -> EngineError {
    let e: redb::Error = e.into();
    let detail = e.to_string();
    match e {
        redb::Error::Io(io) => EngineError { detail, io: Some(io) },
        _ => EngineError { detail, io: None },
    }
}
