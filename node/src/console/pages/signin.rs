//! Signing in and out. `GET /signin` explains how to get a link; a link
//! (`/signin/<token>`) shows whom it signs in and a button, so a link
//! preview or prefetch cannot use it up; pressing the button exchanges it
//! for a session cookie. Signing out ends the session on the node.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;

use crate::console::failure::Failure;
use crate::console::guard::{COOKIE, Posted};
use crate::console::html::bare;
use crate::console::sessions::Who;
use crate::console::state::Console;
use crate::present::text::time;
use crate::store::health::now_ms;

/// Why the sign-in page was shown.
#[derive(serde::Deserialize, Default)]
pub struct Why {
    #[serde(default)]
    why: String,
}

/// `GET /signin`: how to sign in.
pub async fn page(State(console): State<Console>, Query(q): Query<Why>) -> Response {
    let why = match q.why.as_str() {
        "expired" => Some("会话已结束或已过期，请重新登录。"),
        "revoked" => Some("您的证书已被吊销，会话已结束。"),
        "out" => Some("已退出。"),
        _ => None,
    };
    let me = console.division(&console.me().to_string());
    let body = html! {
        main {
            h1 { "登录 · " (me) }
            @if let Some(w) = why { p.notice role="status" { (w) } }
            section.card {
                p { "控制台不使用密码。登录须持本节点签发的操作员证书或接入单位证书：在已配置证书的电脑上运行" }
                pre { "extranet console login" }
                p { "命令经双向 TLS 向本节点验证您的证书，打印一次性登录链接（5 分钟内有效，只能使用一次）。在浏览器中打开该链接即可登录；会话随证书吊销而结束。" }
                p.hint { "证书目录由 EXTRANET_CERT_DIR 或 --cert-dir 指定，与其他 extranet 命令相同。" }
            }
        }
    };
    (StatusCode::OK, Html(bare("登录", body).into_string())).into_response()
}

fn describe(console: &Console, who: &Who) -> String {
    let node = console.division(&who.identity.node.to_string());
    match &who.identity.role {
        extranet_certs::Role::Operator(n) => format!("{node} 的操作员 {n}"),
        extranet_certs::Role::Unit(u) => format!("{node} 的接入单位 {u}"),
        extranet_certs::Role::Node => node,
    }
}

/// `GET /signin/<token>`: whom the link signs in, and the button.
pub async fn confirm(State(console): State<Console>, Path(token): Path<String>) -> Response {
    let Some(who) = console.sessions().peek_link(&token, now_ms()) else {
        return Failure::new(StatusCode::FORBIDDEN, "登录链接无效、已使用或已过期：请重新运行 extranet console login")
            .into_response();
    };
    let body = html! {
        main {
            h1 { "确认登录" }
            section.card {
                p { "此链接将以 " strong { (describe(&console, &who)) } " 的身份登录本节点控制台。" }
                form method="post" action=(format!("/signin/{token}")) {
                    button #signin type="submit" { "登录" }
                }
            }
        }
    };
    Html(bare("确认登录", body).into_string()).into_response()
}

/// `POST /signin/<token>`: uses the link, sets the session cookie.
pub async fn exchange(State(console): State<Console>, Path(token): Path<String>) -> Response {
    match console.sessions().sign_in(&token, now_ms()) {
        Ok((session_token, session)) => {
            tracing::info!(who = %describe(&console, &session.who), until = %time(session.expires_ms), "console sign-in");
            let max_age = (session.expires_ms - session.since_ms) / 1000;
            let cookie =
                format!("{COOKIE}={session_token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age}");
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(e) => Failure::from(e).into_response(),
    }
}

/// The empty form of sign-out (its CSRF token is all it carries).
#[derive(serde::Deserialize)]
pub struct Nothing {}

/// `POST /signout`: ends the session.
pub async fn signout(State(console): State<Console>, posted: Posted<Nothing>) -> Response {
    console.sessions().end(&posted.signed.token);
    tracing::info!(who = %posted.signed.label(), "console sign-out");
    let cookie = format!("{COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/signin?why=out")).into_response()
}
