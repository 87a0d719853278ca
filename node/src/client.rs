//! An operator's connection to a node: the CLI, the demo and the tests all
//! talk to nodes through this, over mTLS with an operator or access-unit certificate.

use std::path::{Path, PathBuf};

use extranet_certs::{Identity, NodeId, TlsMaterial, transport};
use extranet_proto::v1::access_client::AccessClient;
use extranet_proto::v1::calendar_client::CalendarClient;
use extranet_proto::v1::filings_client::FilingsClient;
use extranet_proto::v1::node_status_client::NodeStatusClient;
use extranet_proto::v1::pki_client::PkiClient;
use extranet_proto::v1::units_client::UnitsClient;
use tonic::transport::Channel;

use crate::error::Result;

/// File names inside an operator credential directory.
pub const ROOT_FILE: &str = "root.pem";
/// The operator's certificate chain.
pub const CERT_FILE: &str = "operator.pem";
/// The operator's private key.
pub const KEY_FILE: &str = "operator.key";

/// An access unit's certificate chain, in a unit's credential directory.
pub const UNIT_CERT_FILE: &str = "unit.pem";
/// An access unit's private key.
pub const UNIT_KEY_FILE: &str = "unit.key";

/// Where an operator's credentials live: `root.pem`, `operator.pem`,
/// `operator.key` in one directory — or, for an access unit, `root.pem`,
/// `unit.pem`, `unit.key`.
#[derive(Clone, Debug)]
pub struct CredentialDir(pub PathBuf);

impl CredentialDir {
    /// Loads the TLS material of the credentials (the operator's if present,
    /// else the unit's).
    pub fn load(&self) -> Result<TlsMaterial> {
        let d = &self.0;
        let (cert, key) = if d.join(CERT_FILE).exists() || !d.join(UNIT_CERT_FILE).exists() {
            (CERT_FILE, KEY_FILE)
        } else {
            (UNIT_CERT_FILE, UNIT_KEY_FILE)
        };
        Ok(TlsMaterial::load(&d.join(ROOT_FILE), &d.join(cert), &d.join(key))?)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

/// A connection to one node as one of its operators.
#[derive(Clone)]
pub struct Client {
    channel: Channel,
    node: NodeId,
}

impl Client {
    /// Connects to `endpoint` (`host:port`) with the operator credentials in
    /// `creds`, checking the server is the node the certificate is bound to.
    pub async fn connect(endpoint: &str, creds: &CredentialDir) -> Result<Self> {
        let tls = creds.load()?;
        Self::connect_with(endpoint, &tls).await
    }

    /// Like [`Client::connect`], with credentials already loaded.
    pub async fn connect_with(endpoint: &str, tls: &TlsMaterial) -> Result<Self> {
        let node = tls.identity().node.clone();
        let channel = transport::connect(endpoint, &Identity::node(node.clone()), tls).await?;
        Ok(Client { channel, node })
    }

    /// The node this client talks to.
    pub fn node(&self) -> &NodeId {
        &self.node
    }

    /// The filing service.
    pub fn filings(&self) -> FilingsClient<Channel> {
        FilingsClient::new(self.channel.clone())
    }

    /// The calendar service.
    pub fn calendar(&self) -> CalendarClient<Channel> {
        CalendarClient::new(self.channel.clone())
    }

    /// The unit registry.
    pub fn units(&self) -> UnitsClient<Channel> {
        UnitsClient::new(self.channel.clone())
    }

    /// The access-application service.
    pub fn access(&self) -> AccessClient<Channel> {
        AccessClient::new(self.channel.clone())
    }

    /// The status service.
    pub fn status(&self) -> NodeStatusClient<Channel> {
        NodeStatusClient::new(self.channel.clone())
    }

    /// The oversight service.
    pub fn oversight(&self) -> extranet_proto::v1::oversight_client::OversightClient<Channel> {
        extranet_proto::v1::oversight_client::OversightClient::new(self.channel.clone())
    }

    /// The PKI service.
    pub fn pki(&self) -> PkiClient<Channel> {
        PkiClient::new(self.channel.clone())
    }

    /// The address-management service.
    pub fn ipam(&self) -> extranet_proto::v1::ipam_client::IpamClient<Channel> {
        extranet_proto::v1::ipam_client::IpamClient::new(self.channel.clone())
    }

    /// The raw channel, for generic clients (health, reflection).
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }
}
