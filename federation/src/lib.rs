//! The sync engine of the federation. It moves [`Envelope`]s between a node
//! and its parent and children, durably and exactly once, and knows nothing
//! of what they carry. It is generic over its storage ([`EventStore`]) and
//! its transport (frames over any duplex channel; gRPC in [`grpc`]).

pub mod envelope;
pub mod error;
pub mod frame;
pub mod store;

pub use envelope::{Channel, Envelope, Route, Scope, StreamId};
pub use error::FedError;
pub use frame::{Backlog, Frame};
pub use store::{Accepted, EventStore};
