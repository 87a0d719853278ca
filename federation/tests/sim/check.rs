//! The invariants, checked where they can break: at every crash (what a
//! crash keeps must cover everything acknowledged), at every write (no
//! sequence number issued twice with other content), and after healing
//! (convergence, exactly-once delivery in order, no gap).

use std::collections::BTreeSet;
use std::time::Duration;

use extranet_federation::simstore::Image;
use extranet_federation::{Channel, Envelope, StreamId};

use crate::ledger::{Kind, Ledger};
use crate::tree::Tree;
use crate::world::{State, held};

/// After node `i` crashed and its disk came back as `image`.
pub fn after_crash(ledger: &mut Ledger, tree: &Tree, i: usize, image: &Image, at: Duration) {
    let id = &tree.ids[i];
    let mut found = Vec::new();
    for ((n, s), c) in &ledger.peer_claims {
        let have = image.cursor(s);
        if *n == i && have < *c {
            let what = format!("{id} 曾向对端确认 {} {:?} 至 {c}，崩溃后仅余 {have}", s.origin, s.channel);
            found.push((Kind::LostPeerAck, what));
        }
    }
    let restored = ledger.restored_at.get(&i).copied();
    for (o, ev, t) in &ledger.client_acked {
        if *o == i && restored.is_none_or(|r| *t > r) && !holds(image, ev) {
            let what = format!("{id} 已向客户端确认的事件 {:?} 序号 {} 在崩溃后丢失", ev.route.channel(), ev.seq);
            found.push((Kind::LostClientAck, what));
        }
    }
    if let Some(what) = applied_twice(image) {
        found.push((Kind::AppliedTwice, format!("{id}：{what}")));
    }
    for (kind, what) in found {
        ledger.violate(kind, at, what);
    }
}

/// After node `i` crashed (never restored in this run) and came back as
/// `image`: no neighbour may hold an event of a stream it got through `i`
/// beyond what `i` kept — a node never sends an event a crash could still
/// take back. (A run skipped for a child may go beyond: it holds nothing.)
pub fn sent_before_durable(st: &mut State, i: usize, image: &Image, at: Duration) {
    if st.ledger.restored_at.contains_key(&i) {
        return;
    }
    let tree = &st.tree;
    let mut found = Vec::new();
    let via_i = |j: usize, s: &StreamId| match (tree.parent(i) == Some(j), s.channel) {
        (true, Channel::Up) => s.origin.is_within(&tree.ids[i]),
        (false, Channel::Down) => tree.parent(j) == Some(i) && tree.ids[i].is_within(&s.origin),
        _ => false,
    };
    let neighbours: Vec<usize> = tree.parent(i).into_iter().chain(tree.children(i)).collect();
    for j in neighbours {
        for (s, evs) in st.nodes[j].store.visible().streams {
            let n = evs.last().map_or(0, |e| e.seq);
            let kept = image.cursor(&s);
            if via_i(j, &s) && n > kept {
                let what = format!(
                    "{} 持有经 {} 收到的 {} {:?} 至 {n}，而 {} 崩溃后仅余 {kept}：事件在持久化前已发出",
                    tree.ids[j], tree.ids[i], s.origin, s.channel, tree.ids[i]
                );
                found.push(what);
            }
        }
    }
    for what in found {
        st.ledger.violate(Kind::SentBeforeDurable, at, what);
    }
}

/// Node `i` just issued `ev`: nobody may hold another event under its id.
pub fn on_issue(st: &mut State, i: usize, ev: &Envelope, at: Duration) {
    let stream = ev.stream();
    for j in (0..st.tree.len()).filter(|&j| j != i) {
        if let Some(h) = held(&*st.nodes[j].store, &stream, ev.seq)
            && &h != ev
        {
            let what = format!(
                "{} 重新签发了序号 {} {:?}，而 {} 已持有内容不同的该序号事件",
                ev.origin, ev.seq, stream.channel, st.tree.ids[j]
            );
            st.ledger.violate(Kind::SeqReused, at, what);
        }
    }
}

