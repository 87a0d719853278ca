//! Every node serves the standard gRPC health service and server reflection,
//! so any generic gRPC client can discover and call it (over mTLS).

use extranet_tests::Harness;
use tokio_stream::StreamExt;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_reflection_are_served() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100"]).await?;
    let channel = h.fed.client(&h.prefecture()).await?.channel();

    let health = HealthClient::new(channel.clone())
        .check(HealthCheckRequest { service: "extranet.v1.Filings".into() })
        .await?
        .into_inner();
    assert_eq!(health.status, ServingStatus::Serving as i32);

    let req = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut replies =
        ServerReflectionClient::new(channel).server_reflection_info(tokio_stream::iter([req])).await?.into_inner();
    let Some(MessageResponse::ListServicesResponse(list)) =
        replies.next().await.transpose()?.and_then(|r| r.message_response)
    else {
        anyhow::bail!("no service list from reflection");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for expected in [
        "extranet.v1.Federation",
        "extranet.v1.Filings",
        "extranet.v1.NodeStatus",
        "extranet.v1.Pki",
        "grpc.health.v1.Health",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
    }
    h.shutdown().await;
    Ok(())
}
