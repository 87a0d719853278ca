//! The annual evaluation at its node (Art.27): the figures of a year from
//! the fault tickets the node holds — its own and its subtree's, never a
//! ticket announced from above — with a row for every provider and O&M
//! unit registered here even if it had no fault; the operator's hand
//! assessments checked against them; filed upward once per node and year.

use chrono::Datelike;

use super::idempotency;
use crate::codec;
use crate::domain::evaluation::{self, Assessment, Evaluation, PartyKind};
use crate::domain::{Filing, FilingDetails, report};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, abort};

/// The figures of `year` at this node as they stand at `now_ms`: a draft
/// with no assessments and no conclusion; nothing is written.
pub fn draft(store: &NodeStore, year: i32, now_ms: i64) -> Result<Evaluation> {
    report::check_year(year, crate::calendar::today().year())?;
    let me = store.me().clone();
    let (tickets, mut parties) = evaluation::figures(&me, year, &store.faults()?, now_ms);
    let registry = store.fault_registry()?;
    let registered = registry
        .providers
        .into_iter()
        .map(|p| (PartyKind::LinkProvider, p.name))
        .chain(registry.maintainers.into_iter().map(|m| (PartyKind::Maintainer, m.name)));
    evaluation::add_registered(&mut parties, registered);
    Ok(Evaluation {
        year,
        node: me,
        as_of_ms: now_ms,
        tickets,
        parties,
        assessments: Vec::new(),
        conclusion: String::new(),
    })
}

/// Takes the figures of `year` now, checks `assessments` against them and
/// files the evaluation upward, by `by`; one per node and year. Answered
/// once durable.
pub async fn file(
    store: &NodeStore,
    year: i32,
    assessments: Vec<Assessment>,
    conclusion: String,
    by: &str,
) -> Result<Filing> {
    let mut e = draft(store, year, crate::store::health::now_ms())?;
    evaluation::check_assessments(&e.parties, &assessments)?;
    e.assessments = assessments;
    e.conclusion = conclusion;
    let filing = store.transact(|tx| {
        if tx.next_number(&format!("evaluation/{year}"))? > 1 {
            return abort(NodeError::precondition(format!("本节点已报送 {year} 年度运行质量综合评估，不能重复报送")));
        }
        let f = super::filing::write_filing(tx, FilingDetails::Evaluation(e.clone()), by)?;
        idempotency::record(tx, || codec::filing_to_pb(&f))?;
        Ok(f)
    })?;
    store.sync().await?;
    tracing::info!(filing = %filing.id, year, parties = e.parties.len(), by, "annual evaluation filed");
    Ok(filing)
}