/// Whether restoring node `i` now is within what recovery promises: the
/// direct peers hold the most of its own streams (the parent as much of
/// its up stream as any ancestor, some child as much of its down stream as
/// any descendant), and no neighbour is itself still unconfirmed after a
/// restore. `Err` says why not (the run then crashes `i` instead).
pub fn restore_recoverable(st: &State, i: usize) -> Result<(), String> {
    let tree = &st.tree;
    let len = |j: usize, s: &StreamId| held_len(&*st.nodes[j].store, s);
    let up = StreamId { origin: tree.ids[i].clone(), channel: Channel::Up };
    if let Some(p) = tree.parent(i) {
        let most = tree.ancestors(i).into_iter().map(|a| len(a, &up)).max().unwrap_or(0);
        if len(p, &up) < most || st.nodes[p].confirm {
            return Err(format!("上级 {} 自身尚未补齐", tree.ids[p]));
        }
    }
    let down = StreamId { origin: tree.ids[i].clone(), channel: Channel::Down };
    let kids = tree.children(i);
    let by_kids = kids.iter().map(|&c| len(c, &down)).max().unwrap_or(0);
    let most = tree.holders(&down).into_iter().filter(|&j| j != i).map(|j| len(j, &down)).max().unwrap_or(0);
    if by_kids < most || kids.iter().any(|&c| st.nodes[c].confirm) {
        return Err("下级自身尚未补齐".into());
    }
    Ok(())
}

fn held_len<S: extranet_federation::EventStore>(store: &S, stream: &StreamId) -> u64 {
    store.cursors().ok().and_then(|c| c.into_iter().find(|(s, _)| s == stream)).map_or(0, |(_, n)| n)
}

/// Whether every node holds what it should: all up, none recovering,
/// every stream at the same cursor at every holder, and holding the same
/// events — all of them at the origin's children, below them exactly those
/// whose scope reaches into the holder's subtree (the rest skipped) —
/// every final summary at every ancestor. `Err` says the first thing that
/// is not so.
pub fn converged(st: &State) -> Result<(), String> {
    let tree = &st.tree;
    let images: Vec<Image> = st.nodes.iter().map(|n| n.store.visible()).collect();
    for (i, node) in st.nodes.iter().enumerate() {
        match &node.engine {
            None => return Err(format!("{} 未运行", tree.ids[i])),
            Some(e) => {
                if let Some(r) = e.recovering() {
                    return Err(format!("{} 仍在恢复：{}", tree.ids[i], r.message()));
                }
            }
        }
    }
    for i in 0..tree.len() {
        for channel in [Channel::Up, Channel::Down] {
            let stream = StreamId { origin: tree.ids[i].clone(), channel };
            let all = images[i].streams.get(&stream).cloned().unwrap_or_default();
            for j in tree.holders(&stream) {
                let have = images[j].streams.get(&stream).cloned().unwrap_or_default();
                let want: Vec<Envelope> = all.iter().filter(|e| reaches(tree, i, j, e)).cloned().collect();
                if images[j].cursor(&stream) != images[i].cursor(&stream) {
                    return Err(format!(
                        "{} 的 {} {channel:?} 游标为 {}，来源为 {}",
                        tree.ids[j],
                        tree.ids[i],
                        images[j].cursor(&stream),
                        images[i].cursor(&stream)
                    ));
                }
                if have != want {
                    let first = (0..want.len().max(have.len())).find(|&k| want.get(k) != have.get(k)).unwrap_or(0);
                    return Err(format!(
                        "{} 持有 {} {channel:?} 共 {} 条，来源持有 {} 条，自序号 {} 起不同",
                        tree.ids[j],
                        tree.ids[i],
                        have.len(),
                        want.len(),
                        first + 1
                    ));
                }
            }
        }
        for a in tree.ancestors(i) {
            let got = images[a].summaries.get(&tree.ids[i]).map(|s| s.generated_at_ms);
            if got != Some(st.final_summary[i]) {
                return Err(format!("{} 持有的 {} 的摘要为 {got:?}，应为最终摘要", tree.ids[a], tree.ids[i]));
            }
        }
    }
    Ok(())
}

