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

    /// The fault service.
    pub fn faults(&self) -> extranet_proto::v1::faults_client::FaultsClient<Channel> {
        extranet_proto::v1::faults_client::FaultsClient::new(self.channel.clone())
    }

    /// The approval service for major adjustments.
    pub fn approvals(&self) -> extranet_proto::v1::approvals_client::ApprovalsClient<Channel> {
        extranet_proto::v1::approvals_client::ApprovalsClient::new(self.channel.clone())
    }

    /// The annual-evaluation service.
    pub fn evaluations(&self) -> extranet_proto::v1::evaluations_client::EvaluationsClient<Channel> {
        extranet_proto::v1::evaluations_client::EvaluationsClient::new(self.channel.clone())
    }

    /// The maintenance-interruption service.
    pub fn interruptions(&self) -> extranet_proto::v1::interruptions_client::InterruptionsClient<Channel> {
        extranet_proto::v1::interruptions_client::InterruptionsClient::new(self.channel.clone())
    }

    /// The supervision inspection service (Art.28).
    pub fn inspections(&self) -> extranet_proto::v1::inspections_client::InspectionsClient<Channel> {
        extranet_proto::v1::inspections_client::InspectionsClient::new(self.channel.clone())
    }

    /// The disconnection and rectification order service.
    pub fn orders(&self) -> extranet_proto::v1::orders_client::OrdersClient<Channel> {
        extranet_proto::v1::orders_client::OrdersClient::new(self.channel.clone())
    }

    /// The `Incidents` service (Art.26(1)).
    pub fn incidents(&self) -> extranet_proto::v1::incidents_client::IncidentsClient<Channel> {
        extranet_proto::v1::incidents_client::IncidentsClient::new(self.channel.clone())
    }

    /// The `Assets` service (Art.14, Art.17, Art.18, Art.20).
    pub fn assets(&self) -> extranet_proto::v1::assets_client::AssetsClient<Channel> {
        extranet_proto::v1::assets_client::AssetsClient::new(self.channel.clone())
    }

    /// The `PrivateNetworks` service (Art.5, Art.9, Art.10).
    pub fn private_networks(&self) -> extranet_proto::v1::private_networks_client::PrivateNetworksClient<Channel> {
        extranet_proto::v1::private_networks_client::PrivateNetworksClient::new(self.channel.clone())
    }

    /// The `Circulars` service (Art.28, Art.29).
    pub fn circulars(&self) -> extranet_proto::v1::circulars_client::CircularsClient<Channel> {
        extranet_proto::v1::circulars_client::CircularsClient::new(self.channel.clone())
    }

    /// The web console's sign-in service.
    pub fn console(&self) -> extranet_proto::v1::console_client::ConsoleClient<Channel> {
        extranet_proto::v1::console_client::ConsoleClient::new(self.channel.clone())
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

/// A write request that carries an idempotency key (`request_id = 30`).
pub trait WriteRequest: Clone {
    /// The request with its `request_id` set to `id`.
    fn with_request_id(self, id: &str) -> Self;
}

macro_rules! write_requests {
    ($($t:ident),* $(,)?) => {$(
        impl WriteRequest for extranet_proto::v1::$t {
            fn with_request_id(mut self, id: &str) -> Self {
                self.request_id = id.to_string();
                self
            }
        }
    )*};
}

write_requests!(
    FileCutoverRequest,
    ReportFaultRequest,
    ActOnFaultRequest,
    RequestInterruptionRequest,
    FileEvaluationRequest,
    ApplyForApprovalRequest,
    DecideApprovalRequest,
    ActOnInterruptionRequest,
    IssueOrderRequest,
    ActOnOrderRequest,
    ReportIncidentRequest,
    RecordDepartmentReportRequest,
    ReportUpRequest,
    CloseIncidentRequest,
    RegisterPrivateNetworkRequest,
    UpdatePrivateNetworkRequest,
    IssueCircularRequest,
    RecordInspectionRequest,
    RespondToFindingRequest,
    ReviewFindingRequest,
    UpdateUnitRequest,
    FileLaunchRequest,
    FileSystemChangeRequest,
    RequestSystemAddressesRequest,
    RegisterDeviceRequest,
    ChangeDeviceRequest,
    RecordViolationRequest,
    ReclaimDeviceRequest,
    RecordRoomRequest,
    DecideSystemRequestRequest,
    FileAnnualReportRequest,
    RegisterUnitRequest,
    SetUnitStatusRequest,
    SubmitRequest,
    ReviewRequest,
    ApproveRequest,
    RejectRequest,
    ImplementRequest,
    WithdrawRequest,
    PublishCalendarRequest,
    PublishLocalCalendarRequest,
    RevokeRequest,
    AddRootRequest,
    ReserveRequest,
    UnreserveRequest,
    DelegateRequest,
    AssignRequest,
    FreeRequest,
    ReclaimAssigneeRequest,
    ReclaimDelegationRequest,
    RequestSpaceRequest,
    DecideRequest,
);

/// A fresh request id for one write operation: 128 random bits in hex.
pub fn new_request_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// How often, and how patiently, a write is retried while the node is
/// unavailable.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The wait before the first retry; doubled before each next one.
    pub first_delay: std::time::Duration,
}

