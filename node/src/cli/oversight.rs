//! `extranet oversight`: the tree below a node as an indented table, with
//! health, backlog, overdue counts, utilisation and last heard; filterable,
//! sortable, or `--json` for scripts.

use clap::Args;
use extranet_proto::v1 as pb;

use super::choice::choice;
use super::conn::Conn;
use super::output;
use crate::present::filter::{Only, SortBy, keep, sort};
use crate::present::oversight::print_view;

/// Options of `extranet oversight`.
#[derive(Args, Clone)]
pub struct OversightArgs {
    #[command(flatten)]
    conn: Conn,
    /// Keep only these rows.
    #[arg(long, value_parser = choice::<Only>())]
    only: Option<Only>,
    /// Order of the rows.
    #[arg(long, value_parser = choice::<SortBy>(), default_value = "tree")]
    sort: SortBy,
}

/// Runs `extranet oversight`.
pub async fn run(args: &OversightArgs) -> anyhow::Result<()> {
    let client = args.conn.client().await?;
    let mut view = client.oversight().get_oversight(pb::GetOversightRequest {}).await?.into_inner();
    view.rows.retain(|r| keep(r, args.only));
    sort(&mut view.rows, args.sort);
    output::emit(args.conn.json, &view, print_view)
}