/// Whether holder `j` of origin `i`'s stream gets event `e`: up events and
/// a down stream at the origin's children whole; further down only what
/// reaches into `j`'s subtree.
fn reaches(tree: &Tree, i: usize, j: usize, e: &Envelope) -> bool {
    match &e.route {
        extranet_federation::Route::Down(scope) if tree.parent(j) != Some(i) => scope.reaches_into(&tree.ids[j]),
        _ => true,
    }
}

/// The checks after healing; `converged` is the result of waiting for it.
pub fn at_end(st: &mut State, converged: Result<(), String>, at: Duration) {
    let mut found = Vec::new();
    if let Err(what) = converged {
        found.push((Kind::NotConverged, format!("愈合后未收敛：{what}")));
    }
    let images: Vec<Image> = st.nodes.iter().map(|n| n.store.visible()).collect();
    for (i, image) in images.iter().enumerate() {
        let id = &st.tree.ids[i];
        for (s, evs) in &image.streams {
            let out_of_place = |k: usize, e: &Envelope| e.stream() != *s || (k > 0 && e.seq <= evs[k - 1].seq);
            if let Some(k) = evs.iter().enumerate().position(|(k, e)| out_of_place(k, e)) {
                found.push((
                    Kind::GapSkipped,
                    format!("{id} 持有的 {} {:?} 在第 {} 条处不连续", s.origin, s.channel, k + 1),
                ));
            }
        }
        if let Some(what) = applied_twice(image) {
            found.push((Kind::AppliedTwice, format!("{id}：{what}")));
        }
        if let Some(what) = out_of_order(image) {
            found.push((Kind::OrderBroken, format!("{id}：{what}")));
        }
        let expected: BTreeSet<(StreamId, u64)> = image
            .streams
            .values()
            .flatten()
            .filter(|e| e.takes_effect_at(id) || &e.origin == id)
            .map(|e| (e.stream(), e.seq))
            .collect();
        let applied: BTreeSet<(StreamId, u64)> = image.applied.iter().map(|e| (e.stream(), e.seq)).collect();
        if let Some((s, n)) = expected.symmetric_difference(&applied).next() {
            let what = format!("{id} 应用的事件与其应生效的事件不符（{} {:?} 序号 {n}）", s.origin, s.channel);
            found.push((Kind::NotConverged, what));
        }
    }
    for (o, ev, t) in &st.ledger.client_acked {
        let restored_after = st.ledger.restored_at.get(o).is_some_and(|r| r > t);
        if restored_after && !images.iter().any(|im| holds(im, ev)) {
            continue; // only the restored node ever had it: the backup lost it
        }
        for j in st.tree.holders(&ev.stream()).into_iter().filter(|&j| reaches(&st.tree, *o, j, ev)) {
            if !holds(&images[j], ev) {
                let what = format!(
                    "{} 未持有已向客户端确认的 {} {:?} 序号 {}",
                    st.tree.ids[j],
                    ev.origin,
                    ev.route.channel(),
                    ev.seq
                );
                found.push((Kind::LostClientAck, what));
            }
        }
    }
    for (kind, what) in found {
        st.ledger.violate(kind, at, what);
    }
}

fn holds(image: &Image, ev: &Envelope) -> bool {
    let evs = image.streams.get(&ev.stream()).map_or(&[][..], |v| &v[..]);
    evs.binary_search_by_key(&ev.seq, |e| e.seq).is_ok_and(|k| &evs[k] == ev)
}

fn applied_twice(image: &Image) -> Option<String> {
    let mut seen = BTreeSet::new();
    image
        .applied
        .iter()
        .find(|e| !seen.insert((e.stream(), e.seq)))
        .map(|e| format!("事件 {} {:?} 序号 {} 被应用两次", e.origin, e.route.channel(), e.seq))
}

fn out_of_order(image: &Image) -> Option<String> {
    let mut last = std::collections::BTreeMap::new();
    for e in &image.applied {
        let prev = last.insert(e.stream(), e.seq).unwrap_or(0);
        if e.seq <= prev {
            return Some(format!("{} {:?} 序号 {} 在 {prev} 之后应用", e.origin, e.route.channel(), e.seq));
        }
    }
    None
}