impl Default for Backoff {
    /// 5 tries over 7.5 s of waiting (0.5 + 1 + 2 + 4 s).
    fn default() -> Self {
        Backoff { attempts: 5, first_delay: std::time::Duration::from_millis(500) }
    }
}

/// Runs one write operation: `call` with `req` under one fresh request id,
/// retried with the *same* id while it answers `UNAVAILABLE` (the node may
/// have recorded a call whose answer was lost; the id makes the retry return
/// that result instead of writing twice). Any other answer ends it. Says so
/// on stderr before each retry.
pub async fn with_retry<R: WriteRequest, T>(
    req: R,
    backoff: Backoff,
    call: impl AsyncFn(R) -> std::result::Result<T, tonic::Status>,
) -> std::result::Result<T, tonic::Status> {
    let req = req.with_request_id(&new_request_id());
    let mut delay = backoff.first_delay;
    let mut attempt = 1;
    loop {
        match call(req.clone()).await {
            Err(s) if s.code() == tonic::Code::Unavailable && attempt < backoff.attempts => {
                attempt += 1;
                eprintln!(
                    "节点暂时不可用（{}），{:.1} 秒后以同一请求编号重试（第 {attempt}/{} 次）……",
                    s.message(),
                    delay.as_secs_f32(),
                    backoff.attempts
                );
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use extranet_proto::v1 as pb;
    use tonic::{Code, Status};

    use super::{Backoff, with_retry};

    const QUICK: Backoff = Backoff { attempts: 5, first_delay: Duration::from_millis(1) };

    /// Calls `with_retry` with a server that answers `answers` in turn;
    /// returns the outcome and the request ids it saw.
    async fn run(answers: Vec<Result<(), Code>>) -> (Result<(), Status>, Vec<String>) {
        let seen = Mutex::new(Vec::new());
        let answers = Mutex::new(answers.into_iter());
        let out = with_retry(pb::ReviewRequest { id: "a".into(), ..Default::default() }, QUICK, async |r| {
            seen.lock().unwrap().push(r.request_id);
            answers.lock().unwrap().next().expect("called too often").map_err(|c| Status::new(c, "x"))
        })
        .await;
        (out, seen.into_inner().unwrap())
    }

    #[tokio::test]
    async fn unavailable_is_retried_with_the_same_request_id() {
        let (out, seen) = run(vec![Err(Code::Unavailable), Err(Code::Unavailable), Ok(())]).await;
        assert!(out.is_ok());
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].len(), 32, "a 128-bit hex id: {seen:?}");
        assert!(seen.iter().all(|id| id == &seen[0]), "one id for the whole operation: {seen:?}");
    }

    #[tokio::test]
    async fn other_codes_are_not_retried_and_retries_are_bounded() {
        let (out, seen) = run(vec![Err(Code::FailedPrecondition), Ok(())]).await;
        assert_eq!(out.unwrap_err().code(), Code::FailedPrecondition);
        assert_eq!(seen.len(), 1);
        let (out, seen) = run(vec![Err(Code::Unavailable); 6]).await;
        assert_eq!(out.unwrap_err().code(), Code::Unavailable);
        assert_eq!(seen.len(), 5);
    }

    #[tokio::test]
    async fn each_operation_gets_its_own_request_id() {
        let (_, a) = run(vec![Ok(())]).await;
        let (_, b) = run(vec![Ok(())]).await;
        assert_ne!(a, b);
    }
}
