//! Key layouts and value encoding of the store's trees.

use extranet_federation::{Channel, StreamId};

use super::record::{self, Record};
use crate::error::{NodeError, Result};

/// Key of a stream in the `cursors` tree, and prefix of its events:
/// origin path, a NUL, and the channel letter.
pub fn stream_key(s: &StreamId) -> Vec<u8> {
    let mut k = s.origin.as_str().as_bytes().to_vec();
    k.push(0);
    k.push(match s.channel {
        Channel::Up => b'U',
        Channel::Down => b'D',
    });
    k
}

/// Inverse of [`stream_key`].
pub fn parse_stream_key(k: &[u8]) -> Result<StreamId> {
    let bad = || NodeError::Store("事件流键已损坏".into());
    let (chan, rest) = k.split_last().ok_or_else(bad)?;
    let (nul, origin) = rest.split_last().ok_or_else(bad)?;
    if *nul != 0 {
        return Err(bad());
    }
    let channel = match chan {
        b'U' => Channel::Up,
        b'D' => Channel::Down,
        _ => return Err(bad()),
    };
    let origin = std::str::from_utf8(origin).map_err(|_| bad())?.parse().map_err(|_| bad())?;
    Ok(StreamId { origin, channel })
}

/// Key of one event: its stream key followed by the big-endian sequence, so
/// a range scan reads a stream in order.
pub fn event_key(s: &StreamId, seq: u64) -> Vec<u8> {
    let mut k = stream_key(s);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Encodes a value for storage, in its record's current format version.
pub fn encode<T: Record>(v: &T) -> Result<Vec<u8>> {
    record::encode(v)
}

/// Decodes a stored value of any format version this build reads.
pub fn decode<T: Record>(v: &[u8]) -> Result<T> {
    record::decode(v)
}

/// Encodes a u64 counter or cursor value (versioned, see [`record`]).
pub fn u64_value(n: u64) -> [u8; 9] {
    record::u64_value(n)
}

/// Decodes a u64 counter or cursor value (absent = 0).
pub fn read_u64(v: Option<&[u8]>) -> Result<u64> {
    record::read_u64(v)
}

/// A u64 as a key (big-endian, so keys sort by number; keys carry no version).
pub fn u64_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// Inverse of [`u64_key`] (a malformed key reads as 0).
pub fn parse_u64_key(k: &[u8]) -> u64 {
    <[u8; 8]>::try_from(k).map(u64::from_be_bytes).unwrap_or(0)
}
