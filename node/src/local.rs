//! A federation on one machine: mints a fresh PKI for a tree of nodes in a
//! directory, writes each node's config, and starts, stops and restarts the
//! nodes in-process on loopback. The demo and the whole-federation tests
//! are built on it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use extranet_certs::csr::{request_ca, request_leaf, write_private_key};
use extranet_certs::{CertificateAuthority, Identity, IssueKind, NodeId};

use crate::client::{self, Client, CredentialDir};
use crate::config::{NodeConfig, OversightConfig, SyncTuning, TlsPaths};
use crate::error::{NodeError, Result};
use crate::server::{self, RunningNode};
use crate::topology::Topology;

/// Login name of the operator minted for every node.
pub const OPERATOR: &str = "operator";

/// One node of a local federation.
pub struct LocalNode {
    /// Its identity.
    pub id: NodeId,
    /// Its folder: `node.toml`, `data/`, `tls/`, `operator/`, maybe `ca/`.
    pub dir: PathBuf,
    /// Its configuration (listen holds the real port after the first start).
    pub config: NodeConfig,
    /// The node while it runs.
    pub running: Option<RunningNode>,
}

impl LocalNode {
    /// Path of its `node.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.dir.join("node.toml")
    }

    /// Its operator's credentials.
    pub fn operator(&self) -> CredentialDir {
        CredentialDir(self.dir.join("operator"))
    }
}

/// A tree of nodes with their PKI, on loopback.
pub struct LocalFederation {
    /// Where everything lives.
    pub root: PathBuf,
    nodes: BTreeMap<NodeId, LocalNode>,
    topologies: Topologies,
}

/// The topologies the nodes of this process read, parsed once each: a
/// national tree (3,442 nodes in one process) would otherwise parse its
/// file once per node and hold a copy per node, about 1 MiB each. A file
/// whose text changed is parsed afresh.
#[derive(Default)]
struct Topologies(std::sync::Mutex<BTreeMap<Option<String>, Arc<Topology>>>);

impl Topologies {
    /// The topology `cfg` names, shared with every node naming the same text.
    fn get(&self, cfg: &OversightConfig) -> Result<Arc<Topology>> {
        let text = cfg.topology_text()?;
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = held.get(&text) {
            return Ok(Arc::clone(t));
        }
        let topology = cfg.topology()?;
        held.insert(text, Arc::clone(&topology));
        Ok(topology)
    }
}

impl LocalFederation {
    /// Mints a PKI and configs for `ids` (parents before children, the first
    /// being the top) under `root`, with link tuning `sync`.
    pub fn create(root: &Path, ids: &[NodeId], sync: SyncTuning) -> Result<Self> {
        let top = ids.first().ok_or_else(|| NodeError::config("至少需要一个节点"))?;
        let mut cas: BTreeMap<NodeId, CertificateAuthority> = BTreeMap::new();
        cas.insert(top.clone(), CertificateAuthority::create_root(top)?);
        let mut nodes = BTreeMap::new();
        // a set, not a scan of every id per id: a national tree has 3,442
        let parents: std::collections::HashSet<NodeId> = ids.iter().filter_map(NodeId::parent).collect();
        for id in ids {
            let dir = root.join(id.code());
            if id != top && parents.contains(id) {
                let issuer = issuer_of(&cas, id)?;
                let req = request_ca(id)?;
                let issued = issuer.sign(&req.csr_pem, IssueKind::IntermediateCa)?;
                let ca = CertificateAuthority::from_issued(&req.key_pem, &issued.chain_pem, &issuer.root_pem())?;
                cas.insert(id.clone(), ca);
            }
            let issuer = cas.get(id).map(Ok).unwrap_or_else(|| issuer_of(&cas, id))?;
            if let Some(ca) = cas.get(id) {
                ca.save(&dir.join("ca"))?;
            }
            mint_leaf(issuer, &Identity::node(id.clone()), IssueKind::Node, &dir.join("tls"), "node")?;
            mint_leaf(
                issuer,
                &Identity::operator(id.clone(), OPERATOR)?,
                IssueKind::Operator,
                &dir.join("operator"),
                "operator",
            )?;
            let config = node_config(id, &dir, cas.contains_key(id), sync.clone());
            config.save(&dir.join("node.toml"))?;
            nodes.insert(id.clone(), LocalNode { id: id.clone(), dir, config, running: None });
        }
        Ok(LocalFederation { root: root.to_path_buf(), nodes, topologies: Topologies::default() })
    }

