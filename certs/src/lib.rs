//! Federation PKI: the CA hierarchy, certificate requests and issuance,
//! identities, revocation lists, and the rustls configurations and mTLS
//! transport every node and CLI uses.
//!
//! The chain of trust mirrors the administrative tree: the region holds the
//! root; each prefecture (and, if it enrols its own operators and units,
//! each county) holds an intermediate CA name-constrained to its subtree.

#![warn(missing_docs)]

pub mod ca;
mod ca_renew;
mod ca_store;
pub mod crl;
pub mod csr;
pub mod error;
/// Identities (their own crate, `extranet-ids`, re-exported here).
pub use extranet_ids as identity;
pub mod inspect;
pub mod tls;
pub mod transport;
mod verify;
mod x509;

pub use ca::{CertificateAuthority, IssueKind, IssuedCert};
pub use crl::RevokedEntry;
pub use csr::{CsrSubject, KeyAndRequest, csr_identity, request_ca, request_leaf, write_private_key};
pub use error::CertError;
pub use extranet_ids::{Identity, IdentityError, NodeId, Role};
pub use inspect::{CertInfo, cert_info, expiry_warnings, inspect_chain_pem};
pub use tls::TlsMaterial;
pub use transport::{TlsConn, TlsConnectInfo, TlsIncoming, bind, connect, peer_identity};
pub use x509::pem_encode;
