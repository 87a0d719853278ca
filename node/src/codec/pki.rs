//! Revocation lists on the wire.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use prost::Message;

use crate::error::Result;

/// Event kind of a CA's revocation list travelling down.
pub const KIND_CRL: &str = "crl.v1";

/// Payload of a `crl.v1` event.
pub fn encode_crl(issuer: &NodeId, der: &[u8]) -> Vec<u8> {
    pb::CrlEvent { issuer: issuer.to_string(), crl_der: der.to_vec() }.encode_to_vec()
}

/// Reads a `crl.v1` payload.
pub fn decode_crl(bytes: &[u8]) -> Result<(NodeId, Vec<u8>)> {
    let p = super::decode_payload::<pb::CrlEvent>(bytes, "吊销列表事件")?;
    Ok((NodeId::parse(&p.issuer)?, p.crl_der))
}
