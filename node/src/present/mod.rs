//! How records read to a person: Beijing time, tables, a filing, the
//! oversight view. Both the CLI and the demo print through here, and it
//! depends on neither, so the CLI can run the demo without a cycle.

pub mod access;
pub mod approval;
pub mod asset;
pub mod circular;
pub mod evaluation;
pub mod fault;
pub mod filing;
pub mod filter;
pub mod incident;
pub mod inspection;
pub mod interruption;
pub mod order;
pub mod oversight;
pub mod private_network;
pub mod report;
pub mod text;
