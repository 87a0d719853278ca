//! The gRPC adapter: the engine's links carried by `extranet.v1.Federation/
//! Sync`. The server side takes the caller's identity from its mTLS
//! certificate (never from a frame) and serves it as a child; the client
//! side opens the stream to the parent. Frames are converted and checked in
//! [`crate::convert`]; a malformed frame ends the stream with
//! `InvalidArgument`.

use std::pin::Pin;

use extranet_certs::transport::peer_identity;
use extranet_certs::{NodeId, Role};
use extranet_proto::v1::SyncFrame;
use extranet_proto::v1::federation_client::FederationClient;
use extranet_proto::v1::federation_server::{Federation, FederationServer};
use futures::future::BoxFuture;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};
use tonic::transport::Channel;
use tonic::{Request, Response, Status, Streaming};

use crate::convert::{frame_from_proto, frame_to_proto};
use crate::{Dialer, Engine, EventStore, FedError, Frame, Link};

/// Largest payload of one event a node may emit. The domain refuses, before
/// writing, a record whose event would be larger (see the node's
/// `domain::limits`), so every event fits in a frame.
pub const MAX_EVENT_PAYLOAD_BYTES: usize = 1 << 20;

/// Largest encoded frame either side accepts or sends. A batch stops once
/// it holds about 1 MiB of payload (`outbound.rs`), so a frame carries at
/// most that plus one event of [`MAX_EVENT_PAYLOAD_BYTES`] and the envelope
/// fields: 4 MiB leaves room for both and bounds what a peer can make us
/// decode at once.
pub const MAX_MESSAGE_BYTES: usize = 4 << 20;

/// Frames buffered per direction between the transport and a session. With
/// [`MAX_MESSAGE_BYTES`] this bounds what one peer pins in our queues to
/// about `3 × DEPTH × 4 MiB` (three queues on the serving side); frames are
/// processed one at a time, so a deeper queue buys no throughput.
const DEPTH: usize = 4;

impl From<FedError> for Status {
    fn from(e: FedError) -> Status {
        let msg = e.to_string();
        match e {
            FedError::Protocol(_) => Status::invalid_argument(msg),
            FedError::Refused { .. } => Status::permission_denied(msg),
            FedError::Transport(_) => Status::unavailable(msg),
            FedError::Store(_) => Status::internal(msg),
            FedError::Conflict { .. } => Status::aborted(msg),
        }
    }
}

/// The `Federation` gRPC service of a node: children dial it to sync.
pub struct FederationService<S> {
    engine: Engine<S>,
}

impl<S: EventStore> FederationService<S> {
    /// The service for `engine`; usually through [`Engine::grpc_service`].
    pub fn new(engine: Engine<S>) -> Self {
        FederationService { engine }
    }
}

impl<S: EventStore> Engine<S> {
    /// The gRPC server to mount on the node's mTLS server, with message
    /// limits fit for event batches.
    pub fn grpc_service(&self) -> FederationServer<FederationService<S>> {
        FederationServer::new(FederationService::new(self.clone()))
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES)
    }
}

/// The response stream of `Sync`.
type SyncStream = Pin<Box<dyn Stream<Item = Result<SyncFrame, Status>> + Send>>;

#[tonic::async_trait]
impl<S: EventStore> Federation for FederationService<S> {
    type SyncStream = SyncStream;

    async fn sync(&self, request: Request<Streaming<SyncFrame>>) -> Result<Response<SyncStream>, Status> {
        let identity = peer_identity(&request).map_err(|e| Status::unauthenticated(e.to_string()))?;
        if identity.role != Role::Node {
            tracing::warn!(peer = %identity, "非节点证书试图建立同步流");
            return Err(Status::permission_denied(format!("{identity} 不是节点证书，不能建立同步流")));
        }
        let peer = identity.node;
        let me = self.engine.me();
        if peer.parent().as_ref() != Some(me) {
            tracing::warn!(%peer, %me, "非直接下级试图建立同步流");
            return Err(Status::permission_denied(format!("节点 {peer} 不是 {me} 的直接下级")));
        }
        let (in_tx, in_rx) = mpsc::channel(DEPTH);
        tokio::spawn(pump_in(request.into_inner(), in_tx, ()));
        let (tx, frames) = mpsc::channel(DEPTH);
        let engine = self.engine.clone();
        let session = tokio::spawn(async move { engine.serve_child(Link { peer, tx, rx: in_rx }).await });
        let (out_tx, out_rx) = mpsc::channel(DEPTH);
        tokio::spawn(pump_out(frames, out_tx, session));
        Ok(Response::new(Box::pin(ReceiverStream::new(out_rx))))
    }
}

