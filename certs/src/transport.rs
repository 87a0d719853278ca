//! The mTLS transport every node and CLI uses (STUB: signatures fixed, body
//! to be completed): a TLS acceptor that feeds tonic's server with the peer's
//! authenticated identity attached to every request, and a connector that
//! dials a node and checks it is who we expect.

use std::net::SocketAddr;

use crate::{CertError, Identity};

/// What tonic attaches to every request that arrived over our TLS acceptor:
/// where it came from and who the client certificate says the caller is.
#[derive(Clone, Debug)]
pub struct TlsConnectInfo {
    /// Remote socket address.
    pub remote_addr: Option<SocketAddr>,
    /// Identity from the verified client certificate.
    pub peer: Option<Identity>,
    /// Serial number of the client's leaf certificate, lowercase hex.
    pub peer_serial: Option<String>,
}

/// The authenticated identity of the caller of a gRPC request.
pub fn peer_identity<T>(req: &tonic::Request<T>) -> Result<Identity, CertError> {
    req.extensions()
        .get::<TlsConnectInfo>()
        .and_then(|i| i.peer.clone())
        .ok_or_else(|| CertError::InvalidIdentity("请求未携带经验证的客户端证书".into()))
}
