//! Issuance rules, name constraints, persistence and inspection.

mod common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use common::{county_node, enrol, node, pki};
use extranet_certs::{
    CertError, CertificateAuthority, Identity, IssueKind, TlsMaterial, expiry_warnings, inspect_chain_pem, pem_encode,
    request_ca, request_leaf,
};
use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::WebPkiClientVerifier;

#[test]
fn hierarchy_issues_nodes_and_operators() {
    let p = pki();
    let (node_cert, tls) = enrol(&p.pref, &county_node(), IssueKind::Node);
    assert_eq!(tls.identity(), &county_node());
    assert_eq!(node_cert.identity.as_ref(), Some(&county_node()));
    assert_eq!(node_cert.serial.len(), 40);
    let days = (node_cert.not_after - Utc::now()).num_days();
    assert!((363..=365).contains(&days), "node lifetime {days}");

    let chain = tls.chain_info();
    assert_eq!(chain.len(), 3, "leaf, prefecture CA, root");
    assert_eq!(chain[0].identity.as_ref(), Some(&county_node()));
    assert!(!chain[0].is_ca && chain[1].is_ca && chain[2].is_ca);
    assert_eq!(chain[1].permitted_subtrees, vec!["540100.540000.extranet".to_string()]);
    assert_eq!(chain[2].permitted_subtrees, vec!["540000.extranet".to_string()]);
    let ca_years = (chain[1].not_after - Utc::now()).num_days() / 365;
    let root_years = (chain[2].not_after - Utc::now()).num_days() / 365;
    assert_eq!((ca_years, root_years), (10, 20));

    let zhaxi = Identity::operator(node("540000/540100/540102"), "zhaxi").unwrap();
    let (op_cert, op_tls) = enrol(&p.pref, &zhaxi, IssueKind::Operator);
    assert_eq!(op_tls.identity(), &zhaxi);
    let days = (op_cert.not_after - Utc::now()).num_days();
    assert!((178..=180).contains(&days), "operator lifetime {days}");
    let unit = Identity::unit(node("540000/540100"), "u0001").unwrap();
    enrol(&p.pref, &unit, IssueKind::Unit);
    // the root may certify anywhere in the federation, including itself
    enrol(&p.root, &Identity::node(node("540000")), IssueKind::Node);
}

#[test]
fn sign_refuses_requests_outside_its_subtree() {
    let p = pki();
    let foreign = request_leaf(&Identity::node(node("540000/540200/540202"))).unwrap();
    let err = p.pref.sign(&foreign.csr_pem, IssueKind::Node).unwrap_err();
    assert!(matches!(err, CertError::OutOfSubtree(_)), "{err}");
    assert!(err.to_string().contains("540200"), "{err}");
    let upward = request_leaf(&Identity::node(node("540000"))).unwrap();
    assert!(matches!(p.pref.sign(&upward.csr_pem, IssueKind::Node), Err(CertError::OutOfSubtree(_))));
    // an intermediate only strictly below: not for itself, its parent or a sibling
    for path in ["540000/540100", "540000", "540000/540200"] {
        let req = request_ca(&node(path)).unwrap();
        let err = p.pref.sign(&req.csr_pem, IssueKind::IntermediateCa).unwrap_err();
        assert!(matches!(err, CertError::OutOfSubtree(_)), "{path}: {err}");
    }
    let county_ca = request_ca(&node("540000/540100/540102")).unwrap();
    assert!(p.pref.sign(&county_ca.csr_pem, IssueKind::IntermediateCa).is_ok());
    // the kind must match what the request names
    let mismatched = p.pref.sign(&county_ca.csr_pem, IssueKind::Node).unwrap_err();
    assert!(matches!(mismatched, CertError::CsrRejected(_)), "{mismatched}");
    let op = request_leaf(&Identity::operator(node("540000/540100"), "zhaxi").unwrap()).unwrap();
    assert!(matches!(p.pref.sign(&op.csr_pem, IssueKind::Node), Err(CertError::CsrRejected(_))));
    assert!(matches!(p.pref.sign(&op.csr_pem, IssueKind::IntermediateCa), Err(CertError::CsrRejected(_))));
}

