//! Identity is the certificate: a node can speak only for itself and its
//! subtree, an operator only at its own node; foreign, revoked and
//! out-of-subtree certificates are refused.

use std::time::{Duration, Instant};

use extranet_certs::inspect::inspect_chain_pem;
use extranet_certs::{Identity, NodeId, TlsMaterial, transport};
use extranet_federation::{Channel, EventStore, StreamId};
use extranet_proto::v1 as pb;
use extranet_proto::v1::federation_client::FederationClient;
use extranet_tests::{Harness, PATIENCE, eventually, id};
use tokio_stream::StreamExt;
use tonic::Code;

fn read(p: std::path::PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The node TLS material of `n` as minted by the harness.
fn node_tls(h: &Harness, n: &NodeId) -> TlsMaterial {
    let dir = h.node(n).dir.join("tls");
    TlsMaterial::load(&dir.join("root.pem"), &dir.join("node.pem"), &dir.join("node.key")).expect("node tls")
}

fn hello(node: &NodeId) -> pb::SyncFrame {
    let hello = pb::Hello {
        node: node.to_string(),
        cursors: vec![],
        software_version: "test".into(),
        dead_after_ms: 0,
        skips: false,
    };
    pb::SyncFrame { frame: Some(pb::sync_frame::Frame::Hello(hello)) }
}

fn forged_up_event(origin: &NodeId) -> pb::SyncFrame {
    forged_up_event_of(origin, "filing.v1")
}

fn forged_up_event_of(origin: &NodeId, kind: &str) -> pb::SyncFrame {
    let e = pb::Envelope {
        origin: origin.to_string(),
        channel: pb::Channel::Up as i32,
        seq: 1,
        scope_kind: 0,
        scope: String::new(),
        kind: kind.into(),
        payload: vec![],
        created_at_ms: 1,
    };
    pb::SyncFrame { frame: Some(pb::sync_frame::Frame::Events(pb::EventBatch { events: vec![e], skips: vec![] })) }
}

/// How the TLS server of `n` judges the certificate chain of `tls`: `Ok` if
/// it lets us in, else the fatal alert it refused us with (e.g.
/// "received fatal alert: CertificateRevoked"). With TLS 1.3 the client
/// finishes its side of the handshake before the server has judged its
/// certificate, and a client that writes first may see only a broken pipe;
/// so this one writes nothing and reads: an HTTP/2 server speaks first (its
/// SETTINGS frame), a refusing one sends its alert. A transient failure
/// (nothing listening, a timeout) fails the test instead of passing for a
/// refusal.
async fn handshake_verdict(h: &Harness, tls: &TlsMaterial, n: &NodeId) -> Result<(), String> {
    use tokio::io::AsyncReadExt;
    let tcp = tokio::net::TcpStream::connect(&h.node(n).config.listen).await.expect("the node listens");
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(Identity::node(n.clone()).dns_name())
        .expect("a node identity is a TLS name");
    let connector = tokio_rustls::TlsConnector::from(tls.client_config());
    let mut stream = match tokio::time::timeout(PATIENCE, connector.connect(name, tcp)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Err(e.to_string()),
        Err(_) => panic!("the TLS handshake with {n} timed out"),
    };
    let mut first = [0u8; 9];
    match tokio::time::timeout(PATIENCE, stream.read(&mut first)).await {
        Ok(Ok(0)) => panic!("{n} closed the connection without a verdict"),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => panic!("{n} said nothing after the handshake"),
    }
}

/// Asserts that `n` refuses `tls` in the handshake with the TLS alert `alert`.
async fn assert_refused_in_handshake(h: &Harness, tls: &TlsMaterial, n: &NodeId, alert: &str) {
    let verdict = handshake_verdict(h, tls, n).await;
    let refused = verdict.as_ref().err().is_some_and(|e| e.contains(&format!("received fatal alert: {alert}")));
    assert!(refused, "{n} refuses the certificate with the alert {alert}: {verdict:?}");
}

async fn sync_as(
    h: &Harness,
    tls: &TlsMaterial,
    parent: &NodeId,
    hello: pb::SyncFrame,
    then: Vec<pb::SyncFrame>,
) -> Option<tonic::Status> {
    let addr = &h.node(parent).config.listen;
    let channel = match transport::connect(addr, &Identity::node(parent.clone()), tls).await {
        Ok(c) => c,
        // the connect error's text carries the TLS alert, if there was one
        Err(e) => return Some(tonic::Status::unavailable(e.to_string())),
    };
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tx.send(hello).await.ok()?;
    let mut inbound = match FederationClient::new(channel).sync(tokio_stream::wrappers::ReceiverStream::new(rx)).await {
        Ok(r) => r.into_inner(),
        Err(s) => return Some(s),
    };
    let mut then = Some(then);
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(1), inbound.next()).await {
            Ok(Some(Err(s))) => return Some(s),
            Ok(None) => return Some(tonic::Status::aborted("stream closed by server")),
            Ok(Some(Ok(_))) => {
                for f in then.take().unwrap_or_default() {
                    tx.send(f).await.ok()?;
                }
            }
            Err(_) => continue,
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_speaks_only_for_itself() -> anyhow::Result<()> {
    let mut h = Harness::four().await?;
    let (pref, a, b) = (h.prefecture(), h.county_a(), h.county_b());
    h.fed.stop(&a).await?;
    let tls_a = node_tls(&h, &a);

    let refused = sync_as(&h, &tls_a, &pref, hello(&b), vec![]).await.expect("refused");
    assert_eq!(refused.code(), Code::PermissionDenied, "a sync stream claiming another county: {refused:?}");

    let refused = sync_as(&h, &tls_a, &pref, hello(&a), vec![forged_up_event(&b)]).await.expect("refused");
    assert_eq!(refused.code(), Code::PermissionDenied, "an event from outside the sender's subtree: {refused:?}");
    let b_stream = StreamId { origin: b.clone(), channel: Channel::Up };
    assert!(h.running(&pref).store.read(&b_stream, 0, 10)?.is_empty(), "the forged event was not stored");

    // county A's operator cannot use the prefecture's operator services
    let op_a = h.node(&a).operator().load()?;
    let pref_addr = h.node(&pref).config.listen.clone();
    let ch = transport::connect(&pref_addr, &Identity::node(pref.clone()), &op_a).await?;
    let err = extranet_proto::v1::node_status_client::NodeStatusClient::new(ch)
        .get_status(pb::GetStatusRequest {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    // nor can a node certificate call operator services
    let ch = transport::connect(&pref_addr, &Identity::node(pref.clone()), &tls_a).await?;
    let err = extranet_proto::v1::filings_client::FilingsClient::new(ch)
        .list_filings(pb::ListFilingsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    h.shutdown().await;
    Ok(())
}

/// A county cannot forge the region's approval of a major adjustment (Art.21): an
/// `approval.v1` event claiming origin 540000 sent up from the county is refused and
/// not kept (a decision above the sender inside a county's own event is dropped too:
/// `replicate/approval.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_cannot_forge_the_regions_approval() -> anyhow::Result<()> {
    let mut h = Harness::four().await?;
    let (region, pref, a) = (h.region(), h.prefecture(), h.county_a());
    h.fed.stop(&a).await?;
    let tls_a = node_tls(&h, &a);
    let forged = forged_up_event_of(&region, "approval.v1");
    let refused = sync_as(&h, &tls_a, &pref, hello(&a), vec![forged]).await.expect("refused");
    assert_eq!(refused.code(), Code::PermissionDenied, "an event claiming the region's origin: {refused:?}");
    let stream = StreamId { origin: region.clone(), channel: Channel::Up };
    assert!(h.running(&pref).store.read(&stream, 0, 10)?.is_empty(), "the forged event was not stored");
    assert!(h.running(&pref).store.approvals()?.is_empty());
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_a_foreign_ca_is_refused() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let other = Harness::created(extranet_tests::FOUR)?;
    let pref = h.prefecture();
    let ours = h.node(&pref).dir.join("tls/root.pem");
    let theirs = other.node(&h.county_a()).dir.join("tls");
    // trusts our root (so the server checks out) but presents a foreign chain
    let foreign = TlsMaterial::from_pem(&read(ours), &read(theirs.join("node.pem")), &read(theirs.join("node.key")))?;
    // the same client code with the county's own chain is let in
    let own = node_tls(&h, &h.county_a());
    assert_eq!(handshake_verdict(&h, &own, &pref).await, Ok(()), "the genuine county's chain is accepted");
    // the foreign chain names an issuer like ours (same division, same
    // name), so the server checks its signature against our CA's key: it fails
    assert_refused_in_handshake(&h, &foreign, &pref, "DecryptError").await;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_certificate_is_refused_down_the_tree() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (pref, b) = (h.prefecture(), h.county_b());
    let op_b = h.node(&b).operator();
    let serial = inspect_chain_pem(&read(op_b.path().join("operator.pem")))?[0].serial.clone();
    // county B's operator works before revocation, in the handshake too
    h.fed.client(&b).await?.status().get_status(pb::GetStatusRequest {}).await?;
    let op_b_tls = op_b.load()?;
    assert_eq!(handshake_verdict(&h, &op_b_tls, &b).await, Ok(()), "accepted before the revocation");

    let r = h.revoke(&pref, serial, "测试：设备丢失").await?;
    assert_eq!(r.revoked_count, 1);

    // the prefecture's revocation list travels down to county B, which then
    // refuses the certificate in the handshake
    eventually("county B to refuse the revoked operator certificate", PATIENCE, async || {
        let verdict = handshake_verdict(&h, &op_b_tls, &b).await;
        Ok((verdict.is_err(), verdict.err()))
    })
    .await?;
    assert_refused_in_handshake(&h, &op_b_tls, &b, "CertificateRevoked").await;
    // and an RPC on a fresh connection fails (no service answers it)
    let rpc = match h.fed.client(&b).await {
        Ok(c) => c.status().get_status(pb::GetStatusRequest {}).await.map(|_| ()),
        Err(e) => Err(tonic::Status::unavailable(e.to_string())),
    };
    assert!(rpc.is_err(), "the revoked operator is refused: {rpc:?}");
    // county A's operator is unaffected
    h.fed.client(&h.county_a()).await?.status().get_status(pb::GetStatusRequest {}).await?;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefecture_cannot_mint_for_another_prefectures_county() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", "540000/540100/540102", "540000/540200"]).await?;
    let shigatse = id("540000/540200");
    let victim = id("540000/540200/540202");
    // Lhasa's CA, used directly (bypassing its own subtree check) to mint a Shigatse county
    let ca_dir = h.node(&h.prefecture()).dir.join("ca");
    let ca_pem = read(ca_dir.join("ca.pem"));
    let first = ca_pem.split_inclusive("-----END CERTIFICATE-----\n").next().unwrap_or(&ca_pem).to_string();
    let issuer = rcgen::Issuer::from_ca_cert_pem(&first, rcgen::KeyPair::from_pem(&read(ca_dir.join("ca.key")))?)?;
    let key = rcgen::KeyPair::generate()?;
    let mut params = rcgen::CertificateParams::new(vec![Identity::node(victim.clone()).dns_name()])?;
    params.extended_key_usages =
        vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth, rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let forged = params.signed_by(&key, &issuer)?;
    let chain = format!("{}{}", forged.pem(), first);
    let root = read(h.node(&shigatse).dir.join("tls/root.pem"));
    // the forged chain loads (its structure is fine), so the server is the one that must refuse it
    let tls = TlsMaterial::from_pem(&root, &chain, &key.serialize_pem())?;
    let genuine = node_tls(&h, &id("540000/540100/540102"));
    assert_eq!(handshake_verdict(&h, &genuine, &shigatse).await, Ok(()), "a genuine node certificate is accepted");
    // webpki's name-constraint violation reaches the peer as CertificateUnknown
    assert_refused_in_handshake(&h, &tls, &shigatse, "CertificateUnknown").await;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_node_is_cut_off_even_on_an_open_stream() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (pref, b) = (h.prefecture(), h.county_b());
    let connected = |h: &Harness| -> anyhow::Result<bool> {
        Ok(h.running(&pref).engine.status()?.children.iter().any(|c| c.node == b && c.connected))
    };
    eventually("county B to connect", PATIENCE, async || Ok((connected(&h)?, ()))).await?;
    let serial = inspect_chain_pem(&read(h.node(&b).dir.join("tls/node.pem")))?[0].serial.clone();
    h.revoke(&pref, serial, "测试：节点失窃").await?;

    // the open stream is cut and every redial is refused at the handshake
    eventually("the revoked county's stream to close", PATIENCE, async || Ok((!connected(&h)?, ()))).await?;
    let f = h.file_cutover(&b, extranet_tests::valid_cutover()).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!connected(&h)?, "the revoked county got back in");
    assert!(h.running(&pref).store.filing(&f.id)?.is_none(), "nothing from the revoked county was accepted");
    // the other county is back and still syncing
    let ok = h.file_cutover(&h.county_a(), extranet_tests::valid_cutover()).await?;
    h.wait_filing(&h.region(), &ok.id, 1).await?;
    h.shutdown().await;
    Ok(())
}
