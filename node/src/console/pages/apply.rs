//! `/access/new`: an access unit applies for access, a change or a
//! withdrawal (接入、变更、撤销申请) with the Art.8 declaration; the node
//! routes it by Art.15 exactly as `extranet access submit` does (it is the
//! same service call). An operator may lodge one on a unit's behalf.

use axum::extract::State;
use extranet_proto::v1 as pb;
use extranet_proto::v1::access_server::Access;
use maud::{Markup, html};

use crate::console::guard::{Posted, Signed};
use crate::console::page::{PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;

/// The application form as typed.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct ApplyForm {
    unit_id: String,
    kind: i32,
    span: i32,
    basis: String,
    scope: String,
    location: String,
    bandwidth_mbps: String,
    technical_requirements: String,
    security_measures: String,
    declares: String,
    request_id: String,
}

/// `GET /access/new`.
pub async fn form(State(console): State<Console>, signed: Signed) -> PageResult {
    let blank = ApplyForm { kind: 1, request_id: console.sessions().token()?, ..Default::default() };
    Ok(frame(&console, &signed, "提交申请", apply_form(&signed, &blank, None)))
}

fn apply_form(signed: &Signed, f: &ApplyForm, error: Option<&str>) -> Markup {
    let kinds = [(1, "接入申请"), (2, "变更申请"), (3, "撤销（退出）申请")];
    let spans = [(0, "仅本级"), (1, "地市及以下"), (2, "自治区及以下")];
    html! {
        (banner(error))
        form #apply-form.stack method="post" action="/access/new" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(f.request_id);
            @if signed.is_operator() {
                label for="unit_id" { "代为办理的单位编号" }
                input #unit_id type="text" name="unit_id" value=(f.unit_id);
            }
            label for="kind" { "申请种类" }
            select #kind name="kind" { @for (v, l) in kinds { option value=(v) selected[f.kind == v] { (l) } } }
            label for="span" { "访问范围（决定审批机关，第十五条）" }
            select #span name="span" { @for (v, l) in spans { option value=(v) selected[f.span == v] { (l) } } }
            label for="basis" { "接入依据或变更、撤销原因" }
            textarea #basis name="basis" { (f.basis) }
            label for="scope" { "接入范围" }
            input #scope type="text" name="scope" value=(f.scope);
            label for="location" { "接入位置" }
            input #location type="text" name="location" value=(f.location);
            label for="bandwidth_mbps" { "带宽（Mbit/s）" }
            input #bandwidth_mbps type="number" min="0" name="bandwidth_mbps" value=(f.bandwidth_mbps);
            label for="technical_requirements" { "技术要求" }
            textarea #technical_requirements name="technical_requirements" { (f.technical_requirements) }
            label for="security_measures" { "安全保护措施" }
            textarea #security_measures name="security_measures" { (f.security_measures) }
            label { input #declares type="checkbox" name="declares" value="on" checked[f.declares == "on"];
                    " 本单位承诺：政务外网不处理、传输、存储涉及国家秘密的信息（第八条）" }
            p { button #submit-application type="submit" { "提交申请" } }
        }
    }
}

/// `POST /access/new`.
pub async fn submit(State(console): State<Console>, posted: Posted<ApplyForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let bandwidth = match f.bandwidth_mbps.trim() {
        "" => Ok(0),
        s => s.parse::<u32>().map_err(|_| "application.bandwidth_mbps：带宽须为非负整数（Mbit/s）"),
    };
    let answer = match bandwidth {
        Err(e) => Err(tonic::Status::invalid_argument(e)),
        Ok(bandwidth_mbps) => {
            let form = pb::ApplicationForm {
                basis: f.basis.clone(),
                scope: f.scope.clone(),
                location: f.location.clone(),
                bandwidth_mbps,
                technical_requirements: f.technical_requirements.clone(),
                security_measures: f.security_measures.clone(),
                declares_no_classified_information: f.declares == "on",
                span: f.span,
                resource_subject: 0,
                devices: Vec::new(),
            };
            let req = pb::SubmitRequest {
                unit_id: f.unit_id.clone(),
                kind: f.kind,
                form: Some(form),
                request_id: f.request_id.clone(),
            };
            console.services().access.submit(signed.request(req)).await
        }
    };
    after_post(
        &signed,
        "application submitted",
        answer,
        |a| format!("/access/{}", a.get_ref().id),
        async |error: &str| Ok(frame(&console, &signed, "提交申请", apply_form(&signed, &f, Some(error)))),
    )
    .await
}
