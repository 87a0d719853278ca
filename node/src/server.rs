//! Running one node: open the store, start the federation links, serve every
//! gRPC service over mTLS on one port, and shut all of it down cleanly.

use std::net::SocketAddr;
use std::sync::Arc;

use extranet_certs::{CertificateAuthority, Identity, NodeId, TlsMaterial, transport};
use extranet_federation::{Engine, EventStore, FedError, GrpcDialer};
use extranet_proto::v1::access_server::AccessServer;
use extranet_proto::v1::approvals_server::ApprovalsServer;
use extranet_proto::v1::assets_server::AssetsServer;
use extranet_proto::v1::calendar_server::CalendarServer;
use extranet_proto::v1::circulars_server::CircularsServer;
use extranet_proto::v1::console_server::ConsoleServer;
use extranet_proto::v1::evaluations_server::EvaluationsServer;
use extranet_proto::v1::faults_server::FaultsServer;
use extranet_proto::v1::filings_server::FilingsServer;
use extranet_proto::v1::incidents_server::IncidentsServer;
use extranet_proto::v1::inspections_server::InspectionsServer;
use extranet_proto::v1::interruptions_server::InterruptionsServer;
use extranet_proto::v1::ipam_server::IpamServer;
use extranet_proto::v1::node_status_server::NodeStatusServer;
use extranet_proto::v1::orders_server::OrdersServer;
use extranet_proto::v1::oversight_server::OversightServer;
use extranet_proto::v1::pki_server::PkiServer;
use extranet_proto::v1::private_networks_server::PrivateNetworksServer;
use extranet_proto::v1::units_server::UnitsServer;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;

use crate::config::NodeConfig;
use crate::domain::limits::MAX_REQUEST_BYTES;
use crate::error::{NodeError, Result};
use crate::replicate::DomainApplier;
use crate::service::{
    AccessService, CalendarService, FilingsService, Gate, OversightService, PkiService, Services, StatusService,
    UnitsService,
};
use crate::store::NodeStore;
use crate::worker::{Runner, Wake, Worker};

/// How long shutdown waits for the store's flusher to let go of the database.
const STORE_CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// A node that is up: its address, its store and engine, and the handles
/// needed to stop it.
pub struct RunningNode {
    /// The address it actually listens on (port 0 resolved).
    pub addr: SocketAddr,
    /// Its store.
    pub store: NodeStore,
    /// Its federation engine.
    pub engine: Engine<NodeStore>,
    /// Its certificates.
    pub tls: TlsMaterial,
    /// Where its Prometheus endpoint listens, when `[metrics]` is configured.
    pub metrics_addr: Option<SocketAddr>,
    /// Where its web console listens, when `[console]` is configured.
    pub console_addr: Option<SocketAddr>,
    /// Stored revocation lists skipped at start-up, and why (also logged):
    /// a bad list is reported, the node starts with the others.
    pub skipped_crls: Vec<String>,
    cancel: CancellationToken,
    /// Every background task of the node (workers, servers, the parent link).
    runner: Runner,
}

impl RunningNode {
    /// This node's identity.
    pub fn id(&self) -> &NodeId {
        self.store.me()
    }

    /// Stops serving, closes the links, waits for every background task
    /// (a worker's unit in progress finishes), then flushes the store.
    pub async fn shutdown(self) {
        // Sync streams never end by themselves, and tonic's graceful shutdown
        // waits for open streams: end the sessions first.
        self.engine.shutdown();
        self.cancel.cancel();
        // before the store closes: no worker writes to a closed store
        self.runner.shutdown().await;
        self.store.close();
        // the flusher's last flush holds the database a moment longer; a
        // sled hung in it must not hang the shutdown
        if tokio::time::timeout(STORE_CLOSE_GRACE, self.store.closed()).await.is_err() {
            tracing::error!(node = %self.store.me(), "store flusher did not end in time; the database stays locked until exit");
        }
        tracing::info!(node = %self.store.me(), "node stopped");
    }

    /// A token that, once cancelled, stops the node.
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }
}

/// Starts the node described by `cfg`, reading its topology.
pub async fn start(cfg: &NodeConfig) -> Result<RunningNode> {
    start_with(cfg, cfg.oversight.topology()?).await
}

