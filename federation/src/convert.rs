//! Frames to and from the wire (`extranet.v1.SyncFrame`). Everything from
//! the wire is checked here — a malformed frame, a bad division path, an
//! unspecified channel or scope — so the engine only ever sees well-formed
//! frames and a bad peer gets a clear protocol error, never a panic.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use pb::sync_frame::Frame as PbFrame;

use crate::{Backlog, Channel, Envelope, FedError, Frame, Route, Scope, Skipped, StreamId, Summary};

/// A frame as sent on the wire.
pub fn frame_to_proto(frame: Frame) -> pb::SyncFrame {
    let inner = match frame {
        Frame::Hello { node, cursors, version, dead_after, skips } => PbFrame::Hello(pb::Hello {
            node: node.to_string(),
            cursors: cursors_to_proto(cursors),
            software_version: version,
            dead_after_ms: dead_after.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            skips,
        }),
        Frame::Scoped { events, skips } => PbFrame::Events(pb::EventBatch {
            events: events.into_iter().map(envelope_to_proto).collect(),
            skips: skips
                .into_iter()
                .map(|r| pb::Skip {
                    origin: r.stream.origin.to_string(),
                    channel: channel_to_proto(r.stream.channel) as i32,
                    from: r.from,
                    through: r.through,
                })
                .collect(),
        }),
        Frame::Events(events) => PbFrame::Events(pb::EventBatch {
            events: events.into_iter().map(envelope_to_proto).collect(),
            skips: vec![],
        }),
        Frame::Ack(cursors) => PbFrame::Ack(pb::Ack { cursors: cursors_to_proto(cursors) }),
        Frame::CaughtUp => PbFrame::CaughtUp(pb::CaughtUp {}),
        Frame::Ping { owed, sent_at_ms } => PbFrame::Ping(pb::Ping {
            owed: Some(pb::Backlog { count: owed.count, oldest_created_at_ms: owed.oldest_created_at_ms }),
            sent_at_ms,
        }),
        Frame::Summary { summary: s, age_ms } => PbFrame::Summary(pb::Summary {
            origin: s.origin.to_string(),
            generated_at_ms: s.generated_at_ms,
            payload: s.payload,
            age_ms,
        }),
    };
    pb::SyncFrame { frame: Some(inner) }
}

/// A frame from the wire, checked; a protocol error says what was wrong.
pub fn frame_from_proto(frame: pb::SyncFrame) -> Result<Frame, FedError> {
    Ok(match frame.frame.ok_or_else(|| bad("空帧（未设置任何字段）".into()))? {
        PbFrame::Hello(h) => Frame::Hello {
            node: node(&h.node, "Hello.node")?,
            cursors: cursors_from_proto(h.cursors)?,
            version: h.software_version,
            dead_after: (h.dead_after_ms > 0).then(|| std::time::Duration::from_millis(h.dead_after_ms)),
            skips: h.skips,
        },
        PbFrame::Events(b) => {
            let events = b.events.into_iter().map(envelope_from_proto).collect::<Result<_, _>>()?;
            if b.skips.is_empty() {
                Frame::Events(events)
            } else {
                Frame::Scoped { events, skips: b.skips.into_iter().map(skipped_from_proto).collect::<Result<_, _>>()? }
            }
        }
        PbFrame::Ack(a) => Frame::Ack(cursors_from_proto(a.cursors)?),
        PbFrame::CaughtUp(_) => Frame::CaughtUp,
        PbFrame::Ping(p) => {
            let owed = p.owed.unwrap_or_default();
            Frame::Ping {
                owed: Backlog { count: owed.count, oldest_created_at_ms: owed.oldest_created_at_ms },
                sent_at_ms: p.sent_at_ms,
            }
        }
        PbFrame::Summary(s) => Frame::Summary {
            summary: Summary {
                origin: node(&s.origin, "Summary.origin")?,
                generated_at_ms: s.generated_at_ms,
                // Dated by the receiving engine, on its own clock.
                heard_at_ms: 0,
                payload: s.payload,
            },
            age_ms: s.age_ms,
        },
    })
}

/// An event in its wire form (`extranet.v1.Envelope`, protobuf): how a
/// store keeps it, so it is as compact on disk as on the wire.
pub fn encode_envelope(ev: &Envelope) -> Vec<u8> {
    prost::Message::encode_to_vec(&envelope_to_proto(ev.clone()))
}

