//! The sync engine of the federation. It moves [`Envelope`]s between a node
//! and its parent and children, durably and exactly once, and knows nothing
//! of what they carry. It is generic over its storage ([`EventStore`]) and
//! its transport (frames over any duplex channel; gRPC in [`grpc`]).
//!
//! # The model
//!
//! **Streams.** Every origin node keeps two dense sequences, each starting at
//! 1: its *up* stream (reaches every ancestor) and its *down* stream (reaches
//! every descendant, and takes effect where the event's [`Scope`] covers the
//! receiver). An event is identified by `(origin, channel, seq)` and no relay
//! ever changes it. A node stores every event it accepts, whether or not it
//! takes effect there, because it relays it and keeps a replica.
//!
//! **Who sends what** ([`relay`]). To its parent a node sends the up streams
//! whose origin is itself or lies below it. To a child it sends the down
//! streams whose origin is itself or one of its ancestors — so a parent
//! relays its own parent's down events. A parent accepts from child `C` only
//! up events whose origin lies within `C`'s subtree; a child accepts from its
//! parent only down events whose origin is the parent or above. Anything
//! else is refused, logged with the peer's authenticated identity, and ends
//! the session ([`FedError::Refused`]).
//!
//! **A session** (module `session`). The child dials ([`Engine::spawn_uplink`]);
//! the parent serves ([`Engine::serve_child`]). Each side opens with a
//! [`Frame::Hello`] naming itself and stating its durable cursors for every
//! stream it receives from the peer; the claimed node must equal the
//! authenticated peer, and a parent only talks to its direct children. Each
//! side then sends the events above the peer's cursors, per stream in order,
//! in batches, never more than `window` unacknowledged events at a time. The
//! receiver offers each event to [`EventStore::accept`]: a duplicate is
//! skipped, a gap ends the session (the sender resumes from the cursors on
//! reconnect; a gap is never skipped). After a batch the receiver makes it
//! durable ([`EventStore::sync`]) and only then acknowledges it with
//! [`Frame::Ack`]. A sender likewise syncs before sending, so it never sends
//! an event it could still lose. Once a side has sent everything it held
//! when the peer's Hello arrived, it sends [`Frame::CaughtUp`]. Both sides
//! send [`Frame::Ping`] every `heartbeat`, carrying what they still owe the
//! peer; a link silent for `dead_after` is dead.
//!
//! **Dedupe forever.** Duplicates are recognised by sequence against the
//! stored cursor, never by a time window, so a county offline for weeks
//! resumes exactly where it left off. Nothing is ever deleted because a
//! peer lacks it after a reconnect: a peer that lost events (rebuilt from
//! scratch) states lower cursors and is simply sent them again.
//!
//! A duplicate must be the very event held: another event under the same
//! (origin, channel, seq) is a conflict ([`FedError::Conflict`]), never
//! acknowledged.
//!
//! **Restore from an older backup** ([`recovery`]). Each `Hello` also states
//! the sender's cursor of its own stream the peer holds; a peer holding more
//! sends those events back ([`EventStore::accept_own_recovered`]), and while
//! it does [`Engine::recovering`] tells the node to refuse writes, so it
//! never reissues a sequence number a peer holds.
//!
//! **Bounded catch-up.** A parent serves at most `max_concurrent_catchups`
//! catch-ups at once: it withholds its Hello until it holds a slot and keeps
//! the slot until both sides sent `CaughtUp`. Children reconnect with
//! exponential backoff and jitter ([`backoff`]), so a restarted region is not
//! met by every county at the same instant.
//!
//! **Link health** ([`status`]). [`Engine::status`] lists the parent and every
//! child (ever synced, connected now, or expected by configuration) with
//! what we owe each — computed from the store, so it is right while a link
//! is down — and what each said it owes us in its last `Ping`.
//!
//! **Summaries** ([`summary`]). Besides events, a child sends its parent
//! [`Frame::Summary`] frames: the latest status summary of itself and of
//! every node below it. They are latest-wins, not sequenced, never logged:
//! the store keeps one per origin ([`EventStore::put_summary`]). A node
//! publishes its own with [`Engine::publish_summary`]; sessions to the
//! parent send every summary of the subtree that is newer than what they
//! already sent on that session, promptly on change (and check again at
//! every heartbeat).
//!
//! **Transport.** The engine speaks frames over a [`Link`]: an authenticated
//! peer and a pair of channels. [`grpc`] carries links over
//! `extranet.v1.Federation/Sync`; [`link_pair`] joins two engines in memory
//! for tests and simulations; [`SimStore`] is the store of the
//! deterministic simulation (`federation/tests/sim/`), which knows what a
//! crash takes away. [`Engine::shutdown`] ends every session at
//! once; a node calls it before draining its gRPC server, whose graceful
//! shutdown would otherwise wait for sync streams that never end.
//!
//! # Layout
//!
//! Bottom-up: a module uses only modules on its own line or above it, never
//! one below (`tests/tests/layering` checks that no module cycle appears).
//!
//! | layer | modules | what they hold |
//! |---|---|---|
//! | vocabulary | [`error`], [`envelope`], [`frame`], [`summary`], [`config`], [`backoff`], `clock` | what moves and its identifiers; the frames of a session; the knobs; retry pacing; the summary clock |
//! | storage and transport | [`store`], [`memstore`], [`simstore`], [`link`], [`convert`] | the [`EventStore`] trait and two stores of it; a [`Link`] of frames; frames ↔ protobuf |
//! | rules and bookkeeping | [`relay`], `registry`, [`recovery`], `flow`, [`status`] | who sends and accepts which stream; live sessions per peer; the restore-from-backup state; one session's window and acks (`Shared`); the link figures |
//! | shared state | `core` | `Core`: what every link of a node shares (store, config, slots, registry, recovery) |
//! | session halves | `inbound`, `outbound` | receiving (check, accept, sync, ack) and sending (batches, acks, `CaughtUp`, `Ping`, summaries) |
//! | session | `session` | one session from the `Hello`s to the end, running both halves |
//! | uplink | `uplink` | the child's link to its parent, redialled with backoff |
//! | engine | [`engine`] | [`Engine`]: owns the `Core`, starts the uplink and child sessions, answers status |
//! | gRPC adapter | [`grpc`] | `Federation.Sync` over mTLS: links from and to the engine |

#![warn(missing_docs)]

pub mod backoff;
mod clock;
pub mod config;
pub mod convert;
mod core;
pub mod engine;
pub mod envelope;
pub mod error;
mod flow;
pub mod frame;
pub mod grpc;
mod inbound;
pub mod link;
pub mod memstore;
mod outbound;
pub mod recovery;
mod registry;
pub mod relay;
mod session;
pub mod simstore;
pub mod status;
pub mod store;
pub mod summary;
mod uplink;

pub use backoff::Backoff;
pub use config::EngineConfig;
pub use engine::Engine;
pub use envelope::{Channel, Envelope, Route, Scope, StreamId};
pub use error::FedError;
pub use frame::{Backlog, Frame, Skipped};
pub use grpc::{FederationService, GrpcDialer, MAX_EVENT_PAYLOAD_BYTES, MAX_MESSAGE_BYTES};
pub use link::{Dialer, Link, link_pair};
pub use memstore::MemStore;
pub use recovery::{Recovering, RecoveringStream};
pub use relay::PeerRole;
pub use simstore::{SimStore, SyncFault};
pub use status::{LinkStatus, PeerStatus};
pub use store::{Accepted, EventStore, Incoming, skip_outcome, take_runs};
pub use summary::Summary;