/// Forwards the session's frames to the response stream, then ends the
/// stream with the session's error as the gRPC status (or cleanly).
async fn pump_out(
    mut frames: mpsc::Receiver<Frame>,
    out: mpsc::Sender<Result<SyncFrame, Status>>,
    session: tokio::task::JoinHandle<Result<(), FedError>>,
) {
    while let Some(frame) = frames.recv().await {
        if out.send(Ok(frame_to_proto(frame))).await.is_err() {
            break;
        }
    }
    drop(frames);
    let status = match session.await {
        Ok(Ok(())) => return,
        Ok(Err(e)) => Status::from(e),
        Err(e) => Status::internal(format!("同步会话异常终止：{e}")),
    };
    let _ = out.send(Err(status)).await;
}

/// Converts and forwards frames from the wire to a session until either
/// ends; a malformed frame is forwarded as the protocol error that ends the
/// session. `_keep` (the client, on the dialling side) lives as long as the
/// stream.
async fn pump_in<K: Send + 'static>(
    mut stream: Streaming<SyncFrame>,
    tx: mpsc::Sender<Result<Frame, FedError>>,
    _keep: K,
) {
    loop {
        let next = tokio::select! {
            _ = tx.closed() => return,
            next = stream.message() => next,
        };
        let item = match next {
            Ok(Some(frame)) => frame_from_proto(frame),
            Ok(None) => return,
            // a frame over the bound, or not protobuf: the peer's fault, told to it
            Err(status) if matches!(status.code(), tonic::Code::OutOfRange | tonic::Code::InvalidArgument) => Err(
                FedError::Protocol(format!("同步帧无效或超过 {MAX_MESSAGE_BYTES} 字节的上限：{}", status.message())),
            ),
            Err(status) => Err(FedError::Transport(format!("同步流出错（{:?}）：{}", status.code(), status.message()))),
        };
        let last = item.is_err();
        if tx.send(item).await.is_err() || last {
            return;
        }
    }
}

/// Dials the parent over gRPC: each [`Dialer::dial`] opens a fresh channel
/// with `connect` and the `Sync` stream on it.
pub struct GrpcDialer<F> {
    parent: NodeId,
    connect: F,
}

impl<F> GrpcDialer<F>
where
    F: Fn() -> BoxFuture<'static, Result<Channel, FedError>> + Send + Sync + 'static,
{
    /// A dialer for `parent`. `connect` must authenticate the server as
    /// `parent` (the mTLS connector checks its certificate) — the link's
    /// peer is taken to be `parent` on that basis — and should enable
    /// HTTP/2 keep-alive and TCP_NODELAY, since a child waits, idle, for its
    /// parent's catch-up slot.
    pub fn new(parent: NodeId, connect: F) -> Self {
        GrpcDialer { parent, connect }
    }
}

impl<F> Dialer for GrpcDialer<F>
where
    F: Fn() -> BoxFuture<'static, Result<Channel, FedError>> + Send + Sync + 'static,
{
    async fn dial(&self) -> Result<Link, FedError> {
        let channel = (self.connect)().await?;
        let mut client = FederationClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        let (tx, out_rx) = mpsc::channel(DEPTH);
        let outbound = ReceiverStream::new(out_rx).map(frame_to_proto);
        let response = client
            .sync(outbound)
            .await
            .map_err(|s| FedError::Transport(format!("打开同步流失败（{:?}）：{}", s.code(), s.message())))?;
        let (in_tx, rx) = mpsc::channel(DEPTH);
        tokio::spawn(pump_in(response.into_inner(), in_tx, client));
        Ok(Link { peer: self.parent.clone(), tx, rx })
    }
}
