//! Real mutual-TLS handshakes on loopback through `bind`/`TlsIncoming`.

mod common;

use std::time::Duration;

use common::{county_node, enrol, pki, pref_node};
use extranet_certs::{
    CertificateAuthority, Identity, IssueKind, TlsConn, TlsIncoming, TlsMaterial, bind, request_leaf,
};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_stream::StreamExt;

/// Dials `addr` as `client`, expecting the server to be `expect`; writes a
/// byte and waits for the echo. Errors if any step fails.
async fn dial(addr: std::net::SocketAddr, client: &TlsMaterial, expect: Identity) -> std::io::Result<()> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from(expect.dns_name()).expect("dns name");
    let mut tls = TlsConnector::from(client.client_config()).connect(name, tcp).await?;
    tls.write_all(b"x").await?;
    let mut buf = [0u8; 1];
    tls.read_exact(&mut buf).await?;
    Ok(())
}

/// Accepts one connection (if any arrives within a short while) and echoes.
async fn accept(incoming: &mut TlsIncoming) -> Option<TlsConn> {
    let mut conn = tokio::time::timeout(Duration::from_millis(700), incoming.next()).await.ok()??.ok()?;
    let mut buf = [0u8; 1];
    conn.read_exact(&mut buf).await.ok()?;
    conn.write_all(&buf).await.ok()?;
    Some(conn)
}

async fn serve(tls: &TlsMaterial) -> (std::net::SocketAddr, TlsIncoming) {
    bind("127.0.0.1:0".parse().unwrap(), tls.clone()).await.expect("bind")
}

#[tokio::test]
async fn handshake_carries_the_client_identity() {
    let p = pki();
    let (_, server) = enrol(&p.pref, &pref_node(), IssueKind::Node);
    let (county, client) = enrol(&p.pref, &county_node(), IssueKind::Node);
    let (addr, mut incoming) = serve(&server).await;
    assert_ne!(addr.port(), 0);

    let (dialed, conn) = tokio::join!(dial(addr, &client, pref_node()), accept(&mut incoming));
    dialed.expect("client side");
    let conn = conn.expect("server yielded the connection");
    let info = tonic::transport::server::Connected::connect_info(&conn);
    assert_eq!(info.peer, Some(county_node()));
    assert_eq!(info.peer_serial.as_deref(), Some(county.serial.as_str()));
    assert_eq!(info.remote_addr.map(|a| a.ip()), Some(addr.ip()));

    // an operator's CLI, certified by the same prefecture, gets in too
    let zhaxi = Identity::operator(county_node().node, "zhaxi").unwrap();
    let (_, cli) = enrol(&p.pref, &zhaxi, IssueKind::Operator);
    let (dialed, conn) = tokio::join!(dial(addr, &cli, pref_node()), accept(&mut incoming));
    dialed.expect("operator dial");
    assert_eq!(conn.expect("operator conn").info().peer, Some(zhaxi));
}

#[tokio::test]
async fn a_certificate_from_a_foreign_root_is_refused() {
    let p = pki();
    let (_, server) = enrol(&p.pref, &pref_node(), IssueKind::Node);
    let (addr, mut incoming) = serve(&server).await;
    // same division codes, different root: a look-alike federation. The
    // impostor trusts our root (so it accepts the server) and presents its
    // foreign chain: only the server's check can stop it.
    let stranger = CertificateAuthority::create_root(&common::node("540000")).unwrap();
    let req = request_leaf(&county_node()).unwrap();
    let foreign = stranger.sign(&req.csr_pem, IssueKind::Node).unwrap();
    let impostor = TlsMaterial::from_pem(&p.root.root_pem(), &foreign.chain_pem, &req.key_pem).unwrap();
    assert!(impostor.verify_own_chain().is_err());
    let (dialed, conn) = tokio::join!(dial(addr, &impostor, pref_node()), accept(&mut incoming));
    assert!(dialed.is_err(), "impostor must not complete an exchange");
    assert!(conn.is_none(), "server must not yield a failed handshake");

    // a slow client that never speaks does not block a good one
    let _idle = TcpStream::connect(addr).await.unwrap();
    let (_, good) = enrol(&p.pref, &county_node(), IssueKind::Node);
    let (dialed, conn) = tokio::join!(dial(addr, &good, pref_node()), accept(&mut incoming));
    dialed.expect("good client after a failed and an idle one");
    assert!(conn.is_some());
}

#[tokio::test]
async fn client_refuses_a_server_that_is_not_who_it_expected() {
    let p = pki();
    let (_, server) = enrol(&p.pref, &pref_node(), IssueKind::Node);
    let (_, client) = enrol(&p.pref, &county_node(), IssueKind::Node);
    let (addr, mut incoming) = serve(&server).await;
    let other = Identity::node(common::node("540000/540100/540103"));
    let (dialed, conn) = tokio::join!(dial(addr, &client, other.clone()), accept(&mut incoming));
    assert!(dialed.is_err());
    assert!(conn.is_none());
}

