//! The gRPC adapter over real HTTP/2 on loopback. TLS is out of scope here
//! (it belongs to `extranet_certs`): an interceptor plays the TLS acceptor
//! and attaches the identity the test chooses.

mod common;

use std::time::Duration;

use common::*;
use extranet_certs::transport::TlsConnectInfo;
use extranet_certs::{Identity, NodeId};
use extranet_federation::{Channel, FedError, GrpcDialer, Route, Scope};
use extranet_proto::v1 as pb;
use extranet_proto::v1::federation_client::FederationClient;
use futures::future::BoxFuture;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel as GrpcChannel, Endpoint, Server};
use tonic::{Code, Request, Status};

/// Plays the TLS acceptor: attaches the identity named by the
/// `x-test-identity` header (a DNS identity), else `default`.
fn fake_tls(default: Option<Identity>) -> impl Fn(Request<()>) -> Result<Request<()>, Status> + Clone {
    move |mut req: Request<()>| {
        let named = req.metadata().get("x-test-identity").and_then(|v| v.to_str().ok()).map(|s| s.to_string());
        let peer = match named {
            Some(s) => Some(Identity::from_dns_name(&s).expect("test identity")),
            None => default.clone(),
        };
        req.extensions_mut().insert(TlsConnectInfo { remote_addr: None, peer, peer_serial: None });
        Ok(req)
    }
}

/// Serves `node`'s federation service on a loopback port until `stop`;
/// callers without an `x-test-identity` header are `default`.
fn serve(node: &Node, default: Option<Identity>, stop: CancellationToken) -> (String, tokio::task::JoinHandle<()>) {
    let incoming = TcpIncoming::bind("127.0.0.1:0".parse().unwrap()).unwrap().with_nodelay(Some(true));
    let url = format!("http://{}", incoming.local_addr().unwrap());
    let svc = InterceptedService::new(node.engine.grpc_service(), fake_tls(default));
    let server = Server::builder().add_service(svc).serve_with_incoming_shutdown(incoming, stop.cancelled_owned());
    (url, tokio::spawn(async move { server.await.unwrap() }))
}

/// A channel whose every request carries `identity`.
async fn connect(url: String) -> Result<GrpcChannel, FedError> {
    let endpoint = Endpoint::from_shared(url).map_err(|e| FedError::Transport(e.to_string()))?;
    endpoint.tcp_nodelay(true).connect().await.map_err(|e| FedError::Transport(e.to_string()))
}

fn with_identity<T>(msg: T, identity: &Identity) -> Request<T> {
    let mut req = Request::new(msg);
    req.metadata_mut().insert("x-test-identity", identity.dns_name().parse().unwrap());
    req
}

/// Opens `Sync` as `identity`; returns the frame sender and the response.
async fn open(
    url: &str,
    identity: Option<&Identity>,
) -> (mpsc::Sender<pb::SyncFrame>, Result<tonic::Streaming<pb::SyncFrame>, Status>) {
    let mut client = FederationClient::new(connect(url.to_string()).await.unwrap());
    let (tx, rx) = mpsc::channel(8);
    let stream = ReceiverStream::new(rx);
    let req = match identity {
        Some(id) => with_identity(stream, id),
        None => Request::new(stream),
    };
    let resp = client.sync(req).await.map(|r| r.into_inner());
    (tx, resp)
}

