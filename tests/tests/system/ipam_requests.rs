//! Requests beyond the automatic policy wait for the parent's operator, whose
//! decision — grant or refusal — travels down to the asking county.

use std::time::Duration;

use extranet_proto::v1 as pb;
use extranet_tests::{Harness, PATIENCE, eventually};

async fn requests_at(h: &Harness, n: &extranet_certs::NodeId) -> anyhow::Result<Vec<pb::SpaceRequestRecord>> {
    let c = h.fed.client(n).await?;
    Ok(c.ipam().list_requests(pb::ListRequestsRequest::default()).await?.into_inner().requests)
}

/// Waits until `n` lists exactly one request in `state`.
async fn wait_state(
    h: &Harness,
    n: &extranet_certs::NodeId,
    state: pb::RequestState,
) -> anyhow::Result<pb::SpaceRequestRecord> {
    eventually(&format!("{n} to list one request, in state {state:?}"), PATIENCE, async || {
        let got = requests_at(h, n).await?;
        Ok(match got.as_slice() {
            [one] if one.state == state as i32 => Ok(one.clone()),
            _ => Err(got),
        })
    })
    .await
}

async fn setup(h: &Harness) -> anyhow::Result<()> {
    let region = h.fed.client(&h.region()).await?;
    region.ipam().add_root(pb::AddRootRequest { prefix: "2408:8000::/32".into(), ..Default::default() }).await?;
    let d = pb::DelegateRequest { child: h.prefecture().to_string(), ..Default::default() };
    region.ipam().delegate(d).await?;
    let store = &h.running(&h.prefecture()).store;
    eventually("the prefecture to get a pool", PATIENCE, async || Ok((!store.ipam_delegations()?.is_empty(), ())))
        .await?;
    let p = h.fed.client(&h.prefecture()).await?;
    p.ipam().delegate(pb::DelegateRequest { child: h.county_a().to_string(), ..Default::default() }).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_beyond_policy_waits_for_the_operator_and_the_grant_travels_down() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    setup(&h).await?;
    let county = h.fed.client(&h.county_a()).await?;
    let ask = |len| pb::RequestSpaceRequest {
        length: len,
        ipv4: false,
        reason: "全县视频会议系统扩容".into(),
        ..Default::default()
    };
    county.ipam().request_space(ask(44)).await?;
    let at_parent = wait_state(&h, &h.prefecture(), pb::RequestState::Pending).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(requests_at(&h, &h.county_a()).await?[0].state, pb::RequestState::Pending as i32, "not auto-granted");
    let p = h.fed.client(&h.prefecture()).await?;
    let grant =
        pb::DecideRequest { id: at_parent.id.clone(), grant: true, reason: String::new(), ..Default::default() };
    let decided = p.ipam().decide(grant).await?.into_inner();
    assert_eq!(decided.state, pb::RequestState::Granted as i32);
    let got = wait_state(&h, &h.county_a(), pb::RequestState::Granted).await?;
    assert!(got.granted_prefix.ends_with("/44"), "{}", got.granted_prefix);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_travels_down_with_its_reason() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    setup(&h).await?;
    let county = h.fed.client(&h.county_a()).await?;
    county
        .ipam()
        .request_space(pb::RequestSpaceRequest {
            length: 40, ipv4: false, reason: "预留".into(), ..Default::default()
        })
        .await?;
    let at_parent = wait_state(&h, &h.prefecture(), pb::RequestState::Pending).await?;
    let p = h.fed.client(&h.prefecture()).await?;
    let no_reason =
        pb::DecideRequest { id: at_parent.id.clone(), grant: false, reason: String::new(), ..Default::default() };
    assert_eq!(p.ipam().decide(no_reason).await.expect_err("reason required").code(), tonic::Code::InvalidArgument);
    let refuse = pb::DecideRequest {
        id: at_parent.id.clone(),
        grant: false,
        reason: "超出本地区规划".into(),
        ..Default::default()
    };
    p.ipam().decide(refuse).await?;
    let got = wait_state(&h, &h.county_a(), pb::RequestState::Refused).await?;
    assert_eq!(got.refusal_reason, "超出本地区规划");
    h.shutdown().await;
    Ok(())
}