/// Starts the node described by `cfg` with its topology already read
/// (nodes of one process share one, `local.rs`).
pub async fn start_with(cfg: &NodeConfig, topology: Arc<crate::topology::Topology>) -> Result<RunningNode> {
    let tls = TlsMaterial::load(&cfg.tls.root, &cfg.tls.cert, &cfg.tls.key)?;
    if tls.identity() != &Identity::node(cfg.node.clone()) {
        return Err(NodeError::config(format!("证书身份为 {}，与配置的节点 {} 不符", tls.identity(), cfg.node)));
    }
    let ca = cfg.ca_dir.as_deref().map(CertificateAuthority::load).transpose()?;
    let store =
        NodeStore::open_with(&cfg.data_dir, cfg.node.clone(), Arc::new(DomainApplier::new(tls.clone())), &cfg.store)?;
    let skipped_crls = install_crls(&tls, store.crls()?);
    let engine = Engine::new(cfg.node.clone(), Arc::new(store.clone()), cfg.sync.engine_config());
    // After a restore from an older backup, own writes wait until the peers
    // have handed back what this node wrote after the backup.
    store.refuse_writes_while(engine.watch_recovering());
    // The services and the expected-children list share it.
    // Children the topology expects are listed (and counted in oversight)
    // even before they ever connect.
    for child in topology.subtree(&cfg.node).iter().filter(|d| d.id.parent() == Some(cfg.node.clone())) {
        engine.add_expected_child(child.id.clone());
    }
    let cancel = CancellationToken::new();
    let mut runner = Runner::new(&cancel);
    let metrics = crate::metrics::Metrics::new();
    let ipam = crate::ops::ipam::Ipam::new(store.clone(), cfg.ipam.policy.clone());
    if cfg.node.depth() == 1 {
        for root in &cfg.ipam.roots {
            ipam.add_root(*root).await?;
        }
    }
    let parts = Parts {
        store: store.clone(),
        engine: engine.clone(),
        tls: tls.clone(),
        ipam: ipam.clone(),
        metrics: Arc::clone(&metrics),
        topology,
    };
    let services = services(cfg, &parts, ca, &runner);
    let sessions = cfg.console.as_ref().map(|c| Arc::new(crate::console::Sessions::new(c.session())));
    let mut console_addr = None;
    if let (Some(c), Some(sessions)) = (&cfg.console, &sessions) {
        let console = crate::console::Console::new(
            services.clone(),
            Arc::clone(sessions),
            tls.clone(),
            store.clone(),
            Arc::clone(&parts.topology),
        );
        let (a, task) = crate::console::serve(&c.listen, console, tls.clone(), cancel.clone()).await?;
        console_addr = Some(a);
        runner.own("web-console", task);
    }
    let console = crate::console::ConsoleService::new(
        Gate::new(cfg.node.clone(), tls.clone()).with_orders(store.clone()),
        sessions.clone(),
        cfg.console.clone().zip(console_addr),
    );
    let (addr, serve) = serve(cfg, &parts, &services, console, &mut runner, cancel.clone()).await?;
    runner.own("grpc-server", serve);
    let mut metrics_addr = None;
    if let Some(m) = &cfg.metrics {
        let (a, task) =
            crate::metrics::serve(&m.listen, metrics, engine.clone(), store.clone(), cancel.clone()).await?;
        metrics_addr = Some(a);
        runner.own("metrics-endpoint", task);
    }
    runner.spawn(CrlWatcher::new(store.clone(), tls.clone(), engine.clone(), sessions));
    runner.spawn(crate::oversight::Publisher::new(ipam, engine.clone(), tls.clone(), &cfg.oversight));
    if let Some(parent_addr) = &cfg.parent {
        let parent = cfg.node.parent().ok_or_else(|| NodeError::config("最上级节点不能配置 parent"))?;
        let dialer = dialer(parent, parent_addr.clone(), tls.clone());
        runner.own("parent-link", engine.spawn_uplink(dialer, cancel.clone()));
    }
    tracing::info!(node = %cfg.node, %addr, parent = ?cfg.parent, "node serving");
    Ok(RunningNode { addr, store, engine, tls, metrics_addr, console_addr, skipped_crls, cancel, runner })
}

/// What a node's services are built from (shared handles, cheap to clone).
pub(crate) struct Parts {
    pub(crate) store: NodeStore,
    pub(crate) engine: Engine<NodeStore>,
    pub(crate) tls: TlsMaterial,
    pub(crate) ipam: crate::ops::ipam::Ipam,
    pub(crate) metrics: Arc<crate::metrics::Metrics>,
    pub(crate) topology: Arc<crate::topology::Topology>,
}

