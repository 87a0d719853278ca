//! A tower layer on the gRPC server that times every call by method path.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use futures::future::BoxFuture;
use tonic::codegen::http;
use tower::{Layer, Service};

use super::Metrics;

/// Times every gRPC call into [`Metrics`].
#[derive(Clone)]
pub struct RpcLatencyLayer(pub Arc<Metrics>);

impl<S> Layer<S> for RpcLatencyLayer {
    type Service = RpcLatency<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RpcLatency { inner, metrics: Arc::clone(&self.0) }
    }
}

/// The service [`RpcLatencyLayer`] wraps around each gRPC service.
#[derive(Clone)]
pub struct RpcLatency<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, B> Service<http::Request<B>> for RpcLatency<S>
where
    S: Service<http::Request<B>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let path = req.uri().path().to_string();
        let started = Instant::now();
        let fut = self.inner.call(req);
        let metrics = Arc::clone(&self.metrics);
        Box::pin(async move {
            let r = fut.await;
            metrics.observe_rpc(&path, started.elapsed());
            r
        })
    }
}
