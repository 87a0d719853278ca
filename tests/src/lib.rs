//! The whole-federation test harness: a tree of real nodes, each with its own
//! certificates, data directory and mTLS listener on 127.0.0.1 port 0, in a
//! few lines:
//!
//! ```no_run
//! # async fn f() -> anyhow::Result<()> {
//! let mut h = extranet_tests::Harness::four().await?;
//! let f = h.file_cutover(&h.county_a(), extranet_tests::valid_cutover()).await?;
//! h.wait_filing(&h.region(), &f.id, 1).await?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use chrono::NaiveTime;
use extranet_certs::NodeId;
use extranet_federation::{Channel, Envelope, EventStore, StreamId};
use extranet_node::calendar::{CalendarDocument, beijing, today};
use extranet_node::config::SyncTuning;
use extranet_node::local::{LocalFederation, LocalNode};
use extranet_node::server::RunningNode;
use extranet_proto::v1 as pb;
use tempfile::TempDir;

pub mod bench;
#[cfg(target_os = "linux")]
pub mod browser;
mod eventually;
pub use eventually::{Seen, eventually};
pub mod national;
#[cfg(target_os = "linux")]
pub mod power;
pub mod web;

/// The four-node tree of the foundation: region, Lhasa, Chengguan, Doilungdêqên.
pub const FOUR: &[&str] = &["540000", "540000/540100", "540000/540100/540102", "540000/540100/540103"];

/// How long a test waits for something to propagate before failing.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A running federation in a temporary directory, removed on drop.
pub struct Harness {
    /// The nodes.
    pub fed: LocalFederation,
    _dir: TempDir,
}

/// Parses a division path (test input is known-good).
pub fn id(s: &str) -> NodeId {
    NodeId::parse(s).expect("valid division path in test")
}

/// The store engine of every node the harness starts: `EXTRANET_STORE_ENGINE`
/// (`sled` or `redb`), so the whole suite runs on either; unset, the default.
pub fn store_engine() -> anyhow::Result<extranet_node::store::engine::EngineKind> {
    use extranet_node::store::engine::EngineKind;
    match std::env::var("EXTRANET_STORE_ENGINE") {
        Err(_) => Ok(EngineKind::default()),
        Ok(name) => EngineKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| anyhow::anyhow!("EXTRANET_STORE_ENGINE={name}: expected sled or redb")),
    }
}

/// Whether this run is CI's (`CI` set, and not `false` or `0`): there a test
/// that cannot run here fails instead of standing down.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Link tuning for tests: quick heartbeats and reconnects.
pub fn fast_sync() -> SyncTuning {
    SyncTuning {
        heartbeat_secs: 1,
        dead_after_secs: 4,
        backoff_min_ms: 50,
        backoff_max_secs: 1,
        max_concurrent_catchups: 8,
        confirm_own_streams: false,
    }
}

/// The unit [`valid_cutover`] affects (registered by [`Harness::file_cutover`]).
pub const CUTOVER_UNIT: &str = "cg-office";

/// Registers [`CUTOVER_UNIT`] at the node `client` reaches, as its
/// operator, unless it is registered already.
pub async fn register_cutover_unit(client: &extranet_node::client::Client) -> Result<(), tonic::Status> {
    let at = client.status().get_status(pb::GetStatusRequest {}).await?.into_inner().node;
    let unit = pb::Unit { name: "城关区人民政府办公室".into(), ..valid_unit(CUTOVER_UNIT, &at) };
    match client.units().register_unit(pb::RegisterUnitRequest { unit: Some(unit), ..Default::default() }).await {
        Ok(_) => Ok(()),
        Err(s) if s.code() == tonic::Code::FailedPrecondition && s.message().contains("已在本节点登记") => {
            Ok(())
        }
        Err(s) => Err(s),
    }
}

/// A cutover that satisfies Art.21: notified today, starting two working days later.
pub fn valid_cutover() -> pb::CutoverDetails {
    let start_day = CalendarDocument::builtin().work_calendar().add_working_days(today(), 2);
    cutover_on(start_day, today())
}

