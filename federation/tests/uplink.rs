//! The child's redial loop: jittered, growing, bounded pauses, and a prompt
//! stop.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use extranet_federation::{Dialer, FedError, Link};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// A parent that is down: every dial fails, and is timestamped.
#[derive(Clone, Default)]
struct Down {
    at: Arc<Mutex<Vec<Instant>>>,
}

impl Dialer for Down {
    async fn dial(&self) -> Result<Link, FedError> {
        self.at.lock().unwrap().push(Instant::now());
        Err(FedError::Transport("connection refused".into()))
    }
}

#[tokio::test(start_paused = true)]
async fn redials_back_off_with_jitter_within_bounds() {
    let mut cfg = config();
    cfg.backoff_min = Duration::from_millis(100);
    cfg.backoff_max = Duration::from_secs(5);
    let children: Vec<(Node, Down)> =
        (1..=4).map(|i| (Node::new(&format!("540000/54010{i}"), cfg.clone()), Down::default())).collect();
    let stop = CancellationToken::new();
    let tasks: Vec<_> = children.iter().map(|(c, d)| c.engine.spawn_uplink(d.clone(), stop.clone())).collect();
    tokio::time::sleep(Duration::from_secs(120)).await;
    stop.cancel();
    for t in tasks {
        tokio::time::timeout(Duration::from_millis(10), t).await.expect("uplink stops at once").unwrap();
    }
    let mut all_gaps = Vec::new();
    for (_, down) in &children {
        let at = down.at.lock().unwrap().clone();
        let gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.len() > 20, "a down parent is retried steadily");
        for g in &gaps {
            assert!(*g >= cfg.backoff_min && *g <= cfg.backoff_max + Duration::from_millis(1), "{g:?}");
        }
        // Early pauses are short, later ones approach the maximum.
        assert!(gaps[0] <= Duration::from_millis(200));
        let late = &gaps[gaps.len() - 10..];
        assert!(late.iter().sum::<Duration>() / 10 > Duration::from_secs(1));
        all_gaps.push(gaps);
    }
    // Children that lost the parent together do not redial together.
    let firsts: std::collections::BTreeSet<_> = all_gaps.iter().map(|g| g[..5].to_vec()).collect();
    assert_eq!(firsts.len(), 4, "identical redial schedules: no jitter");
}
