//! `node.toml`: everything one node needs to run. Relative paths are read
//! relative to the file's own directory, so a node's folder can be moved.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use extranet_certs::NodeId;
use extranet_federation::EngineConfig;
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, Result};

/// One node's configuration.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// This node's division path, e.g. `540000/540100/540102`; must match its certificate.
    pub node: NodeId,
    /// Address to listen on, e.g. `0.0.0.0:7443` (`127.0.0.1:0` picks a free port).
    pub listen: String,
    /// The parent node's address `host:port`; absent at the region.
    #[serde(default)]
    pub parent: Option<String>,
    /// Where the node keeps its database.
    pub data_dir: PathBuf,
    /// Certificate files.
    pub tls: TlsPaths,
    /// This node's own CA directory (region and prefectures), used to
    /// revoke the certificates it issued.
    #[serde(default)]
    pub ca_dir: Option<PathBuf>,
    /// Federation link tuning.
    #[serde(default)]
    pub sync: SyncTuning,
    /// Oversight: status summaries and staleness (optional section).
    #[serde(default)]
    pub oversight: OversightConfig,
    /// Prometheus metrics on a separate local port (optional section;
    /// absent: no metrics endpoint).
    #[serde(default)]
    pub metrics: Option<MetricsConfig>,
    /// The web console (optional section `[console]`; absent: no console).
    #[serde(default)]
    pub console: Option<ConsoleConfig>,
    /// Address management: the region's root pools and the address plan.
    #[serde(default)]
    pub ipam: IpamConfig,
    /// The store: its engine and its watchdog (optional section `[store]`).
    #[serde(default)]
    pub store: crate::store::StoreConfig,
}

/// `[ipam]`: the root pools (at the region only; below it the pool is what
/// the parent delegated) and the address plan (`[ipam.policy]`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IpamConfig {
    /// Root prefixes loaded at startup at the top node, e.g. `["2408:8000::/32"]`.
    pub roots: Vec<ipnet::IpNet>,
    /// Delegation and assignment lengths and the quarantine period.
    pub policy: crate::domain::ipam::Policy,
}

/// Where the Prometheus scrape endpoint listens (`[metrics]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Address of the plain-HTTP `GET /metrics` endpoint, e.g.
    /// `127.0.0.1:9464`; keep it on a local or management interface.
    pub listen: String,
}

/// Where the web console listens and how long its sessions last
/// (`[console]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Address of the HTTPS console, e.g. `0.0.0.0:8443` (`127.0.0.1:0`
    /// picks a free port). It presents the node's certificate.
    pub listen: String,
    /// The address people reach the console at, e.g.
    /// `https://10.54.0.1:8443`, used in sign-in links (absent: the
    /// listening address).
    #[serde(default)]
    pub public_url: Option<String>,
    /// Minutes a session lasts after sign-in (default 480, a working day).
    #[serde(default = "ConsoleConfig::default_session_minutes")]
    pub session_minutes: u32,
}

impl ConsoleConfig {
    fn default_session_minutes() -> u32 {
        480
    }

    /// A console on `listen` with the default session length.
    pub fn on(listen: impl Into<String>) -> Self {
        ConsoleConfig { listen: listen.into(), public_url: None, session_minutes: Self::default_session_minutes() }
    }

    /// How long a session lasts (at least a minute).
    pub fn session(&self) -> Duration {
        Duration::from_secs(u64::from(self.session_minutes.max(1)) * 60)
    }
}

/// How often a node reports its status upward and when a silent node is
/// shown as stale (`[oversight]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OversightConfig {
    /// Seconds between this node's status summaries (also sent at once on a
    /// change of its figures).
    pub summary_interval_secs: u64,
    /// Seconds without a new summary after which a node is shown as stale.
    pub stale_after_secs: u64,
    /// Topology file listing the divisions to oversee (absent: the embedded
    /// Tibet Autonomous Region topology).
    pub topology: Option<PathBuf>,
    /// A clock that differs from the parent's (in status) or the viewer's
    /// (in oversight) by more than this many seconds is warned about.
    pub clock_skew_warn_secs: u64,
}

impl Default for OversightConfig {
    fn default() -> Self {
        OversightConfig { summary_interval_secs: 30, stale_after_secs: 120, topology: None, clock_skew_warn_secs: 120 }
    }
}

impl OversightConfig {
    /// The summary interval (at least one second).
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.summary_interval_secs.max(1))
    }

    /// The staleness interval, never shorter than two summary intervals.
    pub fn stale_after(&self) -> Duration {
        Duration::from_secs(self.stale_after_secs).max(self.interval() * 2)
    }

    /// The clock-offset bound, ms.
    pub fn clock_skew_warn_ms(&self) -> i64 {
        i64::try_from(self.clock_skew_warn_secs.saturating_mul(1000)).unwrap_or(i64::MAX)
    }

    /// The topology in force: the named file's, or the built-in one of
    /// the Tibet Autonomous Region.
    pub fn topology(&self) -> Result<Arc<crate::topology::Topology>> {
        Ok(Arc::new(match &self.topology {
            None => crate::topology::Topology::xizang(),
            Some(p) => crate::topology::Topology::parse(&read_topology(p)?)?,
        }))
    }

    /// The text of the named topology file (`None`: the built-in one).
    pub fn topology_text(&self) -> Result<Option<String>> {
        self.topology.as_deref().map(read_topology).transpose()
    }
}