#[tokio::test]
async fn a_county_syncs_with_its_prefecture_over_grpc() {
    let p = Node::new("540000/540100", config());
    let c = Node::new("540000/540100/540102", config());
    let server_stop = CancellationToken::new();
    // Every caller is the county, as its client certificate would say.
    let (url, server) = serve(&p, Some(Identity::node(c.id.clone())), server_stop.clone());
    c.append(Route::Up, 50).await;
    p.append(Route::Down(Scope::Subtree(p.id.clone())), 20).await;
    let dialer = GrpcDialer::new(p.id.clone(), move || -> BoxFuture<'static, Result<GrpcChannel, FedError>> {
        Box::pin(connect(url.clone()))
    });
    let stop = CancellationToken::new();
    let uplink = c.engine.spawn_uplink(dialer, stop.clone());
    wait_until("synced", || p.cursor(&c.id, Channel::Up) == 50 && c.cursor(&p.id, Channel::Down) == 20).await;
    c.append(Route::Up, 3).await;
    wait_until("live", || p.cursor(&c.id, Channel::Up) == 53).await;
    assert_exactly_once("prefecture", &p.delivered_from(&c.id), 53);
    assert_exactly_once("county", &c.delivered_from(&p.id), 20);
    // Shutdown order for a node: stop the engine, then the server drains.
    p.engine.shutdown();
    server_stop.cancel();
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("server drains").unwrap();
    stop.cancel();
    uplink.await.unwrap();
}

/// Reads the response stream to its end; returns the final status code.
async fn final_code(mut stream: tonic::Streaming<pb::SyncFrame>) -> Code {
    loop {
        match stream.message().await {
            Ok(Some(_)) => continue,
            Ok(None) => return Code::Ok,
            Err(status) => return status.code(),
        }
    }
}

fn hello_frame(node: &NodeId) -> pb::SyncFrame {
    extranet_federation::convert::frame_to_proto(extranet_federation::Frame::Hello {
        node: node.clone(),
        cursors: vec![],
        version: "t".into(),
        dead_after: None,
        skips: false,
    })
}

#[tokio::test]
async fn callers_are_checked_before_anything_else() {
    let p = Node::new("540000/540100", config());
    let stop = CancellationToken::new();
    let (url, _server) = serve(&p, None, stop.clone());
    let county = n("540000/540100/540102");
    let cases = [
        (None, Code::Unauthenticated),
        (Some(Identity::operator(county.clone(), "zhaxi").unwrap()), Code::PermissionDenied),
        (Some(Identity::unit(county.clone(), "u0001").unwrap()), Code::PermissionDenied),
        (Some(Identity::node(n("540000/540200/540202"))), Code::PermissionDenied),
        (Some(Identity::node(n("540000"))), Code::PermissionDenied),
    ];
    for (identity, want) in cases {
        let (_tx, resp) = open(&url, identity.as_ref()).await;
        let code = match resp {
            Err(status) => status.code(),
            Ok(stream) => final_code(stream).await,
        };
        assert_eq!(code, want, "caller {identity:?}");
    }
    stop.cancel();
}

#[tokio::test]
async fn malformed_frames_end_the_stream_with_invalid_argument() {
    let p = Node::new("540000/540100", config());
    let stop = CancellationToken::new();
    let (url, _server) = serve(&p, None, stop.clone());
    let county = Identity::node(n("540000/540100/540102"));
    let bad_frames = [
        pb::SyncFrame { frame: None },
        pb::SyncFrame {
            frame: Some(pb::sync_frame::Frame::Ack(pb::Ack {
                cursors: vec![pb::StreamCursor { origin: county.node.to_string(), channel: 0, seq: 1 }],
            })),
        },
        pb::SyncFrame {
            frame: Some(pb::sync_frame::Frame::Events(pb::EventBatch {
                events: vec![pb::Envelope { origin: "5401".into(), channel: 1, seq: 1, ..Default::default() }],
                skips: vec![],
            })),
        },
    ];
    for bad in bad_frames {
        let (tx, resp) = open(&url, Some(&county)).await;
        tx.send(hello_frame(&county.node)).await.unwrap();
        tx.send(bad.clone()).await.unwrap();
        assert_eq!(final_code(resp.unwrap()).await, Code::InvalidArgument, "{bad:?}");
    }
    // A Hello in someone else's name is refused, not served.
    let (tx, resp) = open(&url, Some(&county)).await;
    tx.send(hello_frame(&n("540000/540100/540103"))).await.unwrap();
    assert_eq!(final_code(resp.unwrap()).await, Code::PermissionDenied);
    assert!(p.store.delivered().is_empty());
    stop.cancel();
}