/// Reads an event in its wire form, checked like one from a peer.
pub fn decode_envelope(bytes: &[u8]) -> Result<Envelope, FedError> {
    let ev = <pb::Envelope as prost::Message>::decode(bytes).map_err(|e| bad(format!("事件无法解码：{e}")))?;
    envelope_from_proto(ev)
}

fn envelope_to_proto(ev: Envelope) -> pb::Envelope {
    let (scope_kind, scope) = match &ev.route {
        Route::Up => (pb::ScopeKind::Unspecified, String::new()),
        Route::Down(Scope::Node(n)) => (pb::ScopeKind::Node, n.to_string()),
        Route::Down(Scope::Subtree(n)) => (pb::ScopeKind::Subtree, n.to_string()),
    };
    pb::Envelope {
        origin: ev.origin.to_string(),
        channel: channel_to_proto(ev.route.channel()) as i32,
        seq: ev.seq,
        scope_kind: scope_kind as i32,
        scope,
        kind: ev.kind,
        payload: ev.payload,
        created_at_ms: ev.created_at_ms,
    }
}

fn envelope_from_proto(ev: pb::Envelope) -> Result<Envelope, FedError> {
    let origin = node(&ev.origin, "Envelope.origin")?;
    if ev.seq == 0 {
        return Err(bad(format!("来源 {origin} 的事件序号为 0（序号从 1 开始）")));
    }
    let kind = pb::ScopeKind::try_from(ev.scope_kind).map_err(|_| bad(format!("未知的范围类型 {}", ev.scope_kind)))?;
    let route = match (channel_from_proto(ev.channel)?, kind) {
        (Channel::Up, pb::ScopeKind::Unspecified) if ev.scope.is_empty() => Route::Up,
        (Channel::Up, _) => return Err(bad("上行事件不得携带范围".into())),
        (Channel::Down, pb::ScopeKind::Node) => Route::Down(Scope::Node(node(&ev.scope, "Envelope.scope")?)),
        (Channel::Down, pb::ScopeKind::Subtree) => Route::Down(Scope::Subtree(node(&ev.scope, "Envelope.scope")?)),
        (Channel::Down, pb::ScopeKind::Unspecified) => return Err(bad("下行事件必须指定范围类型".into())),
    };
    Ok(Envelope { origin, seq: ev.seq, route, kind: ev.kind, payload: ev.payload, created_at_ms: ev.created_at_ms })
}

fn skipped_from_proto(r: pb::Skip) -> Result<Skipped, FedError> {
    let origin = node(&r.origin, "Skip.origin")?;
    let channel = channel_from_proto(r.channel)?;
    if channel != Channel::Down {
        return Err(bad(format!("跳过的只能是下行事件（来源 {origin}）")));
    }
    if r.from == 0 || r.through < r.from {
        return Err(bad(format!("跳过的序号范围无效：来源 {origin} 自 {} 至 {}", r.from, r.through)));
    }
    Ok(Skipped { stream: StreamId { origin, channel }, from: r.from, through: r.through })
}

fn cursors_to_proto(cursors: Vec<(StreamId, u64)>) -> Vec<pb::StreamCursor> {
    cursors
        .into_iter()
        .map(|(s, seq)| pb::StreamCursor {
            origin: s.origin.to_string(),
            channel: channel_to_proto(s.channel) as i32,
            seq,
        })
        .collect()
}

fn cursors_from_proto(cursors: Vec<pb::StreamCursor>) -> Result<Vec<(StreamId, u64)>, FedError> {
    cursors
        .into_iter()
        .map(|c| {
            let stream =
                StreamId { origin: node(&c.origin, "StreamCursor.origin")?, channel: channel_from_proto(c.channel)? };
            Ok((stream, c.seq))
        })
        .collect()
}

fn channel_to_proto(c: Channel) -> pb::Channel {
    match c {
        Channel::Up => pb::Channel::Up,
        Channel::Down => pb::Channel::Down,
    }
}

fn channel_from_proto(raw: i32) -> Result<Channel, FedError> {
    match pb::Channel::try_from(raw) {
        Ok(pb::Channel::Up) => Ok(Channel::Up),
        Ok(pb::Channel::Down) => Ok(Channel::Down),
        Ok(pb::Channel::Unspecified) => Err(bad("通道未指定（CHANNEL_UNSPECIFIED）".into())),
        Err(_) => Err(bad(format!("未知的通道 {raw}"))),
    }
}

