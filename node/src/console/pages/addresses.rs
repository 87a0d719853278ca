//! `/addresses`: this node's address pool as a picture — each root's
//! delegated, assigned, reserved and quarantined shares as one bar, the
//! largest free blocks, the IPv6 share (Art.6) — with the two things an
//! operator does most: assign a /64 to a unit, and ask the parent for more
//! space (the request travels up; its decision comes back down).

use axum::extract::State;
use extranet_proto::v1 as pb;
use extranet_proto::v1::ipam_server::Ipam;
use maud::{Markup, html};

use crate::console::draw::{meter, stacked};
use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::present::text::time;

/// `GET /addresses`.
pub async fn page(State(console): State<Console>, signed: Signed) -> PageResult {
    Ok(frame(&console, &signed, "地址管理", body(&console, &signed, None).await?))
}

async fn body(console: &Console, signed: &Signed, error: Option<&str>) -> Result<Markup, Failure> {
    let ipam = &console.services().ipam;
    let pool = ipam.show(signed.request(pb::ShowRequest {})).await?.into_inner();
    let asks = ipam.list_requests(signed.request(pb::ListRequestsRequest::default())).await?.into_inner().requests;
    let rid = console.sessions().token()?;
    Ok(html! {
        (banner(error))
        @if pool.roots.is_empty() { p.muted { "本节点尚无地址空间：上级委派后显示在这里，也可在下方向上级申请。" } }
        @for r in &pool.roots {
            section.card.pool {
                h2 { (r.root) }
                (stacked(&[(r.delegated, "#1c5d99", "已委派"), (r.assigned, "#2f9e44", "已分配"), (r.reserved, "#e8590c", "保留"), (r.quarantined, "#868e96", "隔离期")]))
            }
        }
        div.cards {
            section.card {
                h2 { "概况" }
                p { "本节点有效分配 " (pool.assignments) " 个，向下级委派 " (pool.delegations) " 个。" }
                p { "IPv6 占比（第六条）：" (meter(pool.ipv6_share, &format!("{:.0}%", pool.ipv6_share * 100.0))) }
                p { "最大空闲块：" (pool.largest_free.join("、")) }
            }
            section.card {
                h2 { "为单位分配 /64" }
                form #assign.stack method="post" action="/addresses/assign" {
                    (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                    label for="assignee" { "使用单位（单位编号）" }
                    input #assignee type="text" name="assignee" required;
                    label for="serves" { "所服务的接入申请或备案（编号）" }
                    input #serves type="text" name="serves" required;
                    button type="submit" { "分配" }
                }
            }
            section.card {
                h2 { "向上级申请地址空间" }
                form #request-space.stack method="post" action="/addresses/request" {
                    (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                    label for="reason" { "理由" }
                    textarea #reason name="reason" required {}
                    label for="length" { "大小（/N，留空为本级默认）" }
                    input #length type="number" name="length" min="0" max="128";
                    button type="submit" { "提交申请" }
                }
            }
        }
        h2 { "地址空间申请" }
        @if asks.is_empty() { p.muted { "没有。" } } @else {
            table {
                tr { th { "编号" } th { "申请节点" } th { "大小" } th { "理由" } th { "时间" } th { "结果" } }
                @for a in &asks {
                    tr { td { (a.id) } td { (console.division(&a.node)) } td { "/" (a.length) } td { (a.reason) } td { (time(a.at_ms)) }
                         td { (request_state(a)) } }
                }
            }
        }
    })
}

fn request_state(a: &pb::SpaceRequestRecord) -> String {
    match pb::RequestState::try_from(a.state).unwrap_or_default() {
        pb::RequestState::Granted => format!("已批准：{}（{}）", a.granted_prefix, a.decided_by),
        pb::RequestState::Refused => format!("未批准：{}", a.refusal_reason),
        _ => "待上级决定".into(),
    }
}

/// The assign form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    assignee: String,
    serves: String,
    request_id: String,
}

/// `POST /addresses/assign`: a /64 for an access unit.
pub async fn assign(State(console): State<Console>, posted: Posted<AssignForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let req = pb::AssignRequest {
        purpose: pb::Purpose::AccessUnit as i32,
        assignee: f.assignee.trim().to_string(),
        serves: f.serves.trim().to_string(),
        request_id: f.request_id,
        ..Default::default()
    };
    let answer = console.services().ipam.assign(signed.request(req)).await.map(|r| r.into_inner().prefix);
    done(&console, &signed, answer, "address assigned").await
}

/// The space request form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SpaceForm {
    reason: String,
    length: String,
    request_id: String,
}

/// `POST /addresses/request`: asks the parent for more space.
pub async fn request(State(console): State<Console>, posted: Posted<SpaceForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let length = match f.length.trim() {
        "" => Ok(0),
        s => s.parse::<u32>().map_err(|_| tonic::Status::invalid_argument("length：大小须为 0 到 128 的整数")),
    };
    let answer = match length {
        Ok(length) => {
            let req = pb::RequestSpaceRequest { length, ipv4: false, reason: f.reason, request_id: f.request_id };
            console.services().ipam.request_space(signed.request(req)).await.map(|r| r.into_inner().id)
        }
        Err(e) => Err(e),
    };
    done(&console, &signed, answer, "address space requested").await
}

async fn done(console: &Console, signed: &Signed, answer: Result<String, tonic::Status>, what: &str) -> PageResult {
    let what = format!("{what} {}", answer.as_deref().unwrap_or(""));
    after_post(
        signed,
        &what,
        answer,
        |_| "/addresses".into(),
        async |error: &str| Ok(frame(console, signed, "地址管理", body(console, signed, Some(error)).await?)),
    )
    .await
}
