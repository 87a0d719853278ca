//! `/evaluation`: the annual evaluation of link providers and O&M units
//! (运行质量综合评估, Art.27) — the year's figures from the fault tickets,
//! a form with each party's hand-assessed items and the conclusion that
//! files it upward, and the evaluations held here (this node's and those
//! filed below) as a printable A4 report or CSV. Operators only.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use extranet_proto::v1 as pb;
use extranet_proto::v1::evaluations_server::Evaluations;
use extranet_proto::v1::filings_server::Filings;
use maud::{Markup, html};

use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::domain::Choice;
use crate::domain::evaluation::{Evaluation, Grade, PartyKind};
use crate::present::evaluation::{PEOPLE_HEADER, csv, document, people_rows};
use crate::present::text::time;

/// Which year to evaluate.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

fn year_of(q: &str) -> Result<i32, Failure> {
    match q.trim() {
        // by default this year (the figures so far); the buttons reach the last
        "" => Ok(crate::calendar::today().year()),
        y => y.parse().map_err(|_| Failure::new(StatusCode::BAD_REQUEST, "year：应为年份，例如 2026")),
    }
}

/// `GET /evaluation?year=`.
pub async fn page(State(console): State<Console>, signed: Signed, Query(q): Query<YearQuery>) -> PageResult {
    let year = year_of(&q.year)?;
    Ok(frame(&console, &signed, "年度运行质量综合评估", body(&console, &signed, year, None, &HashMap::new()).await?))
}

async fn body(
    console: &Console,
    signed: &Signed,
    year: i32,
    error: Option<&str>,
    typed: &HashMap<String, String>,
) -> Result<Markup, Failure> {
    let svc = &console.services().evaluations;
    let draft = svc.draft_evaluation(signed.request(pb::DraftEvaluationRequest { year })).await?.into_inner();
    let e = crate::codec::evaluation_from_pb(draft)?;
    let filed = held(console, signed).await?;
    let rid = console.sessions().token()?;
    Ok(html! {
        (banner(error))
        p { @for y in [year - 1, year] { a.button.secondary href=(format!("/evaluation?year={y}")) { (y) " 年" } " " } }
        p { (year) " 年度：计入本级及下级故障 " (e.tickets) " 件，统计截至 " (time(e.as_of_ms)) "。实测数据取自故障工单（第十三条时限），不可人工修改。" }
        table #evaluation-figures {
            tr { @for h in PEOPLE_HEADER { th { (h) } } }
            @for r in people_rows(&e) { tr { @for c in r { td { (c) } } } }
        }
        h2 { "人工评估与报送" }
        (assessment_form(signed, &e, &rid, typed))
        h2 { "已报送的评估" }
        @if filed.is_empty() { p.muted { "本节点尚未保存年度运行质量综合评估。" } } @else {
            table #evaluations {
                tr { th { "备案编号" } th { "节点" } th { "年度" } th { "报送时间" } th { "回执" } th { "" } }
                @for f in &filed {
                    @let year = match &f.details { Some(pb::filing::Details::Evaluation(e)) => e.year, _ => 0 };
                    tr {
                        td { a href=(format!("/filings/{}", f.id)) { (f.id) } }
                        td { (console.division(&f.origin)) } td { (year) } td { (time(f.filed_at_ms)) }
                        td { (f.receipts.len()) }
                        td { a href=(format!("/evaluation/{}/document", f.id)) { "评估报告" } " · "
                             a href=(format!("/evaluation/{}/csv", f.id)) { "CSV" } }
                    }
                }
            }
        }
    })
}

fn assessment_form(signed: &Signed, e: &Evaluation, rid: &str, typed: &HashMap<String, String>) -> Markup {
    let get = |k: &str| typed.get(k).map_or("", String::as_str);
    html! {
        form #evaluation-form.stack method="post" action="/evaluation/file" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(rid);
            input type="hidden" name="year" value=(e.year);
            @for (i, p) in e.parties.iter().enumerate().filter(|(_, p)| !p.name.is_empty()) {
                fieldset {
                    legend { (p.kind.zh()) "：" (p.name) }
                    input type="hidden" name=(format!("party.{i}")) value=(format!("{}:{}", p.kind.value(), p.name));
                    @for item in p.kind.assessed_items() {
                        @let g = format!("grade.{i}.{}", item.value());
                        @let c = format!("comment.{i}.{}", item.value());
                        label for=(g) { (item.zh()) }
                        select id=(g) name=(g) {
                            option value="" { "（不评）" }
                            @for (v, grade) in Grade::CHOICES { option value=(v) selected[get(&g) == *v] { (grade.zh()) } }
                        }
                        input type="text" name=(c) placeholder="评估依据" value=(get(&c));
                    }
                }
            }
            label for="conclusion" { "评估结论" }
            textarea #conclusion name="conclusion" required { (get("conclusion")) }
            p { button #file-evaluation type="submit" { "报送 " (e.year) " 年度评估" } }
        }
    }
}

