//! The frame every console page shares — title, the node and who is signed
//! in, the navigation of their role, the sign-out button — and refusals as
//! pages: a service's `Status` becomes the HTTP status a browser expects
//! and its Chinese message, unchanged.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::Console;
use super::guard::Signed;
use crate::present::text::time;

/// The one mapping from a service's refusal to an HTTP status.
pub fn http_status(code: tonic::Code) -> StatusCode {
    use tonic::Code::*;
    match code {
        InvalidArgument | OutOfRange => StatusCode::BAD_REQUEST,
        PermissionDenied | Unauthenticated => StatusCode::FORBIDDEN,
        NotFound => StatusCode::NOT_FOUND,
        FailedPrecondition | AlreadyExists | Aborted => StatusCode::CONFLICT,
        ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A refusal shown as a page.
#[derive(Debug)]
pub struct Failure {
    /// The HTTP status.
    pub status: StatusCode,
    /// The message, in Chinese, naming the field and the rule.
    pub message: String,
}

impl Failure {
    /// A refusal with `status`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Failure { status, message: message.into() }
    }
}

impl From<tonic::Status> for Failure {
    fn from(s: tonic::Status) -> Self {
        Failure::new(http_status(s.code()), s.message())
    }
}

impl From<crate::error::NodeError> for Failure {
    fn from(e: crate::error::NodeError) -> Self {
        tonic::Status::from(e).into()
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = bare(
            "无法完成",
            html! {
                main {
                    h1 { "无法完成" }
                    p.error role="alert" { (self.message) }
                    p { a href="/" { "返回首页" } }
                }
            },
        );
        (self.status, Html(body.into_string())).into_response()
    }
}

/// What a handler answers: a page or a refusal.
pub type PageResult = Result<Response, Failure>;

/// A whole page: `<head>` with the embedded stylesheet and script, and `body`.
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 政务外网节点控制台" }
                link rel="stylesheet" href="/assets/console.css";
                script src="/assets/console.js" defer {}
            }
            body { (body) }
        }
    }
}

/// A signed-in page: the frame with navigation for `signed`'s role.
pub fn frame(console: &Console, signed: &Signed, title: &str, body: Markup) -> Response {
    let me = console.me().to_string();
    let page = bare(
        title,
        html! {
            header.top {
                span.brand { "西藏自治区电子政务外网 · " (console.division(&me)) }
                span.who {
                    (if signed.is_operator() { "操作员 " } else { "接入单位 " }) (signed.label().trim_start_matches("unit:"))
                    " · 会话至 " (time(signed.session.expires_ms))
                }
                form.signout method="post" action="/signout" {
                    input type="hidden" name="csrf" value=(signed.session.csrf);
                    button type="submit" { "退出" }
                }
            }
            nav {
                @for (href, label) in nav_items(console, signed) {
                    a href=(href) { (label) }
                }
            }
            main { h1 { (title) } (body) }
        },
    );
    Html(page.into_string()).into_response()
}

fn nav_items(console: &Console, signed: &Signed) -> Vec<(&'static str, &'static str)> {
    if !signed.is_operator() {
        return vec![("/", "本单位"), ("/access/new", "提交申请")];
    }
    let mut items = vec![("/", "今日待办"), ("/filings", "备案"), ("/access", "接入申请"), ("/addresses", "地址管理")];
    if console.has_children() {
        items.push(("/oversight", "下级监督"));
    }
    items.push(("/calendar", "工作日历"));
    items
}

/// The hidden CSRF field of a form posted by `signed`.
pub fn csrf(signed: &Signed) -> Markup {
    html! { input type="hidden" name="csrf" value=(signed.session.csrf); }
}

/// An error banner above a form, when there is one.
pub fn banner(error: Option<&str>) -> Markup {
    html! { @if let Some(e) = error { p.error role="alert" { (e) } } }
}

/// Headers on every answer: pages never cached, framed or sniffed, and no
/// script, style, font or image from anywhere but the console itself.
pub async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k, v: &'static str| {
        h.entry(k).or_insert(HeaderValue::from_static(v));
    };
    set(h, header::CACHE_CONTROL, "no-store");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    // not `no-referrer`: with it browsers send `Origin: null` on our own
    // forms, and the origin check (`guard.rs`) needs the real one
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    );
    res
}