    /// Starts every node that is not running, parents first.
    pub async fn start_all(&mut self) -> Result<()> {
        let ids: Vec<NodeId> = self.nodes.keys().cloned().collect();
        let mut ordered = ids.clone();
        ordered.sort_by_key(|i| i.depth());
        for id in ordered {
            if self.nodes[&id].running.is_none() {
                self.start(&id).await?;
            }
        }
        Ok(())
    }

    /// Starts one node on its data directory (keeping its port once it has one).
    pub async fn start(&mut self, id: &NodeId) -> Result<()> {
        let parent_addr = id.parent().and_then(|p| self.nodes.get(&p)).map(|p| p.config.listen.clone());
        let topology = self.topology(id)?;
        let node = self.node_mut(id)?;
        node.config.parent = parent_addr;
        let running = server::start_with(&node.config, topology).await?;
        node.config.listen = running.addr.to_string();
        // the console keeps its port across restarts too (open browsers
        // and printed links stay valid)
        if let (Some(c), Some(a)) = (node.config.console.as_mut(), running.console_addr) {
            c.listen = a.to_string();
        }
        node.config.save(&node.config_path())?;
        node.running = Some(running);
        Ok(())
    }

    /// The topology node `id` reads, parsed once for every node naming the
    /// same text.
    pub fn topology(&self, id: &NodeId) -> Result<Arc<Topology>> {
        self.topologies.get(&self.node(id)?.config.oversight)
    }

    /// Changes every node's configuration (e.g. shorter oversight
    /// intervals for tests and the demo) and saves it; takes effect at each
    /// node's next start.
    pub fn configure(&mut self, f: impl Fn(&mut NodeConfig)) -> Result<()> {
        for node in self.nodes.values_mut() {
            f(&mut node.config);
            node.config.save(&node.dir.join("node.toml"))?;
        }
        Ok(())
    }

    /// Turns the web console on for node `id` (a free loopback port, kept
    /// once chosen); takes effect at its next start.
    pub fn enable_console(&mut self, id: &NodeId) -> Result<()> {
        let node = self.node_mut(id)?;
        node.config.console = Some(crate::config::ConsoleConfig::on("127.0.0.1:0"));
        node.config.save(&node.config_path())
    }

    /// The address of node `id`'s web console, `https://127.0.0.1:port`,
    /// once it runs with one.
    pub fn console_url(&self, id: &NodeId) -> Result<String> {
        let node = self.node(id)?;
        let addr = node
            .running
            .as_ref()
            .and_then(|r| r.console_addr)
            .ok_or_else(|| NodeError::precondition(format!("节点 {id} 未运行或未启用控制台")))?;
        Ok(format!("https://{addr}"))
    }

    /// Stops one node cleanly (its data stays).
    pub async fn stop(&mut self, id: &NodeId) -> Result<()> {
        if let Some(r) = self.node_mut(id)?.running.take() {
            r.shutdown().await;
        }
        Ok(())
    }

    /// Stops every node, children first.
    pub async fn shutdown(&mut self) {
        let mut ids: Vec<NodeId> = self.nodes.keys().cloned().collect();
        ids.sort_by_key(|i| std::cmp::Reverse(i.depth()));
        for id in ids {
            let _ = self.stop(&id).await;
        }
    }

    /// One node.
    pub fn node(&self, id: &NodeId) -> Result<&LocalNode> {
        self.nodes.get(id).ok_or_else(|| NodeError::NotFound(format!("本地联邦中没有节点 {id}")))
    }

    fn node_mut(&mut self, id: &NodeId) -> Result<&mut LocalNode> {
        self.nodes.get_mut(id).ok_or_else(|| NodeError::NotFound(format!("本地联邦中没有节点 {id}")))
    }

    /// Every node, in path order.
    pub fn nodes(&self) -> impl Iterator<Item = &LocalNode> {
        self.nodes.values()
    }