fn read_topology(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).map_err(|e| NodeError::config(format!("无法读取拓扑文件 {}：{e}", p.display())))
}

/// Certificate files of a node.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsPaths {
    /// The federation's root CA certificate (trust anchor).
    pub root: PathBuf,
    /// This node's certificate followed by its issuing chain.
    pub cert: PathBuf,
    /// This node's private key (mode 0600).
    pub key: PathBuf,
}

/// Link tuning; the defaults suit county links that drop often.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncTuning {
    /// Seconds between keep-alive pings.
    pub heartbeat_secs: u64,
    /// Seconds of silence after which a link is considered dead.
    pub dead_after_secs: u64,
    /// Shortest reconnect delay, milliseconds (before jitter).
    pub backoff_min_ms: u64,
    /// Longest reconnect delay, seconds.
    pub backoff_max_secs: u64,
    /// Most children a parent brings up to date at once.
    pub max_concurrent_catchups: usize,
    /// Set after restoring this node from a backup: own writes are refused
    /// until the parent and every known child have said what they hold of
    /// this node's own streams (and handed back what it lost). Remove once
    /// `extranet status` no longer shows it recovering.
    pub confirm_own_streams: bool,
}

impl Default for SyncTuning {
    fn default() -> Self {
        SyncTuning {
            heartbeat_secs: 5,
            dead_after_secs: 20,
            backoff_min_ms: 200,
            backoff_max_secs: 30,
            max_concurrent_catchups: 8,
            confirm_own_streams: false,
        }
    }
}

impl SyncTuning {
    /// The engine configuration these settings give.
    pub fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            heartbeat: Duration::from_secs(self.heartbeat_secs.max(1)),
            dead_after: Duration::from_secs(self.dead_after_secs.max(2)),
            backoff_min: Duration::from_millis(self.backoff_min_ms.max(10)),
            backoff_max: Duration::from_secs(self.backoff_max_secs.max(1)),
            max_concurrent_catchups: self.max_concurrent_catchups.max(1),
            version: crate::VERSION.to_string(),
            confirm_own_streams: self.confirm_own_streams,
            ..EngineConfig::default()
        }
    }
}

impl NodeConfig {
    /// Reads `path`, resolving relative paths against its directory.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| NodeError::config(format!("无法读取 {}：{e}", path.display())))?;
        let mut cfg: NodeConfig =
            toml::from_str(&text).map_err(|e| NodeError::config(format!("{} 格式错误：{e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        cfg.resolve(base);
        Ok(cfg)
    }

    /// Makes every relative path absolute against `base`.
    pub fn resolve(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.data_dir);
        fix(&mut self.tls.root);
        fix(&mut self.tls.cert);
        fix(&mut self.tls.key);
        if let Some(ca) = self.ca_dir.as_mut() {
            fix(ca);
        }
        if let Some(t) = self.oversight.topology.as_mut() {
            fix(t);
        }
    }

    /// Writes the configuration as TOML.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = toml::to_string_pretty(self).map_err(|e| NodeError::config(e.to_string()))?;
        std::fs::write(path, text).map_err(|e| NodeError::config(format!("无法写入 {}：{e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example configurations under deploy/ stay loadable as the
    /// configuration grows.
    #[test]
    fn deploy_examples_load() {
        let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
        for f in [
            "node.example.toml",
            "prefecture.example.toml",
            "region.example.toml",
            "compose/region.toml",
            "compose/chengguan.toml",
        ] {
            let cfg = NodeConfig::load(&deploy.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
            assert!(cfg.metrics.is_some(), "{f} shows the [metrics] section");
        }
    }
}

#[cfg(test)]
mod store_section {
    use super::*;
    use crate::store::engine::EngineKind;

    fn with_store(section: &str) -> std::result::Result<NodeConfig, toml::de::Error> {
        let text = include_str!("../../deploy/node.example.toml");
        toml::from_str(&format!("{text}\n[store]\n{section}\n"))
    }

    #[test]
    fn the_engine_follows_the_data_directory_unless_the_store_section_names_one() {
        let text = include_str!("../../deploy/node.example.toml");
        let cfg: NodeConfig = toml::from_str(text).expect("example parses");
        assert_eq!(cfg.store.engine, None, "unset: the directory's engine, the default for a new one");
        assert_eq!(EngineKind::default(), EngineKind::Redb, "redb is the default, chosen by measurement (issue 10)");
        assert_eq!(with_store("engine = \"redb\"").unwrap().store.engine, Some(EngineKind::Redb));
        assert_eq!(with_store("engine = \"sled\"").unwrap().store.engine, Some(EngineKind::Sled));
        let err = with_store("engine = \"lmdb\"").unwrap_err().to_string();
        assert!(err.contains("lmdb") && err.contains("sled") && err.contains("redb"), "{err}");
    }
}

#[cfg(test)]
mod ipam_section {
    use super::*;

    #[test]
    fn the_example_config_parses_with_its_ipam_section() {
        let text = include_str!("../../deploy/node.example.toml");
        let cfg: NodeConfig = toml::from_str(text).expect("example parses");
        assert_eq!(cfg.ipam.policy, crate::domain::ipam::Policy::default(), "example states the defaults");
        let text = text.replace("# roots = [", "roots = [");
        let cfg: NodeConfig = toml::from_str(&text).expect("with roots");
        assert_eq!(cfg.ipam.roots, vec!["2408:8000::/32".parse::<ipnet::IpNet>().unwrap()]);
    }
}
