//! `extranet approval …` from the command line, up the tree: the county
//! applies, the prefecture finds it waiting and approves, the region
//! rejects with reasons, and the county prints the region's written notice.

use extranet_certs::NodeId;
use extranet_node::domain::approval::Stage;
use extranet_tests::{FOUR, Harness};

const EXE: &str = env!("CARGO_BIN_EXE_extranet-under-test");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_goes_up_from_the_command_line_and_the_regions_rejection_prints_at_the_county() -> anyhow::Result<()>
{
    let h = Harness::tree(&FOUR[..3]).await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    let run = |n: &NodeId, args: &[&str]| tokio::task::block_in_place(|| h.cli(EXE, n, args));
    let today = extranet_node::calendar::date_of_ms(extranet_node::store::health::now_ms()).to_string();
    let apply = [
        "approval",
        "apply",
        "--title",
        "县级核心节点设备更换",
        "--description",
        "核心交换机到期更换",
        "--scope",
        "全县接入单位",
        "--start",
        &today,
        "--contact",
        "次仁",
        "--phone",
        "13908900000",
    ];
    let (ok, out, err) = run(&county, &apply);
    assert!(ok && out.contains("540102-S000001") && out.contains("待 540100 审批"), "{out}{err}");
    // a bad date is refused in Chinese, naming the field
    let mut bad = apply;
    bad[9] = "2020-01-01";
    let (ok, _, err) = run(&county, &bad);
    assert!(!ok && err.starts_with("错误：") && err.contains("planned_start"), "{err}");
    h.wait_approval_stage(&pref, "540102-S000001", Stage::Pending(pref.clone())).await?;
    let (ok, out, err) = run(&pref, &["approval", "list", "--waiting"]);
    assert!(ok && out.contains("540102-S000001") && out.contains("县级核心节点设备更换"), "{out}{err}");
    let (ok, out, err) = run(&pref, &["approval", "approve", "540102-S000001", "--remarks", "同意，报自治区审批"]);
    assert!(ok && out.contains("待 540000 审批"), "{out}{err}");
    h.wait_approval_stage(&region, "540102-S000001", Stage::Pending(region.clone())).await?;
    let (ok, _, err) = run(&region, &["approval", "reject", "540102-S000001", "--reason", " "]);
    assert!(!ok && err.contains("reason"), "a rejection needs reasons: {err}");
    let why = "与全区骨干网改造计划冲突，请明年一并实施";
    let (ok, out, err) = run(&region, &["approval", "reject", "540102-S000001", "--reason", why]);
    assert!(ok && out.contains("已被 540000 驳回"), "{out}{err}");
    h.wait_approval_stage(&county, "540102-S000001", Stage::Rejected(region.clone())).await?;
    let (ok, out, err) = run(&county, &["approval", "notice", "540102-S000001"]);
    assert!(ok && out.contains("540000〔") && out.contains(why) && out.contains("第二十一条"), "{out}{err}");
    let (ok, out, err) = run(&county, &["approval", "show", "540102-S000001", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(v["stage"], "rejected");
    assert_eq!(v["decisions"].as_array().map(Vec::len), Some(2), "the prefecture's and the region's: {out}");
    h.shutdown().await;
    Ok(())
}
