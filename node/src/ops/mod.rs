//! The operations: what a filing, an application, an address request
//! *does* at this node, using the domain's rules and the store's
//! transactions. The gRPC handlers (`service/`) authorise, decode, call one
//! of these and encode; the workers and the demo call them too.
//!
//! | module | operations |
//! | --- | --- |
//! | [`approval`] | apply for and decide a major adjustment level by level (Art.21), each decision with its notice |
//! | [`fault`] | report a fault and take its steps (Art.13's clocks), record breaches nobody acted on |
//! | [`fault_registry`] | register link providers, O&M units and access points with their fault class |
//! | [`inspection`] | record a supervision inspection (Art.28), answer its rectifications as the inspected party, accept or return them |
//! | [`order`] | order a unit disconnected with a rectification deadline (Art.25(4)), record its rectification, lift or extend |
//! | [`incident`] | report a security incident (Art.26(1)), record the departments told, decide whether to report it up, close it |
//! | [`private_network`] | register a non-classified private network (Art.5, Art.9, Art.10), record its planned migration, its migration and its lease fees stopped |
//! | [`circular`] | issue a circular (Art.28, Art.29) down to the node's subtree, its document numbered per year |
//! | [`interruption`] | ask for, approve and carry out a maintenance interruption (Art.24); the approval is filed up |
//! | [`filing`] | file a cutover or any filing: record it and announce it up, durable before answered |
//! | [`launch`] | file a system launch or change (Art.23): its unit registered here, its addresses the unit's assignments |
//! | [`evaluation`] | the annual evaluation of providers and O&M units (Art.27): figures from the tickets, filed up |
//! | [`report`] | file the annual report (Art.10) from this node's and its subtree's figures |
//! | [`access`] | lodge, route (Art.15), decide and withdraw applications; overdue deadlines (Art.16) |
//! | [`ipam`] | address management: delegate, assign, reserve, reclaim, request and grant space; units' requests for a system's addresses |
//! | [`withdrawn_addresses`] | a withdrawn unit's addresses reclaimed at its own node (Art.17) |
//! | [`assets`] | access-point devices and rooms (Art.14, Art.18): register, change under an approved Art.22 application, violations |
//! | [`device_reclaim`] | a withdrawn unit's devices reclaimed one by one; the checklist reaches the deciding node's ledger (Art.17) |
//! | [`units`] | register access units; suspend and resume them |
//! | [`calendar`] | publish the working-day calendar (the region only) |
//! | [`pki`] | publish a CA node's revocation list |
//! | [`idempotency`] | the response of a write RPC stored in the write itself |

pub mod access;
pub mod approval;
pub mod assets;
pub mod calendar;
pub mod circular;
pub mod device_reclaim;
pub mod evaluation;
pub mod fault;
pub mod fault_registry;
pub mod filing;
pub mod idempotency;
pub mod incident;
pub mod inspection;
pub mod interruption;
pub mod ipam;
pub mod launch;
pub mod order;
pub mod pki;
pub mod private_network;
pub mod report;
pub mod units;
pub mod withdrawn_addresses;
