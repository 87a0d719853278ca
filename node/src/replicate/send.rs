//! Sending an access message to one node in the current write: up to an
//! ancestor, down to a descendant, otherwise up to the nearest common
//! ancestor, which turns it down (`access.rs`). Shared by the applications'
//! messages and the withdrawal's reclaim reports (`devices.rs`).

use extranet_certs::NodeId;
use extranet_federation::{Route, Scope};

use crate::codec::{self, AccessMessage};
use crate::store::{Tx, TxResult};

/// The route of a message from `me` to the node `to` (a message to an owner,
/// or an owner's answer): up to an ancestor, down to a descendant, and
/// otherwise up to the nearest common ancestor, which sends it down.
pub fn route_to(me: &NodeId, to: &NodeId) -> Route {
    if me.is_ancestor_of(to) { Route::Down(Scope::Node(to.clone())) } else { Route::Up }
}

/// Sends `msg` to the node it names, in the current write.
pub fn send_access(tx: &mut Tx<'_>, msg: &AccessMessage) -> TxResult<()> {
    let route = route_to(tx.me(), msg.to());
    tx.emit(route, codec::KIND_ACCESS, codec::encode_access(msg))?;
    Ok(())
}
