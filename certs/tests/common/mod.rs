//! A small federation PKI for the tests: region root → prefecture 540100
//! intermediate → certificates for nodes, operators and units.

#![allow(dead_code)]

use extranet_certs::{
    CertificateAuthority, Identity, IssueKind, IssuedCert, NodeId, TlsMaterial, request_ca, request_leaf,
};

pub fn node(path: &str) -> NodeId {
    NodeId::parse(path).expect("test path")
}

pub struct Pki {
    pub root: CertificateAuthority,
    pub pref: CertificateAuthority,
    /// The prefecture CA's private key, to forge certificates in tests.
    pub pref_key_pem: String,
}

/// Region root and Lhasa (540100) intermediate, enrolled the way a real
/// prefecture is: it makes a key and CSR, the region signs, it assembles.
pub fn pki() -> Pki {
    let root = CertificateAuthority::create_root(&node("540000")).expect("root");
    let req = request_ca(&node("540000/540100")).expect("ca csr");
    let issued = root.sign(&req.csr_pem, IssueKind::IntermediateCa).expect("sign ca");
    let pref =
        CertificateAuthority::from_issued(&req.key_pem, &issued.chain_pem, &root.root_pem()).expect("assemble ca");
    Pki { root, pref, pref_key_pem: req.key_pem }
}

/// Issues `id` from `ca` and loads it as TLS material.
pub fn enrol(ca: &CertificateAuthority, id: &Identity, kind: IssueKind) -> (IssuedCert, TlsMaterial) {
    let req = request_leaf(id).expect("leaf csr");
    let issued = ca.sign(&req.csr_pem, kind).expect("sign leaf");
    let tls = TlsMaterial::from_pem(&ca.root_pem(), &issued.chain_pem, &req.key_pem).expect("tls");
    (issued, tls)
}

pub fn county_node() -> Identity {
    Identity::node(node("540000/540100/540102"))
}

pub fn pref_node() -> Identity {
    Identity::node(node("540000/540100"))
}
