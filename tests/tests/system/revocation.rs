//! Revocation lists are checked before they are stored: a forged or garbage
//! list, or an older one that would undo a revocation, is refused and
//! reported while the held list stays in force; a bad list already on disk
//! is skipped at start-up instead of keeping the node down.
//!
//! ```text
//!   540000 ── 540100 (CA; revokes, and here also misbehaves) ─┬─ 540102 (A)
//!                                                             └─ 540103 (B)
//! ```

use extranet_certs::inspect::inspect_chain_pem;
use extranet_certs::{CertificateAuthority, Identity, NodeId, TlsMaterial};
use extranet_federation::{Route, Scope};
use extranet_node::codec;
use extranet_proto::v1 as pb;
use extranet_proto::v1::node_status_client::NodeStatusClient;
use extranet_tests::{Harness, PATIENCE, eventually};
use tonic::Code;

fn read(p: std::path::PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Serial of the operator certificate minted for `n`.
fn operator_serial(h: &Harness, n: &NodeId) -> anyhow::Result<String> {
    Ok(inspect_chain_pem(&read(h.node(n).operator().path().join("operator.pem")))?[0].serial.clone())
}

/// Whether `n` now refuses its own operator: the TLS handshake fails (no
/// answer from any service), as it does for a revoked certificate.
async fn operator_refused(h: &Harness, n: &NodeId) -> bool {
    match h.fed.client(n).await {
        Err(_) => true,
        Ok(c) => match c.status().get_status(pb::GetStatusRequest {}).await {
            Ok(_) => false,
            Err(s) => !matches!(s.code(), Code::PermissionDenied | Code::InvalidArgument | Code::FailedPrecondition),
        },
    }
}

/// The prefecture announces `der` as its list, as a faulty or hostile CA node would.
async fn announce(h: &Harness, der: &[u8]) -> anyhow::Result<()> {
    let pref = h.prefecture();
    let store = &h.running(&pref).store;
    store.transact(|tx| {
        tx.emit(Route::Down(Scope::Subtree(pref.clone())), codec::KIND_CRL, codec::encode_crl(&pref, der))?;
        Ok(())
    })?;
    store.sync().await?;
    Ok(())
}

/// Waits until county B reports a refused list from the prefecture whose reason contains `needle`.
async fn wait_refusal(h: &Harness, needle: &str) -> anyhow::Result<()> {
    let store = h.running(&h.county_b()).store.clone();
    let pref = h.prefecture().to_string();
    eventually(&format!("county B reports a refused list ({needle})"), PATIENCE, async || {
        let seen = store.crl_refusals()?;
        Ok((seen.iter().any(|(i, r)| *i == pref && r.contains(needle)), seen))
    })
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_garbage_or_older_list_does_not_replace_the_held_one() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (pref, b) = (h.prefecture(), h.county_b());
    // an older list (revoking something else), then the newer one revoking B's operator
    h.revoke(&pref, "0a".into(), "测试").await?;
    let older = h.running(&pref).store.crls()?.pop().expect("the prefecture holds its list");
    let serial = operator_serial(&h, &b)?;
    h.revoke(&pref, serial, "测试：设备丢失").await?;
    let county = h.running(&b).store.clone();
    let newer = h.running(&pref).store.crls()?.pop().expect("the prefecture holds its list");
    eventually("county B takes in the newer list (seen: how many lists it holds)", PATIENCE, async || {
        let held = county.crls()?;
        Ok((held == vec![newer.clone()], held.len()))
    })
    .await?;
    // the verifiers reload once the list is durable, a moment after it is readable
    eventually("county B refuses the revoked operator", PATIENCE, async || Ok((operator_refused(&h, &b).await, ())))
        .await?;

    // garbage; a list signed by another CA of the same name; the older list replayed
    announce(&h, b"\x30\x03garbage").await?;
    wait_refusal(&h, "DER").await?;
    assert_eq!(county.crls()?, vec![newer.clone()], "garbage did not replace the held list");

    let other = Harness::created(extranet_tests::FOUR)?;
    let mut forger = CertificateAuthority::load(&other.node(&pref).dir.join("ca"))?;
    announce(&h, &forger.revoke("0c")?).await?;
    wait_refusal(&h, "签名").await?;
    assert_eq!(county.crls()?, vec![newer.clone()], "a forged list did not replace the held list");

    announce(&h, &older).await?;
    wait_refusal(&h, "不高于").await?;
    assert_eq!(county.crls()?, vec![newer.clone()], "an older list did not undo the revocation");
    assert!(operator_refused(&h, &b).await, "the revoked operator stays refused");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_with_a_bad_stored_list_starts_and_reports_it() -> anyhow::Result<()> {
    let mut h = Harness::four().await?;
    let (pref, a) = (h.prefecture(), h.county_a());
    let serial = operator_serial(&h, &a)?;
    h.revoke(&pref, serial, "测试").await?;
    let county = h.running(&a).store.clone();
    eventually("county A takes in the prefecture's list (seen: how many lists it holds)", PATIENCE, async || {
        let n = county.crls()?.len();
        Ok((n == 1, n))
    })
    .await?;
    // a list that does not parse lands on disk (as the unchecked applier of
    // an older version could store it), then the node restarts
    county.transact(|tx| tx.put_crl(&h.region(), b"not a revocation list"))?;
    county.sync().await?;
    drop(county);
    h.fed.stop(&a).await?;
    // shutdown awaited the node's workers: its database is released, the
    // restart succeeds at the first try
    h.fed.start(&a).await?;
    let skipped = &h.running(&a).skipped_crls;
    assert_eq!(skipped.len(), 1, "the bad list is reported: {skipped:?}");
    assert!(skipped[0].contains("CRL"), "{skipped:?}");
    // the good list still applies: the revoked operator is refused; the node serves
    assert!(operator_refused(&h, &a).await, "the prefecture's list is still in force after the restart");
    let tls_dir = h.node(&a).dir.join("tls");
    let tls = TlsMaterial::load(&tls_dir.join("root.pem"), &tls_dir.join("node.pem"), &tls_dir.join("node.key"))?;
    let ch = extranet_certs::transport::connect(&h.node(&a).config.listen, &Identity::node(a.clone()), &tls).await?;
    let answer = NodeStatusClient::new(ch).get_status(pb::GetStatusRequest {}).await.unwrap_err();
    assert_eq!(
        answer.code(),
        Code::PermissionDenied,
        "county A serves (a node certificate is no operator): {answer:?}"
    );
    h.shutdown().await;
    Ok(())
}
