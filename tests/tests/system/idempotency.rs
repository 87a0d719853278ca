//! A write retried with the client's request id is done once (defect 12):
//! the repeat answers the original result and writes nothing — also after
//! the node restarted — while other callers' ids and invalid ids do not
//! pass for it.
//!
//! ```text
//!   540000 (region)  ← counts what the county filed
//!     └ 540100
//!         ├ 540102 (county A: files, lodges, restarts)
//!         └ 540103
//! ```

use extranet_proto::v1 as pb;
use extranet_tests::{Harness, eventually, valid_cutover, valid_form, valid_unit};

fn cutover(request_id: &str, description: &str) -> pb::FileCutoverRequest {
    let mut c = valid_cutover();
    c.description = description.into();
    pb::FileCutoverRequest { cutover: Some(c), request_id: request_id.into() }
}

fn submit(request_id: &str) -> pb::SubmitRequest {
    pb::SubmitRequest {
        kind: pb::ApplicationKind::New as i32,
        form: Some(valid_form(pb::AccessSpan::Local)),
        request_id: request_id.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filing_repeated_with_one_request_id_is_filed_once() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, county) = (h.region(), h.county_a());
    h.cutover_unit(&county).await?;
    let op = h.fed.client(&county).await?;
    let first = op.filings().file_cutover(cutover("3f2b-retry_1", "割接一")).await?.into_inner();
    let again = op.filings().file_cutover(cutover("3f2b-retry_1", "割接一")).await?.into_inner();
    assert_eq!(again, first, "the repeat answers the original filing");
    // Documented choice: the same id with another body still answers the original.
    let other_body = op.filings().file_cutover(cutover("3f2b-retry_1", "另一内容")).await?.into_inner();
    assert_eq!(other_body.id, first.id);
    // Two repeats racing: the check and the write are one transaction, so one files.
    let (mut c1, mut c2) = (op.filings(), op.filings());
    let (x, y) = tokio::join!(c1.file_cutover(cutover("race", "并发")), c2.file_cutover(cutover("race", "并发")));
    let raced = x?.into_inner();
    assert_eq!(raced.id, y?.into_inner().id);
    // A fresh id is a new filing; once it reached the region, so had anything filed before it.
    let next = op.filings().file_cutover(cutover("3f2b-retry_2", "割接二")).await?.into_inner();
    assert_ne!(next.id, first.id);
    h.wait_filing(&region, &next.id, 1).await?;
    let at_region: Vec<String> = h.running(&region).store.filings(None, 100)?.into_iter().map(|f| f.id.key()).collect();
    assert_eq!(at_region.len(), 3, "the region received each filing exactly once: {at_region:?}");
    assert!(at_region.contains(&first.id) && at_region.contains(&raced.id));
    assert_eq!(h.up_events(&region, &county)?.len(), 3, "one event per filing, none for the repeats");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_submitted_twice_with_one_id_exists_once() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", "540000/540100/540102")).await?;
    let unit = h.unit_client(&county, "u0001").await?;
    let a = unit.access().submit(submit("0b7e6d1c-5f3a-4d2e-9c1b-7a8f6e5d4c3b")).await?.into_inner();
    let b = unit.access().submit(submit("0b7e6d1c-5f3a-4d2e-9c1b-7a8f6e5d4c3b")).await?.into_inner();
    assert_eq!(a.id, b.id);
    let held: Vec<String> = h.running(&county).store.applications()?.iter().map(|x| x.id.key()).collect();
    assert_eq!(held, vec![a.id.clone()], "one application");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeat_after_a_restart_returns_the_original_result() -> anyhow::Result<()> {
    let mut h = Harness::four().await?;
    let county = h.county_a();
    h.cutover_unit(&county).await?;
    let first = h.fed.client(&county).await?.filings().file_cutover(cutover("k-1", "割接")).await?.into_inner();
    h.fed.stop(&county).await?;
    // Tasks of the stopped node may still hold its store for a moment.
    let restart = async || Ok(h.fed.start(&county).await.map_err(|e| e.to_string()));
    eventually("the county to restart", std::time::Duration::from_secs(10), restart).await?;
    let op = h.fed.client(&county).await?;
    let again = op.filings().file_cutover(cutover("k-1", "割接")).await?.into_inner();
    assert_eq!(again.id, first.id, "the key is durable");
    assert_eq!(h.running(&county).store.filings(None, 100)?.len(), 1);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn different_callers_with_the_same_id_do_not_collide() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let county = h.county_a();
    for u in ["u0001", "u0002"] {
        h.register_unit(&county, valid_unit(u, "540000/540100/540102")).await?;
    }
    h.cutover_unit(&county).await?;
    let a = h.unit_client(&county, "u0001").await?.access().submit(submit("same")).await?.into_inner();
    let b = h.unit_client(&county, "u0002").await?.access().submit(submit("same")).await?.into_inner();
    assert_ne!(a.id, b.id, "each unit's own request");
    assert_eq!(h.running(&county).store.applications()?.len(), 2);
    // the same id on another method is another request too
    let op = h.fed.client(&county).await?;
    let f1 = op.filings().file_cutover(cutover("same", "割接")).await?.into_inner();
    let register =
        pb::RegisterUnitRequest { unit: Some(valid_unit("u0003", "540000/540100/540102")), request_id: "same".into() };
    let u = op.units().register_unit(register).await?.into_inner();
    assert_eq!(u.id, "u0003", "a unit registered, not the cutover's answer replayed");
    assert_eq!(h.running(&county).store.filings(None, 10)?.len(), 1, "{} is the only filing", f1.id);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_request_id_is_refused_and_writes_nothing() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let county = h.county_a();
    let op = h.fed.client(&county).await?;
    for bad in ["has space", "斜杠/", &"x".repeat(65)] {
        let e = op.filings().file_cutover(cutover(bad, "割接")).await.expect_err(bad);
        assert_eq!(e.code(), tonic::Code::InvalidArgument, "{bad}: {e:?}");
        assert!(e.message().contains("request_id"), "names the field: {}", e.message());
    }
    let e = op
        .ipam()
        .request_space(pb::RequestSpaceRequest {
            request_id: "a.b".into(),
            reason: "扩容".into(),
            ..Default::default()
        })
        .await
        .expect_err("ipam too");
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    assert!(e.message().contains("request_id"));
    assert!(h.running(&county).store.filings(None, 100)?.is_empty());
    h.shutdown().await;
    Ok(())
}
