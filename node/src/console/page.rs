//! The frame every signed-in console page shares — title, the node and who
//! is signed in, the navigation of their role, the sign-out button — the
//! parts of a form (CSRF field, error banner) and the security headers on
//! every answer.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};

pub use super::failure::{Failure, PageResult, http_status};
use super::guard::Signed;
use super::html::bare;
use super::state::Console;
use crate::present::text::time;

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
        return vec![
            ("/", "本单位"),
            ("/access/new", "提交申请"),
            ("/systems", "信息系统"),
            ("/faults", "故障报告"),
            ("/interruptions", "中断申请"),
            ("/orders", "整改通知"),
            ("/incidents", "安全事件"),
            ("/circulars", "通报"),
            ("/inspections", "监督检查"),
        ];
    }
    let mut items = vec![
        ("/", "今日待办"),
        ("/filings", "备案"),
        ("/access", "接入申请"),
        ("/faults", "故障"),
        ("/interruptions", "中断"),
        ("/approvals", "重大调整审批"),
        ("/orders", "中断连接"),
        ("/incidents", "安全事件"),
        ("/circulars", "通报"),
        ("/inspections", "监督检查"),
        ("/access-points", "机房设备"),
        ("/private-networks", "专网迁移"),
        ("/report", "年度报告"),
        ("/evaluation", "年度评估"),
        ("/addresses", "地址管理"),
        ("/systems", "信息系统"),
    ];
    if console.has_children() {
        items.push(("/oversight", "下级监督"));
    }
    items.push(("/calendar", "工作日历"));
    items
}

/// Answers a state-changing form: once the service took it, the page `to`
/// names (303), logged with who did `what` and where it led; when the
/// service refused, the form's page again (`again`, given the refusal's
/// message, keeping what was typed) under the refusal's HTTP status.
pub async fn after_post<T>(
    signed: &Signed,
    what: &str,
    answer: Result<T, tonic::Status>,
    to: impl FnOnce(&T) -> String,
    again: impl AsyncFnOnce(&str) -> Result<Response, Failure>,
) -> PageResult {
    match answer {
        Ok(v) => {
            let to = to(&v);
            tracing::info!(who = %signed.label(), %to, "console: {what}");
            Ok(axum::response::Redirect::to(&to).into_response())
        }
        Err(status) => Ok((http_status(status.code()), again(status.message()).await?).into_response()),
    }
}

/// The hidden CSRF field of a form posted by `signed`.
pub fn csrf(signed: &Signed) -> Markup {
    html! { input type="hidden" name="csrf" value=(signed.session.csrf); }
}

/// An error banner above a form, when there is one.
pub fn banner(error: Option<&str>) -> Markup {
    html! { @if let Some(e) = error { p.error role="alert" { (e) } } }
}

/// A written document on a page of its own (a notice, an order, a report):
/// its print styles inline and nothing else allowed at all — no script, no
/// fetch, no frame.
pub fn printable(document: String) -> Response {
    let policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";
    ([(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy))], Html(document)).into_response()
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