#[tokio::test]
async fn a_revoked_certificate_is_refused_after_set_crls() {
    let mut p = pki();
    let (_, server) = enrol(&p.pref, &pref_node(), IssueKind::Node);
    let (county, client) = enrol(&p.pref, &county_node(), IssueKind::Node);
    // the config is handed out before the revocation arrives
    let (addr, mut incoming) = serve(&server).await;
    let (dialed, conn) = tokio::join!(dial(addr, &client, pref_node()), accept(&mut incoming));
    dialed.expect("accepted before revocation");
    assert!(conn.is_some());

    let crl = p.pref.revoke(&county.serial).unwrap();
    let root_crl = p.root.crl_der().unwrap();
    assert!(!server.is_revoked(&county.serial));
    server.set_crls(vec![root_crl, crl]).unwrap();
    assert!(server.is_revoked(&county.serial));
    assert!(!server.is_revoked(server.serial()));

    let (dialed, conn) = tokio::join!(dial(addr, &client, pref_node()), accept(&mut incoming));
    assert!(dialed.is_err(), "revoked client must be refused");
    assert!(conn.is_none());
    // others still get in
    let (_, other) = enrol(&p.pref, &Identity::node(common::node("540000/540100/540103")), IssueKind::Node);
    let (dialed, conn) = tokio::join!(dial(addr, &other, pref_node()), accept(&mut incoming));
    dialed.expect("unrevoked client");
    assert!(conn.is_some());
    // a malformed CRL leaves the previous set in force
    assert!(server.set_crls(vec![b"junk".to_vec()]).is_err());
    assert!(server.is_revoked(&county.serial));
}

#[tokio::test]
async fn revoking_the_intermediate_cuts_off_its_whole_subtree() {
    let mut p = pki();
    let (_, server) = enrol(&p.root, &Identity::node(common::node("540000")), IssueKind::Node);
    let (_, client) = enrol(&p.pref, &pref_node(), IssueKind::Node);
    let (addr, mut incoming) = serve(&server).await;
    let region = Identity::node(common::node("540000"));
    let (dialed, _) = tokio::join!(dial(addr, &client, region.clone()), accept(&mut incoming));
    dialed.expect("before");
    let pref_serial = p.pref.serial();
    let crl = p.root.revoke(&pref_serial).unwrap();
    server.set_crls(vec![crl]).unwrap();
    let (dialed, conn) = tokio::join!(dial(addr, &client, region.clone()), accept(&mut incoming));
    assert!(dialed.is_err() && conn.is_none());
}

#[tokio::test]
async fn crls_from_a_renewed_ca_still_cover_what_it_signed_before() {
    let mut p = pki();
    let (old_revoked, revoked_tls) = enrol(&p.pref, &county_node(), IssueKind::Node);
    let other_id = Identity::node(common::node("540000/540100/540103"));
    let (_, old_kept) = enrol(&p.pref, &other_id, IssueKind::Node);
    // renewal over the federation link: same key, new certificate
    let csr = p.pref.renewal_request().unwrap();
    let renewed = p.root.sign(&csr, IssueKind::IntermediateCa).unwrap();
    let old_serial = p.pref.serial();
    p.pref.install_renewal(&renewed.chain_pem, &p.root.root_pem()).unwrap();
    assert_ne!(p.pref.serial(), old_serial);
    let (_, server) = enrol(&p.pref, &pref_node(), IssueKind::Node);
    let crl = p.pref.revoke(&old_revoked.serial).unwrap();
    server.set_crls(vec![crl]).unwrap();
    let (addr, mut incoming) = serve(&server).await;
    let (dialed, conn) = tokio::join!(dial(addr, &revoked_tls, pref_node()), accept(&mut incoming));
    assert!(dialed.is_err() && conn.is_none(), "revoked under the old CA certificate");
    let (dialed, conn) = tokio::join!(dial(addr, &old_kept, pref_node()), accept(&mut incoming));
    dialed.expect("issued under the old CA certificate, not revoked");
    assert!(conn.is_some());
}

#[tokio::test]
async fn set_crls_keeps_the_newest_per_issuer_and_refuses_forgeries() {
    let mut p = pki();
    let (_, server) = enrol(&p.pref, &pref_node(), IssueKind::Node);
    let (county, _) = enrol(&p.pref, &county_node(), IssueKind::Node);
    let (second, _) = enrol(&p.pref, &Identity::node(common::node("540000/540100/540103")), IssueKind::Node);
    let first_crl = p.pref.revoke(&county.serial).unwrap();
    let newest = p.pref.revoke(&second.serial).unwrap();
    for order in [vec![first_crl.clone(), newest.clone()], vec![newest.clone(), first_crl.clone()]] {
        server.set_crls(order).unwrap();
        assert!(server.is_revoked(&county.serial) && server.is_revoked(&second.serial));
    }
    // a look-alike root has the same name but not the same key
    let stranger = CertificateAuthority::create_root(&common::node("540000")).unwrap();
    let err = server.set_crls(vec![stranger.crl_der().unwrap()]).unwrap_err();
    assert!(err.to_string().contains("签名"), "{err}");
    assert!(server.is_revoked(&county.serial), "previous set still in force");
}

#[tokio::test]
async fn dropping_the_incoming_stream_stops_listening() {
    let p = pki();
    let (_, server) = enrol(&p.pref, &pref_node(), IssueKind::Node);
    let (addr, incoming) = serve(&server).await;
    drop(incoming);
    let mut refused = false;
    for _ in 0..50 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "listener still open after TlsIncoming was dropped");
}