    /// Mints a certificate for access unit `unit` registered at node `id`,
    /// signed by the nearest CA at or above the node, into
    /// `<node dir>/unit-<unit>/` (`root.pem`, `unit.pem`, `unit.key`).
    pub fn mint_unit(&self, id: &NodeId, unit: &str) -> Result<CredentialDir> {
        let node = self.node(id)?;
        let ca_dir = std::iter::once(id.clone())
            .chain(id.ancestors())
            .find_map(|n| self.nodes.get(&n).and_then(|n| n.config.ca_dir.clone()))
            .ok_or_else(|| NodeError::config(format!("节点 {id} 及其上级都没有 CA")))?;
        let ca = CertificateAuthority::load(&ca_dir)?;
        let dir = node.dir.join(format!("unit-{unit}"));
        mint_leaf(&ca, &Identity::unit(id.clone(), unit)?, IssueKind::Unit, &dir, "unit")?;
        Ok(CredentialDir(dir))
    }

    /// A client for a running node, as access unit `unit` (minting its
    /// certificate on first use).
    pub async fn unit_client(&self, id: &NodeId, unit: &str) -> Result<Client> {
        let node = self.node(id)?;
        let dir = node.dir.join(format!("unit-{unit}"));
        let creds = if dir.exists() { CredentialDir(dir) } else { self.mint_unit(id, unit)? };
        Client::connect(&node.config.listen, &creds).await
    }

    /// A client for a running node, as its operator.
    pub async fn client(&self, id: &NodeId) -> Result<Client> {
        let node = self.node(id)?;
        Client::connect(&node.config.listen, &node.operator()).await
    }
}

fn issuer_of<'a>(cas: &'a BTreeMap<NodeId, CertificateAuthority>, id: &NodeId) -> Result<&'a CertificateAuthority> {
    id.ancestors().iter().find_map(|a| cas.get(a)).ok_or_else(|| NodeError::config(format!("节点 {id} 没有上级 CA")))
}

fn mint_leaf(ca: &CertificateAuthority, who: &Identity, kind: IssueKind, dir: &Path, stem: &str) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| NodeError::config(format!("无法创建 {}：{e}", dir.display())))?;
    let req = request_leaf(who)?;
    let issued = ca.sign(&req.csr_pem, kind)?;
    write_private_key(&dir.join(format!("{stem}.key")), &req.key_pem)?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).map_err(|e| NodeError::config(format!("无法写入 {name}：{e}")))
    };
    write(&format!("{stem}.pem"), &issued.chain_pem)?;
    write(client::ROOT_FILE, &ca.root_pem())
}

fn node_config(id: &NodeId, dir: &Path, holds_ca: bool, sync: SyncTuning) -> NodeConfig {
    NodeConfig {
        node: id.clone(),
        listen: "127.0.0.1:0".into(),
        parent: None,
        data_dir: dir.join("data"),
        tls: TlsPaths { root: dir.join("tls/root.pem"), cert: dir.join("tls/node.pem"), key: dir.join("tls/node.key") },
        ca_dir: holds_ca.then(|| dir.join("ca")),
        sync,
        oversight: Default::default(),
        metrics: None,
        console: None,
        ipam: Default::default(),
        // Many nodes share this process: a stalled store is reported, not
        // answered by exiting (which would stop every node).
        store: crate::store::StoreConfig { restart: crate::store::SelfRestart::Report, ..Default::default() },
    }
}

#[cfg(test)]
mod topologies {
    use super::*;

    /// Nodes of one process naming the same file share one parsed
    /// topology; a changed file is parsed afresh.
    #[test]
    fn nodes_reading_the_same_topology_share_one_copy() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.tsv");
        let one = "100000\tnation\t全国\tNation\t\n540000\tregion\t西藏自治区\tXizang\t100000\n";
        std::fs::write(&file, one).unwrap();
        let (cache, cfg) =
            (Topologies::default(), OversightConfig { topology: Some(file.clone()), ..Default::default() });
        let (a, b) = (cache.get(&cfg).unwrap(), cache.get(&cfg).unwrap());
        assert!(Arc::ptr_eq(&a, &b), "one copy for both");
        std::fs::write(&file, format!("{one}540100\tprefecture\t拉萨市\tLhasa\t540000\n")).unwrap();
        let c = cache.get(&cfg).unwrap();
        assert_eq!((a.divisions().len(), c.divisions().len()), (2, 3), "the changed file is read");
        let none = OversightConfig::default();
        assert!(Arc::ptr_eq(&cache.get(&none).unwrap(), &cache.get(&none).unwrap()));
        assert_eq!(cache.get(&none).unwrap().divisions().len(), 82);
    }
}