/// A cutover starting at 22:00 Beijing time on `start_day`, notified on `notified`.
pub fn cutover_on(start_day: chrono::NaiveDate, notified: chrono::NaiveDate) -> pb::CutoverDetails {
    let start = start_day
        .and_time(NaiveTime::from_hms_opt(22, 0, 0).expect("valid time"))
        .and_local_timezone(beijing())
        .single()
        .expect("fixed offset");
    pb::CutoverDetails {
        affected_units: vec![CUTOVER_UNIT.into()],
        window_start: start.to_rfc3339(),
        window_end: (start + chrono::Duration::hours(2)).to_rfc3339(),
        notified_on: notified.to_string(),
        description: "汇聚交换机升级".into(),
        major_adjustment: false,
        major_approval_id: String::new(),
        contact: "扎西 0891-6812345".into(),
        affected_unit_names: Vec::new(),
    }
}

/// A unit that satisfies Art.3 and Art.11, sitting in `division`.
pub fn valid_unit(id: &str, division: &str) -> pb::Unit {
    pb::Unit {
        id: id.into(),
        name: format!("测试单位 {id}"),
        category: pb::UnitCategory::PartyGovernment as i32,
        division: division.into(),
        responsible_leader: Some(pb::Contact { name: "次仁".into(), phone: "0891-6812345".into() }),
        responsible_department: "办公室".into(),
        responsible_person: Some(pb::Contact { name: "卓玛".into(), phone: "13908901234".into() }),
        ..Default::default()
    }
}

/// A complete Art.16 form with the Art.8 declaration, spanning `span`.
pub fn valid_form(span: pb::AccessSpan) -> pb::ApplicationForm {
    pb::ApplicationForm {
        basis: "依据《西藏自治区电子政务外网管理办法》开展政务业务".into(),
        scope: "本单位机关".into(),
        location: "单位机房".into(),
        bandwidth_mbps: 100,
        technical_requirements: "IPv6 单栈".into(),
        security_measures: "边界防火墙、终端准入".into(),
        declares_no_classified_information: true,
        span: span as i32,
        resource_subject: 0,
        devices: Vec::new(),
    }
}

impl Harness {
    /// Mints a PKI for `paths` (parents first) and starts every node.
    pub async fn tree(paths: &[&str]) -> anyhow::Result<Self> {
        let h = Self::created(paths)?;
        let mut h = h;
        h.fed.start_all().await?;
        Ok(h)
    }

    /// Mints a PKI and configs for `paths` without starting anything, every
    /// node on the engine of [`store_engine`].
    pub fn created(paths: &[&str]) -> anyhow::Result<Self> {
        Self::created_with_engine(paths, store_engine()?)
    }

    /// [`Harness::created`] with every node on `engine` whatever the
    /// environment says (the storage bench runs both engines in one process).
    pub fn created_with_engine(
        paths: &[&str],
        engine: extranet_node::store::engine::EngineKind,
    ) -> anyhow::Result<Self> {
        init_logging();
        let dir = tempfile::Builder::new().prefix("extranet-test-").tempdir()?;
        let ids: Vec<NodeId> = paths.iter().map(|p| id(p)).collect();
        let mut fed = LocalFederation::create(dir.path(), &ids, fast_sync())?;
        fed.configure(|c| {
            c.oversight = fast_oversight();
            c.store.engine = Some(engine);
        })?;
        Ok(Harness { fed, _dir: dir })
    }

    /// The four-node federation, running.
    pub async fn four() -> anyhow::Result<Self> {
        Self::tree(FOUR).await
    }

    /// 540000.
    pub fn region(&self) -> NodeId {
        id(FOUR[0])
    }
    /// 540000/540100.
    pub fn prefecture(&self) -> NodeId {
        id(FOUR[1])
    }
    /// 540000/540100/540102.
    pub fn county_a(&self) -> NodeId {
        id(FOUR[2])
    }
    /// 540000/540100/540103.
    pub fn county_b(&self) -> NodeId {
        id(FOUR[3])
    }

    /// One node.
    pub fn node(&self, n: &NodeId) -> &LocalNode {
        self.fed.node(n).expect("node in harness")
    }

