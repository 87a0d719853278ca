//! The one error type of the federation crate.

use extranet_certs::NodeId;

/// Everything that can go wrong moving events between nodes.
#[derive(Debug, thiserror::Error)]
pub enum FedError {
    /// The store failed; the message says how.
    #[error("存储错误：{0}")]
    Store(String),
    /// The link failed or the peer could not be reached.
    #[error("链路错误：{0}")]
    Transport(String),
    /// The peer broke the protocol (bad frame, wrong order).
    #[error("协议错误：{0}")]
    Protocol(String),
    /// The peer asked for something its identity does not allow; logged with
    /// the peer's identity.
    #[error("拒绝来自 {peer} 的请求：{reason}")]
    Refused {
        /// Authenticated identity of the peer.
        peer: NodeId,
        /// What it tried.
        reason: String,
    },
    /// The peer sent an event under an (origin, channel, seq) we already
    /// hold with different content: one origin issued a sequence number
    /// twice (e.g. after a restore from an old backup). Never acknowledged.
    #[error("事件内容冲突（对端 {peer}）：{reason}")]
    Conflict {
        /// Authenticated identity of the peer that sent it.
        peer: NodeId,
        /// Which event, and how it differs.
        reason: String,
    },
}