/// Builds the node's operator services once; the gRPC server and the
/// console share them.
fn services(cfg: &NodeConfig, parts: &Parts, ca: Option<CertificateAuthority>, runner: &Runner) -> Services {
    let Parts { store, engine, tls, ipam, topology, .. } = parts;
    let gate = Gate::new(cfg.node.clone(), tls.clone()).with_orders(store.clone());
    Services {
        filings: Arc::new(FilingsService::new(store.clone(), gate.clone()).with_topology(Arc::clone(topology))),
        access: Arc::new(AccessService::new(store.clone(), gate.clone(), Arc::clone(topology))),
        assets: Arc::new(crate::service::AssetsService::new(store.clone(), gate.clone())),
        faults: Arc::new(crate::service::FaultsService::new(store.clone(), gate.clone())),
        interruptions: Arc::new(crate::service::InterruptionsService::new(store.clone(), gate.clone())),
        orders: Arc::new(crate::service::OrdersService::new(store.clone(), gate.clone(), Arc::clone(topology))),
        incidents: Arc::new(crate::service::IncidentsService::new(store.clone(), gate.clone())),
        private_networks: Arc::new(crate::service::PrivateNetworksService::new(store.clone(), gate.clone())),
        circulars: Arc::new(crate::service::CircularsService::new(store.clone(), gate.clone(), Arc::clone(topology))),
        evaluations: Arc::new(crate::service::EvaluationsService::new(store.clone(), gate.clone())),
        approvals: Arc::new(crate::service::ApprovalsService::new(store.clone(), gate.clone(), Arc::clone(topology))),
        inspections: Arc::new(crate::service::InspectionsService::new(
            store.clone(),
            gate.clone(),
            Arc::clone(topology),
        )),
        ipam: Arc::new(crate::service::ipam::IpamService::new(ipam.clone(), gate.clone())),
        calendar: Arc::new(CalendarService::new(store.clone(), gate.clone())),
        units: Arc::new(UnitsService::new(store.clone(), gate.clone(), Arc::clone(topology))),
        status: Arc::new(
            StatusService::new(engine.clone(), gate.clone(), tls.clone(), cfg.oversight.clock_skew_warn_ms())
                .with_workers(runner.board()),
        ),
        oversight: Arc::new(OversightService::new(engine.clone(), gate.clone(), Arc::clone(topology), &cfg.oversight)),
        pki: Arc::new(PkiService::new(store.clone(), gate, tls.clone(), ca)),
    }
}

