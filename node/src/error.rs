//! The one error type of the node crate, and its one mapping to gRPC status.

use extranet_certs::CertError;
use extranet_domain::DomainError;
use extranet_federation::FedError;
use tonic::{Code, Status};

/// Everything a node can refuse or fail at. Messages are Chinese-first and
/// name the field and the rule, because operators read them.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The domain refuses: a field breaks a rule (`INVALID_ARGUMENT`), the
    /// regulation forbids it now (`FAILED_PRECONDITION`), or configuration
    /// or a shipped table is wrong (`INVALID_ARGUMENT`). Nothing was written.
    /// The node's own refusals of these kinds are built as the same
    /// [`DomainError`] ([`NodeError::invalid`], [`NodeError::precondition`],
    /// [`NodeError::config`]), so each has one message and one status.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The caller's certificate does not allow this.
    #[error("{0}")]
    PermissionDenied(String),
    /// No such record.
    #[error("{0}")]
    NotFound(String),
    /// The store failed.
    #[error("存储错误：{0}")]
    Store(String),
    /// A stored record is in a format version newer than this build reads
    /// (written by a later release, e.g. before a downgrade): refused, not
    /// misread; nothing was changed.
    #[error(
        "{record}的存储格式版本为 {found}，本程序只能读取到版本 {known}：请使用写入它的（更新的）程序版本，数据未被改动"
    )]
    NewerFormat {
        /// The record, named for the operator (e.g. 接入申请).
        record: &'static str,
        /// The version found on disk.
        found: u8,
        /// The newest version this build knows.
        known: u8,
    },
    /// The node's data disk is full: nothing was written; retry once space
    /// is freed.
    #[error("{0}")]
    DiskFull(String),
    /// The node cannot take this now (its store failed or stalled, or it is
    /// recovering its own records from a peer); retry later or elsewhere.
    #[error("{0}")]
    Unavailable(String),
    /// The federation engine failed.
    #[error(transparent)]
    Federation(#[from] FedError),
    /// Certificates could not be loaded or checked.
    #[error(transparent)]
    Cert(#[from] CertError),
}

impl NodeError {
    /// Shorthand for an invalid field.
    pub fn invalid(field: &'static str, rule: impl Into<String>) -> Self {
        DomainError::invalid(field, rule).into()
    }

    /// Well-formed, but the regulation (or this node's state) forbids it now.
    pub fn precondition(message: impl Into<String>) -> Self {
        DomainError::FailedPrecondition(message.into()).into()
    }

    /// Configuration could not be read or is wrong.
    pub fn config(message: impl Into<String>) -> Self {
        DomainError::Config(message.into()).into()
    }
}

impl From<extranet_certs::IdentityError> for NodeError {
    fn from(e: extranet_certs::IdentityError) -> Self {
        NodeError::Cert(e.into())
    }
}

impl From<NodeError> for Status {
    fn from(e: NodeError) -> Status {
        let code = match &e {
            NodeError::Domain(DomainError::Invalid { .. } | DomainError::Config(_)) => Code::InvalidArgument,
            NodeError::Domain(DomainError::FailedPrecondition(_)) | NodeError::NewerFormat { .. } => {
                Code::FailedPrecondition
            }
            NodeError::PermissionDenied(_) => Code::PermissionDenied,
            NodeError::NotFound(_) => Code::NotFound,
            NodeError::Cert(_) => Code::Unauthenticated,
            NodeError::DiskFull(_) => Code::ResourceExhausted,
            NodeError::Unavailable(_) => Code::Unavailable,
            NodeError::Federation(FedError::Refused { .. }) => Code::PermissionDenied,
            NodeError::Federation(FedError::Conflict { .. }) => Code::Aborted,
            NodeError::Store(_) | NodeError::Federation(_) => Code::Internal,
        };
        if code == Code::Internal {
            tracing::error!(error = %e, "internal error answered to a client");
        }
        Status::new(code, e.to_string())
    }
}

/// Result alias of the node crate.
pub type Result<T, E = NodeError> = std::result::Result<T, E>;
