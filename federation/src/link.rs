//! A link: one duplex channel of [`Frame`]s to an authenticated peer. The
//! engine speaks the protocol over links and never sees the transport, so
//! the same engine runs over gRPC in production and over in-memory channels
//! in tests and network simulations.

use std::future::Future;

use extranet_certs::NodeId;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::{FedError, Frame};

/// One open link to a peer. `peer` must come from authentication (the mTLS
/// certificate), never from a frame: the engine checks every claim in the
/// peer's `Hello` against it.
#[derive(Debug)]
pub struct Link {
    /// The authenticated peer.
    pub peer: NodeId,
    /// Frames to the peer. Dropping it closes our half of the link.
    pub tx: mpsc::Sender<Frame>,
    /// Frames from the peer, or the transport's error; `None` once the peer
    /// closed its half.
    pub rx: mpsc::Receiver<Result<Frame, FedError>>,
}

/// The error for a link the peer closed.
pub(crate) fn closed() -> FedError {
    FedError::Transport("对端已关闭链路".into())
}

/// How a child reaches its parent: opens a fresh link each time it is
/// called. The implementation authenticates the parent and puts its identity
/// in [`Link::peer`].
pub trait Dialer: Send + Sync + 'static {
    /// Opens one link to the parent.
    fn dial(&self) -> impl Future<Output = Result<Link, FedError>> + Send;
}

/// Two in-memory links joined back to back: the first is `a`'s end (its peer
/// is `b`), the second `b`'s end. Cancelling `cut` severs the pair like a
/// pulled cable — frames in flight are lost and both ends see a transport
/// error — which is how tests and simulations break links mid-stream.
/// Must be called inside a Tokio runtime (it spawns the two forwarders).
pub fn link_pair(a: NodeId, b: NodeId, capacity: usize, cut: CancellationToken) -> (Link, Link) {
    let capacity = capacity.max(1);
    let (a_tx, a_out) = mpsc::channel(capacity);
    let (b_tx, b_out) = mpsc::channel(capacity);
    let (to_a, a_rx) = mpsc::channel(capacity);
    let (to_b, b_rx) = mpsc::channel(capacity);
    tokio::spawn(forward(a_out, to_b, cut.clone()));
    tokio::spawn(forward(b_out, to_a, cut));
    (Link { peer: b, tx: a_tx, rx: a_rx }, Link { peer: a, tx: b_tx, rx: b_rx })
}

/// Moves frames from one end's outbox to the other end's inbox until either
/// end goes away or the pair is cut.
async fn forward(mut from: mpsc::Receiver<Frame>, to: mpsc::Sender<Result<Frame, FedError>>, cut: CancellationToken) {
    loop {
        tokio::select! {
            biased;
            _ = cut.cancelled() => {
                let _ = to.try_send(Err(FedError::Transport("链路被切断".into())));
                return;
            }
            _ = to.closed() => return,
            frame = from.recv() => match frame {
                Some(frame) => {
                    tokio::select! {
                        biased;
                        _ = cut.cancelled() => {
                            let _ = to.try_send(Err(FedError::Transport("链路被切断".into())));
                            return;
                        }
                        sent = to.send(Ok(frame)) => if sent.is_err() { return },
                    }
                }
                None => return,
            },
        }
    }
}
