//! `extranet demo`: a federation started on this machine's loopback with a
//! freshly minted PKI, and a scripted walkthrough of what its nodes do —
//! the whole region (`region.rs`, with its day of work in `day.rs`), or four
//! nodes with `--small` (`small.rs`). This module only chooses between them;
//! both print through [`crate::present`], never through the CLI, so the
//! CLI can start the demo without the two depending on each other. Its
//! directory and log file ([`Workdir`]) are made first, before logging.

mod console;
mod cutover;
mod day;
mod region;
mod small;
mod workdir;

pub use workdir::Workdir;

/// Runs the walkthrough in `dir` (the whole region, or the four nodes with
/// `small`); with `once`, stops after it instead of waiting for Ctrl-C.
pub async fn run(dir: Workdir, small: bool, once: bool) -> anyhow::Result<()> {
    if small { small::run(dir, once).await } else { region::run(dir, once).await }
}