#[test]
fn sign_refuses_a_san_that_is_not_an_identity() {
    let p = pki();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["node.540102.540100.540000.example.com".into()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, "x");
    let csr = params.serialize_request(&key).unwrap().pem().unwrap();
    let err = p.pref.sign(&csr, IssueKind::Node).unwrap_err().to_string();
    assert!(err.contains("证书请求被拒绝") && err.contains("subjectAltName"), "{err}");
    let two = CertificateParams::new(vec![
        "node.540102.540100.540000.extranet".into(),
        "node.540103.540100.540000.extranet".into(),
    ])
    .unwrap()
    .serialize_request(&key)
    .unwrap()
    .pem()
    .unwrap();
    let err = p.pref.sign(&two, IssueKind::Node).unwrap_err().to_string();
    assert!(err.contains("恰好包含一个"), "{err}");
}

/// Mints a leaf for `id` with the prefecture's key directly through rcgen,
/// bypassing `sign` and its subtree check.
fn forge(pref_cert_pem: &str, pref_key_pem: &str, id: &Identity) -> (CertificateDer<'static>, KeyPair) {
    let ca_key = KeyPair::from_pem(pref_key_pem).unwrap();
    let issuer = Issuer::from_ca_cert_pem(pref_cert_pem, ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, "forged");
    params.subject_alt_names = vec![SanType::DnsName(id.dns_name().try_into().unwrap())];
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    (params.signed_by(&key, &issuer).unwrap().der().clone(), key)
}

#[test]
fn name_constraint_stops_a_prefecture_minting_outside_its_subtree() {
    let p = pki();
    let pref_pem = p.pref.chain_pem();
    let pref_cert = inspect_chain_pem(&pref_pem).unwrap();
    assert_eq!(pref_cert.len(), 1, "chain without root is just the prefecture CA");
    let pref_der: CertificateDer<'static> =
        rustls::pki_types::pem::PemObject::from_pem_slice(pref_pem.as_bytes()).unwrap();

    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::pem::PemObject::from_pem_slice(p.root.root_pem().as_bytes()).unwrap()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider).build().unwrap();
    let verify = |id: &Identity| {
        let (leaf, _) = forge(&pref_pem, &p.pref_key_pem, id);
        verifier.verify_client_cert(&leaf, std::slice::from_ref(&pref_der), UnixTime::now())
    };

    // Control: the same construction inside the subtree is accepted ...
    verify(&Identity::node(node("540000/540100/540103"))).expect("inside the subtree");
    // ... so what refuses a county of Shigatse (540200) is the name constraint.
    let err = verify(&Identity::node(node("540000/540200/540202"))).unwrap_err();
    assert!(format!("{err:?}").contains("NameConstraint"), "{err:?}");
    let err = verify(&Identity::operator(node("540000"), "rogue").unwrap()).unwrap_err();
    assert!(format!("{err:?}").contains("NameConstraint"), "{err:?}");

    // TlsMaterial's start-up check refuses such a certificate too.
    let (leaf, key) = forge(&pref_pem, &p.pref_key_pem, &Identity::node(node("540000/540200/540202")));
    let chain = format!("{}{pref_pem}", pem_encode("CERTIFICATE", &leaf));
    let tls = TlsMaterial::from_pem(&p.root.root_pem(), &chain, &key.serialize_pem()).unwrap();
    let err = tls.verify_own_chain().unwrap_err();
    assert!(matches!(err, CertError::Tls(_)), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let paths = ["root.pem", "chain.pem", "node.key"].map(|f| dir.path().join(f));
    for (path, text) in paths.iter().zip([p.root.root_pem(), chain, key.serialize_pem()]) {
        std::fs::write(path, text).unwrap();
    }
    assert!(matches!(TlsMaterial::load(&paths[0], &paths[1], &paths[2]), Err(CertError::Tls(_))));
}

