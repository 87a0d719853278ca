//! `extranet order …`: order a unit disconnected with a rectification
//! deadline (中断连接、限期整改, Art.25(4)), record its rectification, lift
//! the order or extend the deadline, list and show orders, and print the
//! written order or lifting notice (text, or A4 HTML with `--html`).

use clap::{Args, Subcommand};
use extranet_domain::OrderState;
use extranet_proto::v1 as pb;

use super::choice::choice;
use super::conn::Conn;
use super::output;
use crate::codec::WireEnum;
use crate::present::order::{HEADER, print_order, row};

/// Order commands.
#[derive(Subcommand)]
pub enum OrderCmd {
    /// Order a unit of this node disconnected, with a deadline to rectify (operator).
    Issue {
        #[command(flatten)]
        conn: Conn,
        /// The unit, e.g. u0001.
        #[arg(long)]
        unit: String,
        /// The security problem that affects the extranet.
        #[arg(long)]
        reason: String,
        /// Working days allowed to rectify (1–60), on the calendar in force.
        #[arg(long)]
        days: u32,
    },
    /// Orders held at the node (its own and its subtree's), the latest first.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only these states; repeat for several.
        #[arg(long = "state", value_parser = choice::<OrderState>())]
        states: Vec<OrderState>,
        /// Only this unit's.
        #[arg(long, default_value = "")]
        unit: String,
        /// Only overdue ones.
        #[arg(long)]
        overdue: bool,
    },
    /// One order with its steps.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Order id, e.g. 540102-D000001.
        id: String,
    },
    /// Report the rectification: the unit itself, or the operator on its behalf (报送整改情况).
    Rectified {
        #[command(flatten)]
        step: Step,
        /// What was done.
        #[arg(long)]
        report: String,
    },
    /// Verify the rectification and lift the order: access restored (operator, 恢复连接).
    Lift {
        #[command(flatten)]
        step: Step,
        /// The verification's remarks.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Extend the deadline by working days, with a reason (operator, 延长整改期限).
    Extend {
        #[command(flatten)]
        step: Step,
        /// Working days added (1–60).
        #[arg(long)]
        days: u32,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Print the written order, or with --lifting the lifting notice.
    Notice {
        #[command(flatten)]
        conn: Conn,
        /// Order id.
        id: String,
        /// The lifting notice (恢复连接通知) instead of the order.
        #[arg(long)]
        lifting: bool,
        /// Printable A4 HTML instead of text.
        #[arg(long)]
        html: bool,
    },
}

/// A step's connection and order.
#[derive(Args)]
pub struct Step {
    #[command(flatten)]
    conn: Conn,
    /// Order id, e.g. 540102-D000001.
    id: String,
}

/// Runs an order command.
pub async fn run(cmd: OrderCmd) -> anyhow::Result<()> {
    use pb::OrderAction as A;
    let (step, action, text, working_days) = match cmd {
        OrderCmd::Issue { conn, unit, reason, days } => {
            let req = pb::IssueOrderRequest { unit_id: unit, reason, working_days: days, ..Default::default() };
            let o = conn.write(req, async |c, r| c.orders().issue_order(r).await).await?;
            return output::emit(conn.json, &o, print_order);
        }
        OrderCmd::List { conn, states, unit, overdue } => {
            let states = states.iter().map(|s| s.to_pb() as i32).collect();
            let r = pb::ListOrdersRequest {
                states,
                unit_id: unit,
                overdue_only: overdue,
                page_size: 1000,
                ..Default::default()
            };
            let list = conn.client().await?.orders().list_orders(r).await?.into_inner();
            return output::emit(conn.json, &list, |l| {
                output::table(&HEADER, &l.orders.iter().map(row).collect::<Vec<_>>());
            });
        }
        OrderCmd::Show { conn, id } => {
            let o = conn.client().await?.orders().get_order(pb::GetOrderRequest { id }).await?.into_inner();
            return output::emit(conn.json, &o, print_order);
        }
        OrderCmd::Notice { conn, id, lifting, html } => {
            let o = conn.client().await?.orders().get_order(pb::GetOrderRequest { id }).await?.into_inner();
            let notice = if lifting { o.lifting_notice } else { o.order_notice };
            let n = notice.ok_or_else(|| anyhow::anyhow!("中断连接通知 {} 尚未恢复连接，没有恢复连接通知", o.id))?;
            print!("{}", if html { &n.html } else { &n.text });
            return Ok(());
        }
        OrderCmd::Rectified { step, report } => (step, A::Rectified, report, 0),
        OrderCmd::Lift { step, note } => (step, A::Lift, note, 0),
        OrderCmd::Extend { step, days, reason } => (step, A::Extend, reason, days),
    };
    let r = pb::ActOnOrderRequest { id: step.id, action: action as i32, text, working_days, ..Default::default() };
    let o = step.conn.write(r, async |c, r| c.orders().act_on_order(r).await).await?;
    output::emit(step.conn.json, &o, print_order)
}
