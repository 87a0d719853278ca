//! The one error type of the PKI crate.

/// Everything that can go wrong issuing, loading or checking certificates.
/// Messages are Chinese-first: operators read them.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// A division path, operator name or certificate identity is malformed.
    #[error("{0}")]
    InvalidIdentity(String),
}