    /// The running node `n` (panics if stopped).
    pub fn running(&self, n: &NodeId) -> &RunningNode {
        self.node(n).running.as_ref().expect("node is running")
    }

    /// A client of `n` as its operator; a node that cannot be reached
    /// answers as `UNAVAILABLE`, like a call that failed.
    async fn operator(&self, n: &NodeId) -> Result<extranet_node::client::Client, tonic::Status> {
        self.fed.client(n).await.map_err(|e| tonic::Status::unavailable(e.to_string()))
    }

    /// Files a cutover at `n` as its operator, registering the unit
    /// [`valid_cutover`] affects there first if it is not yet.
    pub async fn file_cutover(&self, n: &NodeId, c: pb::CutoverDetails) -> Result<pb::Filing, tonic::Status> {
        self.cutover_unit(n).await?;
        let mut filings = self.operator(n).await?.filings();
        Ok(filings.file_cutover(pb::FileCutoverRequest { cutover: Some(c), ..Default::default() }).await?.into_inner())
    }

    /// Registers [`CUTOVER_UNIT`] at `n` unless it is already: the unit
    /// [`valid_cutover`] names as affected.
    pub async fn cutover_unit(&self, n: &NodeId) -> Result<(), tonic::Status> {
        let id = extranet_node::domain::UnitId::parse(CUTOVER_UNIT).expect("a unit id");
        match self.running(n).store.unit(&id) {
            Ok(Some(_)) => Ok(()),
            _ => register_cutover_unit(&self.operator(n).await?).await,
        }
    }

    /// Revokes the certificate `serial` at `n` (which must hold its issuing
    /// CA) as `n`'s operator, for `reason`.
    pub async fn revoke(&self, n: &NodeId, serial: String, reason: &str) -> Result<pb::RevokeResponse, tonic::Status> {
        let mut pki = self.operator(n).await?.pki();
        Ok(pki.revoke(pb::RevokeRequest { serial, reason: reason.into(), ..Default::default() }).await?.into_inner())
    }

    /// Waits until `n` holds filing `id` with at least `receipts` receipts.
    pub async fn wait_filing(&self, n: &NodeId, id: &str, receipts: usize) -> anyhow::Result<pb::Filing> {
        let what = format!("{n} to hold filing {id} with {receipts} receipt(s) (seen: its receipts)");
        eventually(&what, PATIENCE, async || {
            Ok(match self.running(n).store.filing(id)? {
                Some(f) if f.receipts.len() >= receipts => Ok(extranet_node::codec::filing_to_pb(&f)),
                other => Err(other.map(|f| f.receipts)),
            })
        })
        .await
    }

    /// Registers `unit` at `n` as its operator.
    pub async fn register_unit(&self, n: &NodeId, unit: pb::Unit) -> Result<pb::Unit, tonic::Status> {
        let mut units = self.operator(n).await?.units();
        Ok(units.register_unit(pb::RegisterUnitRequest { unit: Some(unit), ..Default::default() }).await?.into_inner())
    }

    /// A client of node `n` as access unit `unit` (its certificate minted on first use).
    pub async fn unit_client(&self, n: &NodeId, unit: &str) -> anyhow::Result<extranet_node::client::Client> {
        Ok(self.fed.unit_client(n, unit).await?)
    }

    /// Unit `unit` of `n` (registered) applies for new local access with a
    /// complete form, over its own certificate.
    pub async fn unit_applies(&self, n: &NodeId, unit: &str) -> anyhow::Result<pb::Application> {
        let submit = pb::SubmitRequest {
            kind: pb::ApplicationKind::New as i32,
            form: Some(valid_form(pb::AccessSpan::Local)),
            ..Default::default()
        };
        Ok(self.unit_client(n, unit).await?.access().submit(submit).await?.into_inner())
    }