#[test]
fn ca_survives_save_and_load_with_a_private_key() {
    let p = pki();
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = dir.path().join("ca");
    p.pref.save(&ca_dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ca_dir.join("ca.key")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    for f in ["ca.pem", "revoked.json", "crl.pem", "state.json"] {
        assert!(ca_dir.join(f).exists(), "{f}");
    }
    let mut loaded = CertificateAuthority::load(&ca_dir).unwrap();
    assert_eq!(loaded.node(), &node("540000/540100"));
    assert_eq!(loaded.root_pem(), p.root.root_pem());
    assert_eq!(loaded.chain_pem(), p.pref.chain_pem());
    // it still signs, and what it signs chains to the same root
    let (issued, _) = enrol(&loaded, &county_node(), IssueKind::Node);

    // revocation is persisted, CRL numbers only grow
    let before = std::fs::read_to_string(ca_dir.join("state.json")).unwrap();
    loaded.revoke(&issued.serial).unwrap();
    loaded.revoke(&issued.serial.to_uppercase()).unwrap(); // idempotent
    let after = std::fs::read_to_string(ca_dir.join("state.json")).unwrap();
    assert_ne!(before, after);
    let reloaded = CertificateAuthority::load(&ca_dir).unwrap();
    assert_eq!(reloaded.revoked().len(), 1);
    assert_eq!(reloaded.revoked()[0].serial, issued.serial);
    assert!(matches!(loaded.revoke("not-hex"), Err(CertError::InvalidSerial(_))));

    // a different CA may not be saved over this one's key
    let err = p.root.save(&ca_dir).unwrap_err();
    assert!(matches!(err, CertError::CaState(_)), "{err}");
}

#[test]
fn from_issued_refuses_a_mismatched_key() {
    let p = pki();
    let req = request_ca(&node("540000/540200")).unwrap();
    let issued = p.root.sign(&req.csr_pem, IssueKind::IntermediateCa).unwrap();
    let other = request_ca(&node("540000/540200")).unwrap();
    let err = CertificateAuthority::from_issued(&other.key_pem, &issued.chain_pem, &p.root.root_pem()).unwrap_err();
    assert!(matches!(err, CertError::CaState(_)), "{err}");
    // and a chain that does not lead to the given root
    let stranger = CertificateAuthority::create_root(&node("540000")).unwrap();
    let err = CertificateAuthority::from_issued(&req.key_pem, &issued.chain_pem, &stranger.root_pem()).unwrap_err();
    assert!(matches!(err, CertError::CaState(_)), "{err}");
}

#[test]
fn inspection_warns_before_expiry() {
    let p = pki();
    let (_, tls) = enrol(&p.pref, &county_node(), IssueKind::Node);
    let chain = tls.chain_info();
    assert!(expiry_warnings(&chain, Utc::now()).is_empty());
    let late = expiry_warnings(&chain, Utc::now() + Duration::days(350));
    assert_eq!(late.len(), 1, "{late:?}");
    assert!(late[0].contains("即将过期") && late[0].contains("540102"), "{late:?}");
    let ca_late = expiry_warnings(&chain, Utc::now() + Duration::days(9 * 365 + 30));
    assert!(
        ca_late.iter().any(|w| w.contains("已过期")) && ca_late.iter().any(|w| w.contains("CA 证书")),
        "{ca_late:?}"
    );
    let pems = inspect_chain_pem(&p.pref.chain_pem()).unwrap();
    assert!(pems[0].is_ca && pems[0].identity.is_none());
}

#[test]
fn a_renewed_root_still_anchors_what_it_signed() {
    let mut p = pki();
    let req = request_leaf(&county_node()).unwrap();
    let issued = p.pref.sign(&req.csr_pem, IssueKind::Node).unwrap();
    let old_root = p.root.root_pem();
    p.root.renew_root().unwrap();
    assert_ne!(p.root.root_pem(), old_root);
    TlsMaterial::from_pem(&p.root.root_pem(), &issued.chain_pem, &req.key_pem).expect("old chain, new root cert");
    // an intermediate cannot renew itself
    assert!(matches!(p.pref.renew_root(), Err(CertError::CaState(_))));
    // a renewal chain must lead to the same trust anchor
    let stranger = CertificateAuthority::create_root(&node("540000")).unwrap();
    let foreign = stranger.sign(&p.pref.renewal_request().unwrap(), IssueKind::IntermediateCa).unwrap();
    let err = p.pref.install_renewal(&foreign.chain_pem, &stranger.root_pem()).unwrap_err();
    assert!(matches!(err, CertError::CaState(_)), "{err}");
}
