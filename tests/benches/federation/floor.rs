//! The floor the federation's figures are held against, measured in the
//! same run and process (issue 11, point 1): a bare tonic unary call over
//! the project's own mutual TLS (`extranet_certs::transport`, the node's
//! certificates), answered by a service that does nothing, and a durable
//! write on the node's default store engine (one key, then the engine's
//! durability barrier).

use std::sync::Arc;
use std::time::{Duration, Instant};

use extranet_certs::{Identity, TlsMaterial, transport};
use extranet_node::local::LocalNode;
use extranet_node::store::TreeId;
use extranet_node::store::engine::{self, Engine};
use extranet_proto::v1 as pb;
use pb::calendar_client::CalendarClient;
use pb::calendar_server::{Calendar, CalendarServer};
use tonic::{Request, Response, Status};

/// What one run measured of the floor.
pub struct Floor {
    /// Bare unary calls per second with 64 in flight.
    pub rpc_rate_64: f64,
    /// Median of one bare unary call, sequential.
    pub rpc_p50: Duration,
    /// Median of one durable write (write, then the durability barrier), sequential.
    pub write_p50: Duration,
    /// Durable writes per second made durable in batches of 64.
    pub write_rate_64: f64,
}

impl Floor {
    /// One bare call followed by one durable write, per second, sequential.
    pub fn sequential_rate(&self) -> f64 {
        1.0 / (self.rpc_p50 + self.write_p50).as_secs_f64()
    }

    /// Two hops, each a bare call and a durable write.
    pub fn two_hops(&self) -> Duration {
        2 * (self.rpc_p50 + self.write_p50)
    }
}

/// A calendar service that answers every call at once with nothing.
struct Bare;

#[tonic::async_trait]
impl Calendar for Bare {
    async fn get_calendar(&self, _: Request<pb::GetCalendarRequest>) -> Result<Response<pb::CalendarDocument>, Status> {
        Ok(Response::new(pb::CalendarDocument::default()))
    }
    async fn publish_calendar(
        &self,
        _: Request<pb::PublishCalendarRequest>,
    ) -> Result<Response<pb::CalendarDocument>, Status> {
        Err(Status::unimplemented("bare"))
    }
    async fn due_date(&self, _: Request<pb::DueDateRequest>) -> Result<Response<pb::DueDateResponse>, Status> {
        Err(Status::unimplemented("bare"))
    }
    async fn publish_local_calendar(
        &self,
        _: Request<pb::PublishLocalCalendarRequest>,
    ) -> Result<Response<pb::LocalCalendarDocument>, Status> {
        Err(Status::unimplemented("bare"))
    }
}

/// Measures the floor with `node`'s certificates (server) and its
/// operator's (client), for `secs` seconds of rate measurement each.
pub async fn measure(node: &LocalNode, secs: u64) -> anyhow::Result<Floor> {
    let paths = &node.config.tls;
    let server_tls = TlsMaterial::load(&paths.root, &paths.cert, &paths.key)?;
    let (addr, incoming) = transport::bind("127.0.0.1:0".parse()?, server_tls).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        tonic::transport::Server::builder().add_service(CalendarServer::new(Bare)).serve_with_incoming_shutdown(
            incoming,
            async {
                let _ = stopped.await;
            },
        ),
    );
    let client_tls = node.operator().load()?;
    let channel = transport::connect(&addr.to_string(), &Identity::node(node.config.node.clone()), &client_tls).await?;
    let client = CalendarClient::new(channel);
    let rpc_p50 = median(500, async || {
        client.clone().get_calendar(pb::GetCalendarRequest::default()).await?;
        Ok(())
    })
    .await?;
    let rpc_rate_64 = rate_64(&client, Duration::from_secs(secs)).await?;
    let _ = stop.send(());
    let _ = server.await;
    let (write_p50, write_rate_64) = durable_writes(secs)?;
    Ok(Floor { rpc_rate_64, rpc_p50, write_p50, write_rate_64 })
}

/// The median duration of `n` sequential runs of `f`.
async fn median(n: usize, mut f: impl AsyncFnMut() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        f().await?;
        took.push(start.elapsed());
    }
    took.sort();
    Ok(took[n / 2])
}

/// Bare calls per second with 64 in flight, for `dur`.
async fn rate_64(client: &CalendarClient<tonic::transport::Channel>, dur: Duration) -> anyhow::Result<f64> {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let mut c = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while start.elapsed() < dur {
                c.get_calendar(pb::GetCalendarRequest::default()).await?;
                n += 1;
            }
            Ok::<u64, Status>(n)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

/// Durable writes on the default engine in a fresh directory: the median of
/// one write made durable alone, and the rate in batches of 64.
fn durable_writes(secs: u64) -> anyhow::Result<(Duration, f64)> {
    let dir = tempfile::tempdir()?;
    let e: Arc<dyn Engine> = engine::open(dir.path(), None)?;
    let value = [7u8; 256];
    let mut took = Vec::new();
    for i in 0u64..200 {
        let start = Instant::now();
        e.insert_one(TreeId::Meta, &i.to_be_bytes(), &value).map_err(|e| anyhow::anyhow!("{e}"))?;
        e.flush().map_err(|e| anyhow::anyhow!("{e}"))?;
        took.push(start.elapsed());
    }
    took.sort();
    let (start, mut n) = (Instant::now(), 0u64);
    while start.elapsed() < Duration::from_secs(secs) {
        for _ in 0..64 {
            n += 1;
            e.insert_one(TreeId::Meta, &(1_000_000 + n).to_be_bytes(), &value).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        e.flush().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok((took[took.len() / 2], n as f64 / start.elapsed().as_secs_f64()))
}