    /// Gives `county` an address pool: the region's root `2408:8000::/32`
    /// (added once), a tier delegation to the prefecture and one to the
    /// county, each waited for where it lands.
    pub async fn give_pool(&self, county: &NodeId) -> anyhow::Result<()> {
        let has_pool = |n: &NodeId| {
            let held = self.running(n).store.ipam_delegations().unwrap_or_default();
            held.iter().any(|d| &d.child == n && d.is_live())
        };
        let region = self.fed.client(&self.region()).await?;
        if self.running(&self.region()).store.ipam_roots()?.is_empty() {
            region
                .ipam()
                .add_root(pb::AddRootRequest { prefix: "2408:8000::/32".into(), ..Default::default() })
                .await?;
        }
        let pref = county.parent().expect("a county has a prefecture");
        for (parent, child) in [(self.region(), pref.clone()), (pref, county.clone())] {
            if !has_pool(&child) {
                let c = self.fed.client(&parent).await?;
                c.ipam().delegate(pb::DelegateRequest { child: child.to_string(), ..Default::default() }).await?;
            }
            let store = &self.running(&child).store;
            wait_store(&format!("{child} to hold its pool"), store, |_| has_pool(&child)).await?;
        }
        Ok(())
    }

    /// Waits until `n` holds application `id` and `ok` holds of it.
    pub async fn wait_application(
        &self,
        n: &NodeId,
        id: &str,
        ok: impl Fn(&extranet_node::domain::Application) -> bool,
    ) -> anyhow::Result<extranet_node::domain::Application> {
        let what = format!("{n} to hold application {id} in the expected state");
        eventually(&what, PATIENCE, async || {
            Ok(match self.running(n).store.application(id)? {
                Some(a) if ok(&a) => Ok(a),
                other => Err(other),
            })
        })
        .await
    }

    /// Waits until `n` holds approval application `id` at `stage` (Art.21).
    pub async fn wait_approval_stage(
        &self,
        n: &NodeId,
        id: &str,
        stage: extranet_node::domain::approval::Stage,
    ) -> anyhow::Result<()> {
        let store = &self.running(n).store;
        eventually(&format!("{n} to hold {id} at {stage:?}"), PATIENCE, async || {
            let held = store.approval(id)?.map(|a| a.stage());
            Ok((held.as_ref() == Some(&stage), held))
        })
        .await
        .map(drop)
    }

    /// Waits until `n` holds calendar version `version` (or newer).
    pub async fn wait_calendar(&self, n: &NodeId, version: u64) -> anyhow::Result<()> {
        let what = format!("{n} to hold calendar version {version} (seen: its version)");
        eventually(&what, PATIENCE, async || {
            let held = self.running(n).store.calendar()?.version();
            Ok((held >= version, held))
        })
        .await?;
        Ok(())
    }

    /// Waits until `n` holds version `version` (or newer) of prefecture
    /// `by`'s local calendar (地方性假日); returns the version held.
    pub async fn wait_local_calendar(&self, n: &NodeId, by: &NodeId, version: u64) -> anyhow::Result<u64> {
        let what = format!("{n} to hold {by}'s local calendar version {version} (seen: the version held)");
        eventually(&what, PATIENCE, async || {
            let held = self.running(n).store.local_calendar_for(by)?.map_or(0, |l| l.doc.version);
            Ok((held >= version, held))
        })
        .await
    }

    /// Every event of `origin`'s up stream held at `at`.
    pub fn up_events(&self, at: &NodeId, origin: &NodeId) -> anyhow::Result<Vec<Envelope>> {
        let stream = StreamId { origin: origin.clone(), channel: Channel::Up };
        Ok(self.running(at).store.read(&stream, 0, usize::MAX)?)
    }

    /// Stops every node.
    pub async fn shutdown(mut self) {
        self.fed.shutdown().await;
    }
}

/// Beijing time `mins` minutes from now as a browser's `datetime-local`
/// field writes it (`2026-12-05T22:00`).
pub fn local_in(mins: i64) -> String {
    let t = chrono::Utc::now() + chrono::Duration::minutes(mins);
    t.with_timezone(&extranet_node::calendar::beijing()).format("%Y-%m-%dT%H:%M").to_string()
}

/// Logs to the test's output when `RUST_LOG` is set.
pub fn init_logging() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .try_init();
    }
}

/// Oversight tuning for tests: a summary every second, stale after four.
pub fn fast_oversight() -> extranet_node::config::OversightConfig {
    extranet_node::config::OversightConfig { summary_interval_secs: 1, stale_after_secs: 4, ..Default::default() }
}

