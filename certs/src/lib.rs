//! Federation PKI: the CA hierarchy, certificate requests and issuance,
//! identities, revocation lists, and the rustls configurations and mTLS
//! transport every node and CLI uses.

pub mod error;
pub mod identity;
pub mod transport;

pub use error::CertError;
pub use identity::{Identity, NodeId, Role};
