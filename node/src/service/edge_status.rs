//! A tower layer on the gRPC server that turns tonic's framing errors on a
//! request into the caller's error, in Chinese.
//!
//! The codec (`extranet_proto::codec`) handles a message that is not valid
//! protobuf; tonic rejects two other kinds of bad request before the codec
//! runs, each with an English text: a request over the size limit
//! (`OUT_OF_RANGE`, "decoded message length too large") and a gRPC frame
//! cut short or malformed (`INTERNAL`, "Unexpected EOF decoding stream" /
//! "protocol error: …"). Both are the caller's fault, so both become
//! `INVALID_ARGUMENT` naming the rule. Only answers that carry their status
//! in the headers (tonic's answer to a request it could not read) are
//! looked at; a service's own answers pass through unchanged.

use std::task::{Context, Poll};

use futures::future::BoxFuture;
use tonic::codegen::http;
use tonic::{Code, Status};
use tower::{Layer, Service};

use crate::domain::limits::MAX_REQUEST_BYTES;

/// Rewrites tonic's framing errors (see the module doc).
#[derive(Clone, Copy, Debug, Default)]
pub struct EdgeStatusLayer;

impl<S> Layer<S> for EdgeStatusLayer {
    type Service = EdgeStatus<S>;

    fn layer(&self, inner: S) -> Self::Service {
        EdgeStatus { inner }
    }
}

/// The service [`EdgeStatusLayer`] wraps around the gRPC router.
#[derive(Clone, Debug)]
pub struct EdgeStatus<S> {
    inner: S,
}

impl<S, B, R> Service<http::Request<B>> for EdgeStatus<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<http::Response<R>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let fut = self.inner.call(req);
        Box::pin(async move {
            let mut resp = fut.await?;
            if let Some(better) = Status::from_header_map(resp.headers()).and_then(|s| rewrite(&s)) {
                let _ = better.add_header(resp.headers_mut());
            }
            Ok(resp)
        })
    }
}

/// The status a framing error becomes, or `None` for any other status.
fn rewrite(s: &Status) -> Option<Status> {
    let m = s.message();
    match s.code() {
        Code::OutOfRange if m.contains("message length too large") => {
            Some(Status::invalid_argument(format!("请求过大：超过每个请求 {MAX_REQUEST_BYTES} 字节的上限（{m}）")))
        }
        Code::Internal if m.starts_with("Unexpected EOF decoding stream") || m.starts_with("protocol error") => {
            Some(Status::invalid_argument(format!("请求不是有效的 gRPC 消息：消息帧不完整或格式错误（{m}）")))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_errors_become_invalid_argument_and_others_pass() {
        let big = Status::out_of_range("Error, decoded message length too large: found 9 bytes, the limit is: 4 bytes");
        let s = rewrite(&big).unwrap();
        assert_eq!(s.code(), Code::InvalidArgument);
        assert!(s.message().starts_with("请求过大"), "{}", s.message());
        let cut = rewrite(&Status::internal("Unexpected EOF decoding stream.")).unwrap();
        assert!(cut.message().starts_with("请求不是有效的 gRPC 消息"));
        assert!(rewrite(&Status::internal("存储错误")).is_none());
        assert!(rewrite(&Status::out_of_range("日期超出范围")).is_none());
    }
}
