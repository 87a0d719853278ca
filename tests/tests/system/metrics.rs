//! Each node exposes Prometheus metrics on a separate local port: link
//! state, backlog, events, store flush latency and RPC latencies.

use extranet_node::config::MetricsConfig;
use extranet_tests::{Harness, PATIENCE, eventually, valid_cutover};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn scrape(addr: std::net::SocketAddr, path: &str) -> anyhow::Result<String> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes()).await?;
    let mut out = String::new();
    s.read_to_string(&mut out).await?;
    Ok(out)
}

/// The value of the sample named exactly `series` (0 if absent).
fn value(body: &str, series: &str) -> f64 {
    body.lines().find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok())).unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_links_backlog_events_and_latencies() -> anyhow::Result<()> {
    let mut h = Harness::created(extranet_tests::FOUR)?;
    h.fed.configure(|c| c.metrics = Some(MetricsConfig { listen: "127.0.0.1:0".into() }))?;
    h.fed.start_all().await?;
    let pref = h.prefecture();
    let f = h.file_cutover(&h.county_a(), valid_cutover()).await?;
    h.wait_filing(&h.region(), &f.id, 1).await?;
    let addr = h.running(&pref).metrics_addr.expect("metrics endpoint configured");
    let what = "the metrics to show both links up and the event (seen: the link and event lines)";
    let body = eventually(what, PATIENCE, async || {
        let body = scrape(addr, "/metrics").await?;
        let linked = body.contains(r#"extranet_link_connected{peer="540000",role="parent"} 1"#)
            && body.contains(r#"extranet_link_connected{peer="540000/540100/540102",role="child"} 1"#);
        if linked && value(&body, r#"extranet_events_held{origin="received"}"#) >= 1.0 {
            return Ok(Ok(body));
        }
        let lines =
            body.lines().filter(|l| l.starts_with("extranet_link_connected") || l.starts_with("extranet_events_held"));
        Ok(Err(lines.map(str::to_owned).collect::<Vec<_>>()))
    })
    .await?;
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("extranet_backlog_events{"), "{body}");
    assert!(body.contains("extranet_store_last_flush_seconds "), "{body}");
    // the county's sync stream to the prefecture went through the timing layer
    assert!(body.contains(r#"extranet_rpc_duration_seconds_count{method="/extranet.v1.Federation/Sync"}"#), "{body}");
    assert!(scrape(addr, "/other").await?.starts_with("HTTP/1.1 404"));
    h.shutdown().await;
    Ok(())
}
