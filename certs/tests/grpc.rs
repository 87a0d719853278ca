//! tonic end to end: `bind` + `serve_with_incoming_shutdown` on the server,
//! `connect` on the client, and the caller's identity reaching a handler
//! through the request extensions.

mod common;

use std::convert::Infallible;
use std::future::{Ready, poll_fn, ready};
use std::task::{Context, Poll};

use common::{county_node, enrol, pki, pref_node};
use extranet_certs::{CertError, CertificateAuthority, Identity, IssueKind, bind, connect, peer_identity};
use tonic::body::Body;
use tonic::codegen::{Service, http};
use tonic::transport::Server;

/// A bare gRPC service that answers every call with the caller's identity
/// in a response header, read the way a real handler reads it.
#[derive(Clone)]
struct WhoAmI;

impl tonic::server::NamedService for WhoAmI {
    const NAME: &'static str = "test.WhoAmI";
}

impl Service<http::Request<Body>> for WhoAmI {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let req = tonic::Request::from_http(req);
        let who = match peer_identity(&req) {
            Ok(id) => id.dns_name(),
            Err(e) => format!("error: {}", e.to_string().len()),
        };
        let resp = http::Response::builder()
            .header("content-type", "application/grpc")
            .header("grpc-status", "0")
            .header("x-peer", who)
            .body(Body::empty())
            .expect("static response");
        ready(Ok(resp))
    }
}

async fn ask(channel: &mut tonic::transport::Channel, addr: &str) -> String {
    poll_fn(|cx| channel.poll_ready(cx)).await.expect("ready");
    let req = http::Request::builder()
        .method("POST")
        .uri(format!("http://{addr}/test.WhoAmI/Call"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Body::empty())
        .unwrap();
    let resp = channel.call(req).await.expect("call");
    resp.headers()["x-peer"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn tonic_serves_over_our_acceptor_and_sees_the_caller() {
    let p = pki();
    let (_, server_tls) = enrol(&p.pref, &pref_node(), IssueKind::Node);
    let (_, client_tls) = enrol(&p.pref, &county_node(), IssueKind::Node);
    let (addr, incoming) = bind("127.0.0.1:0".parse().unwrap(), server_tls).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(Server::builder().add_service(WhoAmI).serve_with_incoming_shutdown(incoming, async {
        let _ = stopped.await;
    }));

    let addr_s = addr.to_string();
    let mut channel = connect(&addr_s, &pref_node(), &client_tls).await.expect("connect");
    assert_eq!(ask(&mut channel, &addr_s).await, county_node().dns_name());
    assert_eq!(ask(&mut channel, &addr_s).await, county_node().dns_name());

    // the client refuses a server that is not the node it meant to reach
    let wrong = Identity::node(common::node("540000/540100/540103"));
    let err = connect(&addr_s, &wrong, &client_tls).await.unwrap_err();
    assert!(matches!(err, CertError::Connect { .. }), "{err}");

    // a member of a look-alike federation (same codes, another root) gets nowhere
    let stranger = CertificateAuthority::create_root(&common::node("540000")).unwrap();
    let (_, impostor) = enrol(&stranger, &county_node(), IssueKind::Node);
    let err = connect(&addr_s, &pref_node(), &impostor).await.unwrap_err();
    assert!(matches!(err, CertError::Connect { .. }), "{err}");

    // nothing listens: a clear error within the connect timeout
    let err = connect("127.0.0.1:1", &pref_node(), &client_tls).await.unwrap_err();
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");

    stop.send(()).unwrap();
    drop(channel);
    server.await.unwrap().unwrap();
}
