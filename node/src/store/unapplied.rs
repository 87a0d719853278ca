//! Peer events this node stored but could not apply — a payload it cannot
//! decode, or whose dates lie out of range. The event itself stays in the
//! log (and is relayed on); this keeps why it was not applied, so status
//! and metrics can report it: one bad event must neither stop the stream
//! behind it (the session would retry the same event forever) nor vanish
//! into a log line alone.

use extranet_federation::Envelope;
use serde::{Deserialize, Serialize};

use super::{NodeStore, TreeId, Tx, TxResult, abort, keys};
use crate::error::Result;

/// Meta key prefix of the records.
const PREFIX: &str = "unapplied/";

/// One event stored but not applied.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Unapplied {
    /// Origin of the event (division path).
    pub origin: String,
    /// Its sequence there.
    pub seq: u64,
    /// Its kind.
    pub kind: String,
    /// Why it was not applied (the decoder's Chinese message).
    pub error: String,
    /// When it arrived here, Unix ms.
    pub at_ms: i64,
}

impl super::record::Record for Unapplied {
    const NAME: &'static str = "未应用事件";
}

impl NodeStore {
    /// Every event stored but not applied here, by origin and sequence.
    pub fn unapplied(&self) -> Result<Vec<Unapplied>> {
        self.view(|t| {
            let mut out = Vec::new();
            for item in t.scan_prefix(TreeId::Meta, PREFIX.as_bytes()) {
                out.push(keys::decode(&item?.1)?);
            }
            Ok(out)
        })
    }
}

impl Tx<'_> {
    /// Records that `event` was stored but not applied, because of `error`.
    pub fn record_unapplied(&mut self, event: &Envelope, error: &str) -> TxResult<()> {
        let record = Unapplied {
            origin: event.origin.to_string(),
            seq: event.seq,
            kind: event.kind.clone(),
            error: error.to_string(),
            at_ms: self.now_ms(),
        };
        let key = format!("{PREFIX}{}/{}/{:020}", event.origin, channel(event), event.seq);
        self.insert(TreeId::Meta, key.as_bytes(), keys::encode(&record).or_else(abort)?)?;
        Ok(())
    }
}

fn channel(event: &Envelope) -> &'static str {
    match event.route.channel() {
        extranet_federation::Channel::Up => "up",
        extranet_federation::Channel::Down => "down",
    }
}
