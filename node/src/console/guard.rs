//! Who is asking, for every console request: the session cookie resolved to
//! the certificate it acts as ([`Signed`]), state-changing forms checked for
//! their CSRF token and origin ([`Posted`]), and the in-process request a
//! page sends to a service ([`Signed::request`]), which carries that
//! certificate's identity and serial exactly as an mTLS connection would —
//! so the services' own [`Gate`](crate::service::Gate) decides, as it does
//! for the CLI.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use extranet_certs::Role;
use extranet_certs::transport::TlsConnectInfo;
use serde::de::DeserializeOwned;

use super::failure::Failure;
use super::sessions::{Session, same_secret};
use super::state::Console;
use crate::service::Caller;
use crate::store::health::now_ms;

/// Largest form body the console reads.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The session cookie. `__Host-`: only over HTTPS, only for this host and
/// path `/`, so no other site or subdomain can set or read it.
pub const COOKIE: &str = "__Host-extranet-session";

/// A signed-in browser.
#[derive(Clone, Debug)]
pub struct Signed {
    /// The session cookie's token.
    pub token: String,
    /// The session.
    pub session: Session,
}

impl Signed {
    /// Whether it acts as an operator of this node (else an access unit).
    pub fn is_operator(&self) -> bool {
        matches!(self.session.who.identity.role, Role::Operator(_))
    }

    /// The unit id it acts as, if a unit.
    pub fn unit(&self) -> Option<&str> {
        match &self.session.who.identity.role {
            Role::Unit(u) => Some(u),
            _ => None,
        }
    }

    /// How it is named on what it does, as the services name it
    /// ([`Caller::label`]): the operator's name or `unit:<id>`.
    pub fn label(&self) -> String {
        match Caller::of_role(&self.session.who.identity.role) {
            Some(Ok(c)) => c.label(),
            _ => self.session.who.identity.to_string(),
        }
    }

    /// A service request that acts as this session's certificate.
    pub fn request<T>(&self, msg: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(msg);
        r.extensions_mut().insert(TlsConnectInfo {
            remote_addr: None,
            peer: Some(self.session.who.identity.clone()),
            peer_serial: Some(self.session.who.serial.clone()),
        });
        r
    }
}

/// The value of cookie `name` in `headers`.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Why a request has no session: sent to the sign-in page, which says so.
pub struct SignedOut(&'static str);

impl IntoResponse for SignedOut {
    fn into_response(self) -> Response {
        Redirect::to(&format!("/signin?why={}", self.0)).into_response()
    }
}

impl FromRequestParts<Console> for Signed {
    type Rejection = SignedOut;

    async fn from_request_parts(parts: &mut Parts, console: &Console) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, COOKIE).ok_or(SignedOut("none"))?.to_string();
        let session = console.sessions().session(&token, now_ms()).ok_or(SignedOut("expired"))?;
        if console.tls().is_revoked(&session.who.serial) {
            console.sessions().end(&token);
            tracing::warn!(who = ?session.who.identity, "console session of a revoked certificate ended");
            return Err(SignedOut("revoked"));
        }
        Ok(Signed { token, session })
    }
}

/// The CSRF field every state-changing form carries.
#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A state-changing form from a signed-in browser: refused unless it
/// carries the session's CSRF token and, when the browser names one, comes
/// from this console's own origin.
pub struct Posted<T> {
    /// Who posted it.
    pub signed: Signed,
    /// The form's fields.
    pub form: T,
}

impl<T: DeserializeOwned + Send> FromRequest<Console> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, console: &Console) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let signed = Signed::from_request_parts(&mut parts, console).await.map_err(IntoResponse::into_response)?;
        if !same_origin(&parts.headers) {
            return Err(Failure::new(StatusCode::FORBIDDEN, "请求来自其他网站，已拒绝（Origin 与本控制台不符）")
                .into_response());
        }
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| Failure::new(StatusCode::PAYLOAD_TOO_LARGE, "表单过大：不超过 64 KiB").into_response())?;
        let csrf: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField { csrf: String::new() });
        if csrf.csrf.is_empty() || !same_secret(&csrf.csrf, &signed.session.csrf) {
            tracing::warn!(who = %signed.label(), path = %parts.uri.path(), "console form refused: CSRF token missing or wrong");
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "表单缺少有效的防伪令牌（CSRF），已拒绝：请从控制台页面重新提交",
            )
            .into_response());
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, format!("表单格式不正确：{e}")).into_response())?;
        Ok(Posted { signed, form })
    }
}

/// A browser that names the origin of a form must name this host, and one
/// that says where the request comes from (`Sec-Fetch-Site`) must say this
/// site.
fn same_origin(headers: &HeaderMap) -> bool {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| s != "same-origin") {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin.strip_prefix("https://").is_some_and(|o| o == host)
}
