//! The `Console` gRPC service: how a person with an operator or unit
//! certificate gets into the web console. `extranet console login` calls it
//! over mTLS; it checks the caller exactly as every other service does
//! ([`Gate::member`]) and answers a one-time link bound to that
//! certificate.

use std::net::SocketAddr;
use std::sync::Arc;

use extranet_proto::v1 as pb;
use extranet_proto::v1::console_server::Console;
use tonic::{Request, Response, Status};

use super::sessions::{Sessions, Who};
use crate::config::ConsoleConfig;
use crate::error::NodeError;
use crate::service::Gate;

/// Serves `extranet.v1.Console` for one node.
pub struct ConsoleService {
    gate: Gate,
    /// The console's sessions, when `[console]` is configured.
    sessions: Option<Arc<Sessions>>,
    /// The `[console]` section and the address the console is bound to.
    config: Option<(ConsoleConfig, SocketAddr)>,
}

impl ConsoleService {
    /// The service; without `sessions` (no `[console]`) it refuses.
    pub fn new(gate: Gate, sessions: Option<Arc<Sessions>>, config: Option<(ConsoleConfig, SocketAddr)>) -> Self {
        ConsoleService { gate, sessions, config }
    }
}

/// The host a link names: the one asked for, else `public_url`'s, else
/// the address the console is bound to.
fn base_url(cfg: &ConsoleConfig, bound: SocketAddr, host: &str) -> Result<String, NodeError> {
    let host = host.trim();
    if !host.is_empty() {
        if host.len() > 253 || !host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)) {
            return Err(NodeError::invalid("host", "须为主机名或 IP 地址，可带端口，如 10.54.0.1:8443"));
        }
        return Ok(format!("https://{host}"));
    }
    Ok(match &cfg.public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None if bound.ip().is_unspecified() => {
            return Err(NodeError::precondition(format!(
                "控制台监听 {bound}（所有地址），链接无法指明浏览器应访问的地址：请在 [console] 中设置 public_url，或用 --host 指明"
            )));
        }
        None => format!("https://{bound}"),
    })
}

#[tonic::async_trait]
impl Console for ConsoleService {
    async fn issue_sign_in(&self, req: Request<pb::IssueSignInRequest>) -> Result<Response<pb::SignInLink>, Status> {
        // a unit cut off by an order may still sign in: every page it opens
        // calls a service that refuses it, but its orders, where it reports
        // its rectification
        let caller = self.gate.member_under_order(&req)?;
        let (Some(sessions), Some((cfg, bound))) = (&self.sessions, &self.config) else {
            return Err(
                NodeError::precondition("本节点未启用网页控制台：请在 node.toml 中配置 [console] listen").into()
            );
        };
        let (identity, serial) = self.gate.certificate(&req)?;
        // a session is bound to a serial, so revocation can end it
        let serial = serial.ok_or_else(|| NodeError::PermissionDenied("请求未携带经验证的客户端证书".into()))?;
        let base = base_url(cfg, *bound, &req.get_ref().host)?;
        let (token, expires_at_ms) = sessions.issue_link(Who { identity, serial }, crate::store::health::now_ms())?;
        tracing::info!(who = %caller.label(), "console sign-in link issued");
        Ok(Response::new(pb::SignInLink {
            url: format!("{base}/signin/{token}"),
            expires_at_ms,
            signed_in_as: caller.label(),
            session_secs: u32::try_from(sessions.session_ms() / 1000).unwrap_or(u32::MAX),
        }))
    }
}