fn node(s: &str, field: &str) -> Result<NodeId, FedError> {
    NodeId::parse(s).map_err(|e| bad(format!("{field}：{e}")))
}

fn bad(msg: String) -> FedError {
    FedError::Protocol(format!("帧格式错误：{msg}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NodeId {
        NodeId::parse(s).unwrap()
    }

    fn ev(route: Route) -> Envelope {
        Envelope {
            origin: n("540000"),
            seq: 3,
            route,
            kind: "notice.v1".into(),
            payload: vec![1, 2],
            created_at_ms: 99,
        }
    }

    #[test]
    fn frames_roundtrip() {
        let s = StreamId { origin: n("540000/540100"), channel: Channel::Down };
        let frames = vec![
            Frame::Hello {
                node: n("540000/540100"),
                cursors: vec![(s.clone(), 7)],
                version: "0.1.0".into(),
                dead_after: Some(std::time::Duration::from_secs(20)),
                skips: true,
            },
            Frame::Scoped {
                events: vec![ev(Route::Down(Scope::Node(n("540000/540100"))))],
                skips: vec![
                    Skipped { stream: s.clone(), from: 1, through: 2 },
                    Skipped { stream: s.clone(), from: 4, through: 8 },
                ],
            },
            Frame::Events(vec![
                ev(Route::Up),
                ev(Route::Down(Scope::Node(n("540000/540100")))),
                ev(Route::Down(Scope::Subtree(n("540000/540200")))),
            ]),
            Frame::Ack(vec![(s, 9)]),
            Frame::CaughtUp,
            Frame::Ping { owed: Backlog { count: 4, oldest_created_at_ms: 12 }, sent_at_ms: 13 },
            Frame::Summary {
                summary: Summary {
                    origin: n("540000/540600/540621"),
                    generated_at_ms: 5,
                    heard_at_ms: 0,
                    payload: vec![7],
                },
                age_ms: 1_500,
            },
        ];
        for f in frames {
            assert_eq!(frame_from_proto(frame_to_proto(f.clone())).unwrap(), f);
        }
    }

    #[test]
    fn a_malformed_skip_is_a_protocol_error() {
        let run = |channel: pb::Channel, from, through| pb::SyncFrame {
            frame: Some(PbFrame::Events(pb::EventBatch {
                events: vec![],
                skips: vec![pb::Skip { origin: "540000".into(), channel: channel as i32, from, through }],
            })),
        };
        assert!(frame_from_proto(run(pb::Channel::Down, 2, 2)).is_ok());
        for (channel, from, through) in [(pb::Channel::Up, 1, 2), (pb::Channel::Down, 0, 2), (pb::Channel::Down, 5, 4)]
        {
            let err = frame_from_proto(run(channel, from, through)).unwrap_err();
            assert!(matches!(err, FedError::Protocol(_)), "{channel:?} {from}..{through}: {err}");
        }
    }

    #[test]
    fn malformed_frames_are_protocol_errors() {
        let proto_of = |f| match frame_to_proto(f).frame {
            Some(PbFrame::Events(b)) => b.events[0].clone(),
            _ => unreachable!(),
        };
        let good = proto_of(Frame::Events(vec![ev(Route::Down(Scope::Node(n("540000/540100"))))]));
        let cases: [fn(&mut pb::Envelope); 8] = [
            |e| e.channel = 0,
            |e| e.channel = 7,
            |e| e.origin = "54/0".into(),
            |e| e.scope_kind = 0,
            |e| e.scope_kind = 9,
            |e| e.scope = "".into(),
            |e| e.seq = 0,
            |e| e.channel = pb::Channel::Up as i32,
        ];
        for mutate in cases {
            let mut e = good.clone();
            mutate(&mut e);
            let f = pb::SyncFrame { frame: Some(PbFrame::Events(pb::EventBatch { events: vec![e], skips: vec![] })) };
            assert!(matches!(frame_from_proto(f), Err(FedError::Protocol(_))));
        }
        assert!(matches!(frame_from_proto(pb::SyncFrame { frame: None }), Err(FedError::Protocol(_))));
        let hello = pb::Hello {
            node: "not a node".into(),
            cursors: vec![],
            software_version: String::new(),
            dead_after_ms: 0,
            skips: false,
        };
        let f = pb::SyncFrame { frame: Some(PbFrame::Hello(hello)) };
        assert!(matches!(frame_from_proto(f), Err(FedError::Protocol(_))));
    }
}