/// The evaluations held here (the first page: each node's newest first).
async fn held(console: &Console, signed: &Signed) -> Result<Vec<pb::Filing>, Failure> {
    let req = pb::ListFilingsRequest { kind: "evaluation".into(), page_size: 200, ..Default::default() };
    Ok(console.services().filings.list_filings(signed.request(req)).await?.into_inner().filings)
}

/// The assessments typed into the form, as the wire's.
fn assessments(form: &HashMap<String, String>) -> Vec<pb::EvaluationAssessment> {
    let mut out = Vec::new();
    for (k, party) in form.iter().filter(|(k, _)| k.starts_with("party.")) {
        let i = &k["party.".len()..];
        let Some((kind, name)) = party.split_once(':') else { continue };
        let Some(kind_v) = PartyKind::from_value(kind) else { continue };
        for item in kind_v.assessed_items() {
            let grade = form.get(&format!("grade.{i}.{}", item.value())).map_or("", |g| g.trim());
            if grade.is_empty() {
                continue;
            }
            out.push(pb::EvaluationAssessment {
                kind: kind.into(),
                name: name.into(),
                item: item.value().into(),
                grade: grade.into(),
                comment: form.get(&format!("comment.{i}.{}", item.value())).cloned().unwrap_or_default(),
            });
        }
    }
    out.sort_by(|a, b| (&a.kind, &a.name, &a.item).cmp(&(&b.kind, &b.name, &b.item)));
    out
}

/// `POST /evaluation/file`.
pub async fn file(State(console): State<Console>, posted: Posted<HashMap<String, String>>) -> PageResult {
    let Posted { signed, form } = posted;
    let year = year_of(form.get("year").map_or("", String::as_str))?;
    let req = pb::FileEvaluationRequest {
        year,
        assessments: assessments(&form),
        conclusion: form.get("conclusion").cloned().unwrap_or_default(),
        request_id: form.get("request_id").cloned().unwrap_or_default(),
    };
    let answer = console.services().evaluations.file_evaluation(signed.request(req)).await;
    after_post(
        &signed,
        "evaluation filed",
        answer,
        |f| format!("/filings/{}", f.get_ref().id),
        async |error: &str| {
            let body = body(&console, &signed, year, Some(error), &form).await?;
            Ok(frame(&console, &signed, "年度运行质量综合评估", body))
        },
    )
    .await
}

/// A filed evaluation held here, for an operator.
async fn filed(console: &Console, signed: &Signed, id: String) -> Result<Evaluation, Failure> {
    let f = console.services().filings.get_filing(signed.request(pb::GetFilingRequest { id: id.clone() })).await?;
    match f.into_inner().details {
        Some(pb::filing::Details::Evaluation(d)) => Ok(crate::codec::evaluation_from_pb(d)?),
        _ => Err(Failure::new(StatusCode::NOT_FOUND, format!("id：备案 {id} 不是年度运行质量综合评估"))),
    }
}

/// `GET /evaluation/<filing>/document`: the printable report on its own.
pub async fn print(
    State(console): State<Console>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let e = filed(&console, &signed, id).await?;
    let name = console.division(&e.node.to_string());
    let authority = name.split('（').next().unwrap_or(&name).to_string();
    Ok(crate::console::page::printable(document(&e, &authority)))
}

/// `GET /evaluation/<filing>/csv`: the figures as a CSV download.
pub async fn export(
    State(console): State<Console>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let e = filed(&console, &signed, id.clone()).await?;
    let disposition = format!("attachment; filename=\"evaluation-{}-{}.csv\"", e.year, id);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        csv(&e),
    )
        .into_response())
}