/// Every path of the Tibet Autonomous Region's topology, parents first.
pub fn xizang_paths() -> Vec<String> {
    extranet_node::topology::Topology::xizang().ids().iter().map(|i| i.to_string()).collect()
}

impl Harness {
    /// Runs the command-line tool `exe` (the test's
    /// `env!("CARGO_BIN_EXE_extranet-under-test")`) with `args` against
    /// running node `n` as its operator: whether it succeeded, its stdout
    /// and its stderr. Blocks: call it inside `block_in_place`.
    pub fn cli(&self, exe: &str, n: &NodeId, args: &[&str]) -> (bool, String, String) {
        let out = std::process::Command::new(exe)
            .args(args)
            .arg("--endpoint")
            .arg(self.running(n).addr.to_string())
            .arg("--cert-dir")
            .arg(self.node(n).operator().path())
            .output()
            .expect("run the binary");
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
    }

    /// The oversight view at running node `n` now.
    pub fn oversight(&self, n: &NodeId) -> anyhow::Result<pb::OversightView> {
        let node = self.node(n);
        let bounds = extranet_node::oversight::Bounds::of(&node.config.oversight);
        let topo = self.fed.topology(n)?;
        Ok(extranet_node::service::oversight::view(&self.running(n).engine, &topo, bounds)?)
    }

    /// Waits (up to `patience`) until `cond` holds for `n`'s oversight view;
    /// returns that view, or fails with `what` and the last view's health.
    pub async fn wait_oversight(
        &self,
        n: &NodeId,
        what: &str,
        patience: Duration,
        cond: impl Fn(&pb::OversightView) -> bool,
    ) -> anyhow::Result<pb::OversightView> {
        let what = format!("{n}: {what} (seen: each row's health)");
        eventually(&what, patience, async || {
            let v = self.oversight(n)?;
            Ok(if cond(&v) {
                Ok(v)
            } else {
                Err(v.rows.iter().map(|r| format!("{}={:?}", r.node, r.health())).collect::<Vec<_>>())
            })
        })
        .await
    }
}

/// The row of `node` in `view`.
pub fn row<'a>(view: &'a pb::OversightView, node: &str) -> &'a pb::OversightRow {
    view.rows.iter().find(|r| r.node == node).unwrap_or_else(|| panic!("{node} missing from the oversight view"))
}

/// A served node process, killed (`kill -9`) and reaped when dropped — also
/// when a test or bench fails, so no process is left behind (or holding a
/// disk the test must unmount).
pub struct Served(pub std::process::Child);

impl Served {
    /// [`spawn_served`], held so.
    pub fn spawn(exe: &str, config: &std::path::Path, env: &[(&str, &str)]) -> anyhow::Result<(Served, String)> {
        let (child, addr) = spawn_served(exe, config, env)?;
        Ok((Served(child), addr))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill(); // it may have stopped by itself
        let _ = self.0.wait();
    }
}

/// Starts a real `extranet serve` process (`exe`: the test's
/// `env!("CARGO_BIN_EXE_extranet-under-test")`) on `config`; returns the
/// process and the address it printed once listening.
pub fn spawn_served(
    exe: &str,
    config: &std::path::Path,
    env: &[(&str, &str)],
) -> anyhow::Result<(std::process::Child, String)> {
    use std::io::BufRead;
    let mut child = std::process::Command::new(exe)
        .args(["serve", "--config"])
        .arg(config)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line)?;
    let addr = line.split_whitespace().last().ok_or_else(|| anyhow::anyhow!("no address in {line:?}"))?.to_string();
    anyhow::ensure!(addr.starts_with("127.0.0.1:"), "unexpected start line {line:?}");
    Ok((child, addr))
}

/// Waits (up to [`PATIENCE`]) until `cond` holds on `store`.
pub async fn wait_store(
    what: &str,
    store: &extranet_node::store::NodeStore,
    cond: impl Fn(&extranet_node::store::NodeStore) -> bool,
) -> anyhow::Result<()> {
    eventually(what, PATIENCE, async || Ok((cond(store), ()))).await
}