async fn serve(
    cfg: &NodeConfig,
    parts: &Parts,
    services: &Services,
    console: crate::console::ConsoleService,
    runner: &mut Runner,
    cancel: CancellationToken,
) -> Result<(SocketAddr, JoinHandle<()>)> {
    let Parts { store, engine, tls, ipam, metrics, .. } = parts;
    let listen = resolve(&cfg.listen).await?;
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<FilingsServer<FilingsService>>().await;
    runner.spawn(StoreHealthReporter::new(store, health));
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(extranet_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(|e| NodeError::config(format!("反射服务初始化失败：{e}")))?;
    let (addr, incoming) =
        transport::bind(listen, tls.clone()).await.map_err(|e| NodeError::config(format!("无法监听 {listen}：{e}")))?;
    let s = services.clone();
    let router = Server::builder()
        .layer(crate::metrics::RpcLatencyLayer(Arc::clone(metrics)))
        .layer(crate::service::edge_status::EdgeStatusLayer)
        .add_service(health_service)
        .add_service(reflection)
        .add_service(engine.grpc_service())
        .add_service(FilingsServer::from_arc(s.filings).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(IpamServer::from_arc(s.ipam).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(CalendarServer::from_arc(s.calendar).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(UnitsServer::from_arc(s.units).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(AccessServer::from_arc(s.access).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(AssetsServer::from_arc(s.assets).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(FaultsServer::from_arc(s.faults).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(InterruptionsServer::from_arc(s.interruptions).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(OrdersServer::from_arc(s.orders).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(IncidentsServer::from_arc(s.incidents).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(PrivateNetworksServer::from_arc(s.private_networks).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(CircularsServer::from_arc(s.circulars).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(EvaluationsServer::from_arc(s.evaluations).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(ApprovalsServer::from_arc(s.approvals).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(InspectionsServer::from_arc(s.inspections).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(NodeStatusServer::from_arc(s.status).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(OversightServer::from_arc(s.oversight).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(PkiServer::from_arc(s.pki).max_decoding_message_size(MAX_REQUEST_BYTES))
        .add_service(ConsoleServer::new(console).max_decoding_message_size(MAX_REQUEST_BYTES));
    runner.spawn(crate::ops::withdrawn_addresses::AddressReclaimer::new(store.clone(), ipam.clone()));
    runner.spawn(crate::ops::ipam::Decider::new(ipam.clone()));
    runner.spawn(crate::ops::fault::BreachScanner::new(store.clone()));
    let task = tokio::spawn(async move {
        if let Err(e) = router.serve_with_incoming_shutdown(incoming, cancel.cancelled_owned()).await {
            tracing::error!(error = %e, "gRPC server stopped with an error");
        }
    });
    Ok((addr, task))
}

async fn resolve(listen: &str) -> Result<SocketAddr> {
    tokio::net::lookup_host(listen)
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| NodeError::config(format!("listen 地址 “{listen}” 无效，应为 主机:端口")))
}

/// Dials the parent over mTLS, checking it presents the parent's identity.
fn dialer(
    parent: NodeId,
    addr: String,
    tls: TlsMaterial,
) -> GrpcDialer<
    impl Fn() -> futures::future::BoxFuture<'static, Result<tonic::transport::Channel, FedError>> + Send + Sync + 'static,
> {
    let expect = Identity::node(parent.clone());
    GrpcDialer::new(parent, move || {
        let (addr, expect, tls) = (addr.clone(), expect.clone(), tls.clone());
        Box::pin(async move {
            transport::connect(&addr, &expect, &tls).await.map_err(|e| FedError::Transport(e.to_string()))
        })
    })
}

/// Mirrors the store's health into the gRPC health service: a node whose
/// store cannot acknowledge writes answers `NOT_SERVING` (overall and for
/// `Filings`), so a load balancer or monitor sees it.
struct StoreHealthReporter {
    health: tonic_health::server::HealthReporter,
    rx: watch::Receiver<crate::store::StoreState>,
}

impl StoreHealthReporter {
    fn new(store: &NodeStore, health: tonic_health::server::HealthReporter) -> Self {
        StoreHealthReporter { health, rx: store.health().watch() }
    }
}

impl Worker for StoreHealthReporter {
    fn name(&self) -> &'static str {
        "store-health"
    }

    async fn work(&mut self) -> Result<()> {
        let healthy = self.rx.borrow_and_update().is_healthy();
        let status =
            if healthy { tonic_health::ServingStatus::Serving } else { tonic_health::ServingStatus::NotServing };
        self.health.set_service_status("", status).await;
        let filings = <FilingsServer<FilingsService> as tonic::server::NamedService>::NAME;
        self.health.set_service_status(filings, status).await;
        Ok(())
    }

    async fn wait(&mut self) -> Wake {
        if self.rx.changed().await.is_err() { Wake::Closed } else { Wake::Ready }
    }
}

/// Installs the sound ones of `crls` and reports (logs and returns) each
/// one skipped: a bad stored list must not keep the node from starting.
fn install_crls(tls: &TlsMaterial, crls: Vec<Vec<u8>>) -> Vec<String> {
    let skipped: Vec<String> = tls.set_crls_skipping_bad(crls).into_iter().map(|e| e.to_string()).collect();
    for reason in &skipped {
        tracing::error!(%reason, "stored revocation list skipped");
    }
    skipped
}

/// Reloads the TLS verifiers whenever a new revocation list became durable,
/// and makes every sync peer handshake again so the list applies to streams
/// that are already open.
struct CrlWatcher {
    store: NodeStore,
    tls: TlsMaterial,
    engine: Engine<NodeStore>,
    durable: watch::Receiver<u64>,
    /// The lists installed last.
    last: Vec<Vec<u8>>,
    /// The console's sessions, ended when their certificate is revoked.
    sessions: Option<Arc<crate::console::Sessions>>,
}

impl CrlWatcher {
    fn new(
        store: NodeStore,
        tls: TlsMaterial,
        engine: Engine<NodeStore>,
        sessions: Option<Arc<crate::console::Sessions>>,
    ) -> Self {
        let durable = store.durable_watch();
        let last = store.crls().unwrap_or_default();
        CrlWatcher { store, tls, engine, durable, last, sessions }
    }
}

impl Worker for CrlWatcher {
    fn name(&self) -> &'static str {
        "crl-watcher"
    }

    async fn work(&mut self) -> Result<()> {
        let now = self.store.crls()?;
        if now != self.last {
            install_crls(&self.tls, now.clone());
            tracing::info!(lists = now.len(), "revocation lists reloaded; sync links re-handshake");
            self.engine.reset_links();
            if let Some(s) = &self.sessions {
                let ended = s.end_revoked(|serial| self.tls.is_revoked(serial));
                if ended > 0 {
                    tracing::info!(ended, "console sessions of revoked certificates ended");
                }
            }
            self.last = now;
        }
        Ok(())
    }

    async fn wait(&mut self) -> Wake {
        if self.durable.changed().await.is_err() { Wake::Closed } else { Wake::Ready }
    }
}
