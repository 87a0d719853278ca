//! A refusal as a page: a service's `Status` becomes the HTTP status a
//! browser expects (one mapping, [`http_status`]) and its Chinese message,
//! unchanged.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::html;

use super::html::bare;

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
