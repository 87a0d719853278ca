//! The console's pages, one file per subject, and the routes that reach
//! them. Every handler takes [`Signed`](super::guard::Signed) (reads) or
//! [`Posted`](super::guard::Posted) (writes, CSRF-checked), calls the
//! node's services and renders the answer.
//!
//! Shared by the pages: [`common`] (a deadline as people read it, the
//! calendar in force).
//!
//! | route | page |
//! | --- | --- |
//! | `/signin`, `/signin/<token>`, `/signout` | [`signin`] |
//! | `/` | [`home`]: an operator's day, or a unit's own records |
//! | `/filings…` | [`filings`]: list, file a cutover (Art.21 checked live), one filing with its receipts, a cutover's printable notice |
//! | `/access…` | [`access`]: the review queue, one application, decide, the written notice |
//! | `/access/new` | [`apply`]: a unit applies (Art.8 declaration, Art.15 routing) |
//! | `/faults…` | [`faults`]: the fault board with live countdowns, the report form, a ticket's timeline and steps |
//! | `/approvals…` | [`approvals`]: approvals of a major adjustment, what waits on this level first; apply, decide, print a level's notice (Art.21) |
//! | `/orders…` | [`orders`]: disconnection and rectification orders; issue, rectified, lift, extend, print the order and lifting notice (Art.25(4)) |
//! | `/incidents…` | [`incidents`]: security incidents — the operator's queue, the report form, one with the five departments (Art.26(1)) |
//! | `/circulars…` | [`circulars`]: circulars issued here and from above, the issuing form, one with its printable document (Art.28, Art.29) |
//! | `/inspections…` | [`inspections`]: supervision inspections (Art.28) — what waits on the person signed in, all held here, the record form, one with its findings and the steps allowed |
//! | `/interruptions…` | [`interruptions`]: maintenance interruptions by phase, the request form, one with its steps (Art.24) |
//! | `/report…` | [`report`]: the annual work report (Art.10): the year's figures for the node and its subtree, the nodes not reported, the printable report |
//! | `/evaluation…` | [`evaluation`]: the annual evaluation (Art.27): figures, hand assessments, filing, the printable report and CSV |
//! | `/addresses…` | [`addresses`]: the pool as bars, assign a /64, ask the parent for space |
//! | `/systems…` | [`systems`]: information systems (Art.23) — a unit applies for addresses and files the launch; the operator's one queue of both |
//! | `/access-points…` | [`access_points`]: the access rooms and unified devices of the units registered here (Art.14, Art.17, Art.18, Art.20) — rooms and devices, one device with its history and the forms for a change, a violation, a reclaim |
//! | `/private-networks…` | [`private_networks`]: the register of non-classified private networks (Art.5, Art.9, Art.10) — all held here, the registration form, one with its next step |
//! | `/oversight…` | [`oversight`]: the tree below, filters, sorting, one node |
//! | `/calendar…` | [`calendar`]: the working-day calendar as a calendar; the region publishes |

pub mod access;
pub mod access_points;
pub mod addresses;
pub mod apply;
pub mod approvals;
pub mod calendar;
pub mod circulars;
pub mod common;
pub mod evaluation;
pub mod faults;
pub mod filings;
pub mod home;
pub mod incidents;
pub mod inspections;
pub mod interruptions;
pub mod orders;
pub mod oversight;
pub mod private_networks;
pub mod queue;
pub mod report;
pub mod signin;
pub mod systems;

use super::assets;
use super::failure::Failure;
use super::state::Console;
use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};

/// Every route of the console.
pub fn router() -> Router<Console> {
    Router::new()
        .route("/assets/console.css", get(assets::css))
        .route("/assets/console.js", get(assets::js))
        .route("/signin", get(signin::page))
        .route("/signin/{token}", get(signin::confirm).post(signin::exchange))
        .route("/signout", post(signin::signout))
        .route("/", get(home::page))
        .route("/filings", get(filings::list))
        .route("/filings/new", get(filings::form).post(filings::file))
        .route("/filings/earliest", get(filings::earliest))
        .route("/filings/{id}", get(filings::show))
        .route("/filings/{id}/notice", get(filings::notice))
        .route("/access", get(access::list))
        .route("/access/new", get(apply::form).post(apply::submit))
        .route("/access/{id}", get(access::show))
        .route("/access/{id}/decide", post(access::decide))
        .route("/access/{id}/notice", get(access::notice))
        .route("/faults", get(faults::board))
        .route("/faults/new", get(faults::form).post(faults::report))
        .route("/faults/{id}", get(faults::show))
        .route("/faults/{id}/act", post(faults::act))
        .route("/interruptions", get(interruptions::list))
        .route("/interruptions/new", get(interruptions::form).post(interruptions::request))
        .route("/interruptions/{id}", get(interruptions::show))
        .route("/interruptions/{id}/act", post(interruptions::act))
        .route("/approvals", get(approvals::list))
        .route("/approvals/new", get(approvals::form).post(approvals::apply))
        .route("/approvals/{id}", get(approvals::show))
        .route("/approvals/{id}/decide", post(approvals::decide))
        .route("/approvals/{id}/notice/{level}", get(approvals::notice))
        .route("/orders", get(orders::list))
        .route("/orders/new", get(orders::form).post(orders::issue))
        .route("/orders/{id}", get(orders::show))
        .route("/orders/{id}/act", post(orders::act))
        .route("/orders/{id}/notice", get(orders::notice))
        .route("/incidents", get(incidents::list))
        .route("/incidents/new", get(incidents::form).post(incidents::report))
        .route("/incidents/{id}", get(incidents::show))
        .route("/incidents/{id}/act", post(incidents::act))
        .route("/circulars", get(circulars::list))
        .route("/circulars/new", get(circulars::form).post(circulars::issue))
        .route("/circulars/{id}", get(circulars::show))
        .route("/circulars/{id}/document", get(circulars::document))
        .route("/access-points", get(access_points::page))
        .route("/access-points/rooms", post(access_points::record_room))
        .route("/access-points/devices", post(access_points::register))
        .route("/access-points/devices/{id}", get(access_points::show))
        .route("/access-points/devices/{id}/{step}", post(access_points::step))
        .route("/private-networks", get(private_networks::list).post(private_networks::register))
        .route("/private-networks/{id}", get(private_networks::show))
        .route("/private-networks/{id}/update", post(private_networks::update))
        .route("/inspections", get(inspections::list))
        .route("/inspections/new", get(inspections::form).post(inspections::record))
        .route("/inspections/{id}", get(inspections::show))
        .route("/inspections/{id}/act", post(inspections::act))
        .route("/report", get(report::page))
        .route("/report/document", get(report::print))
        .route("/evaluation", get(evaluation::page))
        .route("/evaluation/file", post(evaluation::file))
        .route("/evaluation/{id}/document", get(evaluation::print))
        .route("/evaluation/{id}/csv", get(evaluation::export))
        .route("/addresses", get(addresses::page))
        .route("/addresses/assign", post(addresses::assign))
        .route("/addresses/request", post(addresses::request))
        .route("/systems", get(systems::page))
        .route("/systems/apply", post(systems::apply))
        .route("/systems/launch", post(systems::launch))
        .route("/systems/{id}/decide", post(systems::decide))
        .route("/oversight", get(oversight::tree))
        .route("/oversight/node", get(oversight::node))
        .route("/calendar", get(calendar::page))
        .route("/calendar/publish", post(calendar::publish))
        .fallback(not_found)
}

async fn not_found() -> impl IntoResponse {
    Failure::new(StatusCode::NOT_FOUND, "没有这个页面")
}
