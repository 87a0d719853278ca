//! A parent serves a bounded number of catch-ups at a time; the others wait,
//! connected, for a slot instead of hammering it with redials.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use common::*;
use extranet_federation::{Channel, Frame, Route};
use tokio_util::sync::CancellationToken;

/// Catch-ups seen on the wire: one starts with the parent's Hello and ends
/// once both sides' CaughtUp passed.
#[derive(Default)]
struct Tracker {
    active: i32,
    max: i32,
    started: u32,
    /// Per child: (parent caught up, child caught up).
    flags: HashMap<String, (bool, bool)>,
}

fn tracking_hook(child: String, tracker: Arc<Mutex<Tracker>>) -> Hook {
    Arc::new(move |_, dir, frame| {
        let mut t = tracker.lock().unwrap();
        match (dir, frame) {
            (Dir::Down, Frame::Hello { .. }) => {
                t.active += 1;
                t.started += 1;
                t.max = t.max.max(t.active);
                t.flags.insert(child.clone(), (false, false));
            }
            (Dir::Down, Frame::CaughtUp) | (Dir::Up, Frame::CaughtUp) => {
                let flags = t.flags.entry(child.clone()).or_default();
                let before = flags.0 && flags.1;
                if dir == Dir::Down {
                    flags.0 = true;
                } else {
                    flags.1 = true;
                }
                if !before && flags.0 && flags.1 {
                    t.active -= 1;
                }
            }
            _ => {}
        }
        Verdict::Pass
    })
}

#[tokio::test(start_paused = true)]
async fn the_catch_up_semaphore_bounds_concurrency() {
    let mut cfg = config();
    cfg.max_concurrent_catchups = 2;
    let r = Node::new("540000", cfg);
    let tracker = Arc::new(Mutex::new(Tracker::default()));
    let stop = CancellationToken::new();
    let mut children = Vec::new();
    for code in ["540100", "540200", "540300", "540400", "540500", "540600"] {
        let p = Node::new(&format!("540000/{code}"), config());
        p.append(Route::Up, 200).await;
        let dialer = ProxyDialer::new(&r, &p, tracking_hook(code.into(), tracker.clone()));
        p.engine.spawn_uplink(dialer.clone(), stop.clone());
        children.push((p, dialer));
    }
    let mut peak_slots = 0;
    wait_until("every prefecture caught up", || {
        peak_slots = peak_slots.max(r.engine.catchups_in_progress());
        children.iter().all(|(p, _)| r.cursor(&p.id, Channel::Up) == 200)
    })
    .await;
    let (started, max) = {
        let t = tracker.lock().unwrap();
        (t.started, t.max)
    };
    assert_eq!(started, 6);
    assert_eq!(max, 2, "at most two catch-ups at once, and the two slots are used");
    assert!(peak_slots <= 2);
    for (p, dialer) in &children {
        assert_eq!(dialer.dial_count(), 1, "{} redialled instead of waiting for its slot", p.id);
        assert_exactly_once("region", &r.delivered_from(&p.id), 200);
    }
    wait_until("slots released", || r.engine.catchups_in_progress() == 0).await;
    // Every link stays up for live traffic after its catch-up.
    let status = r.engine.status().unwrap();
    assert_eq!(status.children.len(), 6);
    assert!(status.children.iter().all(|c| c.connected));
    stop.cancel();
}
