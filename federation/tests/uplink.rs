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

/// A parent tuned to judge a link dead after 2 s, and a child left on a
/// 5 s heartbeat: the child pings within the parent's limit (its `Hello`
/// says it), so over a minute the link is dialled once and never dropped,
/// and what the child writes meanwhile arrives.
#[tokio::test(start_paused = true)]
async fn a_child_with_a_slower_heartbeat_keeps_its_link_to_a_tighter_parent() {
    let mut tight = config();
    tight.heartbeat = Duration::from_millis(500);
    tight.dead_after = Duration::from_secs(2);
    let mut slow = config();
    slow.heartbeat = Duration::from_secs(5);
    slow.dead_after = Duration::from_secs(20);
    let parent = Node::new("540000", tight);
    let child = Node::new("540000/540100", slow);
    let dialer = ProxyDialer::new(&parent, &child, pass());
    let stop = CancellationToken::new();
    let task = child.engine.spawn_uplink(dialer.clone(), stop.clone());
    child.append(extranet_federation::Route::Up, 3).await;
    wait_until("the first events arrive", || parent.cursor(&child.id, extranet_federation::Channel::Up) == 3).await;
    // a quiet minute on the virtual clock: the window itself, not a wait
    tokio::time::sleep(Duration::from_secs(60)).await;
    child.append(extranet_federation::Route::Up, 2).await;
    wait_until("the later events arrive", || parent.cursor(&child.id, extranet_federation::Channel::Up) == 5).await;
    assert_eq!(dialer.dial_count(), 1, "dialled once: {:?}", dialer.errors());
    assert!(dialer.errors().is_empty(), "the parent never dropped the link: {:?}", dialer.errors());
    stop.cancel();
    task.await.unwrap();
}
