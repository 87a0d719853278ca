//! The one error type of the domain: a record or a request breaks a rule of
//! the regulation or of the data's shape. It names the field and the rule in
//! Chinese, because operators read it; the node maps it to its own error
//! (and so to a gRPC status) in one place, `extranet_node::error`.

/// What the domain refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A field breaks a rule; nothing may be written.
    #[error("字段 {field} 无效：{rule}")]
    Invalid {
        /// The field, as named in the API.
        field: &'static str,
        /// The rule it broke, for the operator.
        rule: String,
    },
    /// Well-formed, but the regulation forbids it now.
    #[error("{0}")]
    FailedPrecondition(String),
    /// A shipped or published table (calendar, topology) does not parse.
    #[error("配置错误：{0}")]
    Config(String),
}

impl DomainError {
    /// Shorthand for an invalid field.
    pub fn invalid(field: &'static str, rule: impl Into<String>) -> Self {
        DomainError::Invalid { field, rule: rule.into() }
    }
}

/// Result alias of the domain crate.
pub type Result<T, E = DomainError> = std::result::Result<T, E>;
