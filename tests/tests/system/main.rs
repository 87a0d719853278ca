//! The system tests: real nodes with real mutual TLS on 127.0.0.1 port 0 (or
//! real `extranet` processes, or headless Chromium against the console), one
//! module per capability.
//!
//! They are one test binary, not one per file, because each binary links the
//! whole node: forty-odd copies of it took about 6 GiB of `target/` and most
//! of CI's link time. Run one module with
//! `cargo test -p extranet-tests --test system launch::`.

mod access;
mod approval_cli;
mod approvals;
mod bounds;
mod browser_smoke;
mod calendar;
mod calendar_local;
mod calendar_provisional;
mod calendar_year_end;
mod circulars;
mod console;
mod console_access_points;
mod console_browser;
mod console_forms;
mod console_report;
mod console_systems;
mod crash;
mod cutover_notice;
mod demo;
mod devices;
mod discovery;
mod edge;
mod evaluation;
mod fault_cli;
mod fault_escalation;
mod faults;
mod filing_flow;
mod idempotency;
mod incidents;
mod inspections;
mod interruptions;
mod ipam;
mod ipam_cli;
mod ipam_ipv4;
mod ipam_reclaim_delegation;
mod ipam_requests;
mod ipam_reuse;
mod launch;
mod metrics;
mod national;
mod orders;
mod oversight;
mod partition;
mod power_loss;
mod private_networks;
mod report;
mod restore;
mod revocation;
mod security;
mod store_migrate;
mod unit_update;
mod validation;
mod workers;
