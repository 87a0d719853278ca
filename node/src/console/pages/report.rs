//! `/report`: the annual work report (年度工作开展情况报告, Art.10) as it
//! stands — every figure for the node and its subtree, the nodes that have
//! not reported — and its printable A4 view. Filing it is the CLI's
//! `extranet report annual --file` (operators only, like the preview).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::Datelike;
use extranet_proto::v1 as pb;
use extranet_proto::v1::filings_server::Filings;
use maud::html;

use crate::console::guard::Signed;
use crate::console::page::{Failure, PageResult, frame};
use crate::console::state::Console;
use crate::domain::AnnualReport;
use crate::present::report::{addresses, document, figures_table, not_reported};
use crate::present::text::time;

/// Which year.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

async fn draft(console: &Console, signed: &Signed, q: &YearQuery) -> Result<AnnualReport, Failure> {
    let year = match q.year.trim() {
        "" => crate::calendar::today().year(),
        y => y.parse().map_err(|_| Failure::new(StatusCode::BAD_REQUEST, "year：应为年份，例如 2026"))?,
    };
    let svc = &console.services().filings;
    let d = svc.draft_annual_report(signed.request(pb::DraftAnnualReportRequest { year })).await?.into_inner();
    Ok(crate::codec::annual_report_from_pb(d)?)
}

fn authority(console: &Console) -> String {
    let name = console.division(console.me().as_str());
    name.split('（').next().unwrap_or(&name).to_string()
}

/// `GET /report?year=`.
pub async fn page(State(console): State<Console>, signed: Signed, Query(q): Query<YearQuery>) -> PageResult {
    let r = draft(&console, &signed, &q).await?;
    let body = html! {
        h2 { (r.year) " 年度工作开展情况报告（预览，统计截至 " (time(r.as_of_ms)) "）" }
        p {
            a href={ "/report?year=" (r.year - 1) } { "上一年度" } " · "
            a href={ "/report/document?year=" (r.year) } { "可打印的报告" }
        }
        (figures_table(&r))
        p { "地址管理：" (addresses(&r)) }
        p { "下辖节点（含本节点）" (r.subtree_nodes) " 个，已报送本年度报告 " (r.subtree_reporting) " 个。" }
        p { "尚未报送：" (not_reported(&r)) }
        p { "报送上级：" code { "extranet report annual --year " (r.year) " --notes … --file" } }
    };
    Ok(frame(&console, &signed, "年度工作报告", body))
}

/// `GET /report/document?year=`: the printable report on its own.
pub async fn print(
    State(console): State<Console>,
    signed: Signed,
    Query(q): Query<YearQuery>,
) -> Result<axum::response::Response, Failure> {
    let r = draft(&console, &signed, &q).await?;
    Ok(crate::console::page::printable(document(&r, &authority(&console))))
}
