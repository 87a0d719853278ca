//! The one error type of the PKI crate.

use std::path::PathBuf;

/// Everything that can go wrong issuing, loading or checking certificates.
/// Messages are Chinese-first: operators read them. Each names the field or
/// file concerned and the rule that was broken.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// A division path, operator name or certificate identity is malformed.
    #[error("{0}")]
    InvalidIdentity(String),

    /// A file of the PKI (certificate, key, CRL, CA state) could not be read
    /// or written.
    #[error("读写文件 {path} 失败：{source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// A private key file already exists; keys are never overwritten, so a
    /// working identity cannot be destroyed by a mistyped command.
    #[error("私钥文件 {0} 已存在：为防止覆盖正在使用的私钥，拒绝写入（请先手动移走旧文件）")]
    KeyExists(PathBuf),

    /// PEM or DER input (certificate, key, CSR, CRL) is not what it claims.
    #[error("{what} 无法解析：{reason}")]
    Malformed {
        /// Which input, e.g. “证书链 chain.pem”.
        what: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A certificate signing request breaks an issuance rule.
    #[error("证书请求被拒绝：{0}")]
    CsrRejected(String),

    /// A CA was asked to certify an identity outside its own subtree.
    #[error("越权签发被拒绝：{0}")]
    OutOfSubtree(String),

    /// A serial number given for revocation or lookup is not valid.
    #[error("证书序列号 “{0}” 无效：须为 1–20 字节的十六进制数（可含冒号）")]
    InvalidSerial(String),

    /// Key generation, signing or certificate encoding failed inside rcgen.
    #[error("证书签名或编码失败：{0}")]
    Crypto(String),

    /// The stored state of a CA is inconsistent (key does not match the
    /// certificate, the chain is broken, a CA certificate is not a CA).
    #[error("CA 状态无效：{0}")]
    CaState(String),

    /// Our own certificate material cannot form a working TLS configuration.
    #[error("TLS 配置无效：{0}")]
    Tls(String),

    /// Dialing a peer node failed (TCP, TLS handshake or HTTP/2 setup).
    #[error("连接 {addr} 失败：{reason}")]
    Connect {
        /// The address dialed, `host:port`.
        addr: String,
        /// The cause, with its chain of sources.
        reason: String,
    },
}

impl CertError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CertError::Io { path: path.into(), source }
    }

    /// Malformed input named `what`.
    pub(crate) fn malformed(what: impl Into<String>, reason: impl ToString) -> Self {
        CertError::Malformed { what: what.into(), reason: reason.to_string() }
    }

    /// A failure inside rcgen.
    pub(crate) fn crypto(e: rcgen::Error) -> Self {
        CertError::Crypto(e.to_string())
    }
}

impl From<extranet_ids::IdentityError> for CertError {
    fn from(e: extranet_ids::IdentityError) -> Self {
        CertError::InvalidIdentity(e.0)
    }
}
