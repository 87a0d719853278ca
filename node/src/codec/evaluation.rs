//! The annual evaluation ↔ `extranet.v1`: the figures as a draft and as
//! filing details, the hand assessments of a request checked at the edge
//! (their kind, item and grade named by the values `Choice` gives).

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;

use crate::domain::evaluation::{AssessedItem, Assessment, ClassFigures, Evaluation, Grade, PartyFigures, PartyKind};
use crate::domain::{Choice, FaultClass, limits};
use crate::error::{NodeError, Result};

/// Most hand-assessed items one evaluation carries.
pub const MAX_ASSESSMENTS: usize = 1000;

fn choice<T: Choice>(field: &'static str, v: &str) -> Result<T> {
    T::from_value(v.trim()).ok_or_else(|| {
        let allowed: Vec<&str> = T::CHOICES.iter().map(|(v, _)| *v).collect();
        NodeError::invalid(field, format!("“{v}” 无效，应为 {} 之一", allowed.join("、")))
    })
}

/// `None` travels as -1 (a time is never negative).
fn opt(v: Option<i64>) -> i64 {
    v.unwrap_or(-1)
}

fn unopt(v: i64) -> Option<i64> {
    (v >= 0).then_some(v)
}

fn party_to_pb(p: &PartyFigures) -> pb::EvaluationPartyFigures {
    pb::EvaluationPartyFigures {
        kind: p.kind.value().into(),
        name: p.name.clone(),
        faults: p.faults,
        response_decided: p.response_decided,
        responded_within: p.responded_within,
        response_median_ms: opt(p.response_median_ms),
        response_worst_ms: opt(p.response_worst_ms),
        classes: p
            .classes
            .iter()
            .map(|c| pb::EvaluationClassFigures {
                class: c.class.value().into(),
                faults: c.faults,
                decided: c.decided,
                within: c.within,
            })
            .collect(),
        repair_median_ms: opt(p.repair_median_ms),
        repair_worst_ms: opt(p.repair_worst_ms),
        open: p.open,
        breaches: p.breaches,
        scored: p.scored,
        score_sum: p.score_sum,
        score_counts: p.score_counts.to_vec(),
    }
}

fn party_from_pb(p: pb::EvaluationPartyFigures) -> Result<PartyFigures> {
    let classes = p
        .classes
        .into_iter()
        .map(|c| {
            let class = choice::<FaultClass>("parties.classes.class", &c.class)?;
            Ok(ClassFigures { class, faults: c.faults, decided: c.decided, within: c.within })
        })
        .collect::<Result<_>>()?;
    let score_counts = <[u32; 5]>::try_from(p.score_counts.as_slice())
        .map_err(|_| NodeError::invalid("parties.score_counts", "须为 1 至 5 分各一项，共 5 项"))?;
    Ok(PartyFigures {
        kind: choice("parties.kind", &p.kind)?,
        name: p.name,
        faults: p.faults,
        response_decided: p.response_decided,
        responded_within: p.responded_within,
        response_median_ms: unopt(p.response_median_ms),
        response_worst_ms: unopt(p.response_worst_ms),
        classes,
        repair_median_ms: unopt(p.repair_median_ms),
        repair_worst_ms: unopt(p.repair_worst_ms),
        open: p.open,
        breaches: p.breaches,
        scored: p.scored,
        score_sum: p.score_sum,
        score_counts,
    })
}

fn assessment_to_pb(a: &Assessment) -> pb::EvaluationAssessment {
    pb::EvaluationAssessment {
        kind: a.kind.value().into(),
        name: a.name.clone(),
        item: a.item.value().into(),
        grade: a.grade.value().into(),
        comment: a.comment.clone(),
    }
}

fn assessment_from_pb(a: &pb::EvaluationAssessment) -> Result<Assessment> {
    Ok(Assessment {
        kind: choice::<PartyKind>("assessments.kind", &a.kind)?,
        name: a.name.trim().to_string(),
        item: choice::<AssessedItem>("assessments.item", &a.item)?,
        grade: choice::<Grade>("assessments.grade", &a.grade)?,
        comment: a.comment.trim().to_string(),
    })
}

/// The hand assessments and the conclusion of a request, checked for
/// shape (the domain checks them against the figures).
pub fn assessments_from_pb(r: &pb::FileEvaluationRequest) -> Result<(Vec<Assessment>, String)> {
    limits::count("assessments", r.assessments.len(), MAX_ASSESSMENTS)?;
    let assessments = r.assessments.iter().map(assessment_from_pb).collect::<Result<_>>()?;
    Ok((assessments, super::text("conclusion", &r.conclusion)?))
}

/// The wire form of an evaluation.
pub fn evaluation_to_pb(e: &Evaluation) -> pb::EvaluationDetails {
    pb::EvaluationDetails {
        year: e.year,
        node: e.node.to_string(),
        as_of_ms: e.as_of_ms,
        tickets: e.tickets,
        parties: e.parties.iter().map(party_to_pb).collect(),
        assessments: e.assessments.iter().map(assessment_to_pb).collect(),
        conclusion: e.conclusion.clone(),
    }
}

/// Reads an evaluation from the wire (a filing from below, or an answer).
pub fn evaluation_from_pb(d: pb::EvaluationDetails) -> Result<Evaluation> {
    Ok(Evaluation {
        year: d.year,
        node: NodeId::parse(&d.node)?,
        as_of_ms: d.as_of_ms,
        tickets: d.tickets,
        parties: d.parties.into_iter().map(party_from_pb).collect::<Result<_>>()?,
        assessments: d.assessments.iter().map(assessment_from_pb).collect::<Result<_>>()?,
        conclusion: d.conclusion,
    })
}
