//! `extranet fault …` against a running county: what an operator types,
//! in Chinese, with the clocks.

use extranet_tests::{FOUR, Harness, valid_unit};

/// Runs `extranet fault <args>` as the county's operator.
fn fault(h: &Harness, args: &[&str]) -> (bool, String, String) {
    cli(h, "fault", args)
}

/// Runs `extranet <group> <args>` as the county's operator.
fn cli(h: &Harness, group: &str, args: &[&str]) -> (bool, String, String) {
    let args: Vec<&str> = std::iter::once(group).chain(args.iter().copied()).collect();
    h.cli(env!("CARGO_BIN_EXE_extranet-under-test"), &h.county_a(), &args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_reports_answers_and_repairs_a_fault_from_the_command_line() -> anyhow::Result<()> {
    let h = Harness::tree(&FOUR[..3]).await?;
    h.register_unit(&h.county_a(), valid_unit("u0001", FOUR[2])).await?;
    let run = |args: &[&str]| tokio::task::block_in_place(|| fault(&h, args));
    let report = [
        "report",
        "--access-point",
        "城关区政府三楼机房",
        "--description",
        "上联光缆中断",
        "--contact",
        "卓玛",
        "--phone",
        "13908901234",
        "--unit",
        "u0001",
        "--class",
        "backbone",
    ];
    let (ok, out, err) = run(&report);
    assert!(ok, "{err}");
    let left = out.contains("还剩 59 分钟") || out.contains("还剩 1 小时");
    assert!(out.contains("540102-T000001") && out.contains("骨干网络") && left, "{out}");
    let (ok, out, err) = run(&["ack", "540102-T000001"]);
    assert!(ok && out.contains("已响应") && out.contains("已按时完成"), "{out}{err}");
    let (ok, _, err) = run(&["close", "540102-T000001"]);
    assert!(!ok && err.starts_with("错误：") && err.contains("已响应") && err.lines().count() == 1, "{err}");
    let (ok, out, err) = run(&["repaired", "540102-T000001"]);
    assert!(ok && out.contains("已修复"), "{out}{err}");
    let (ok, out, err) = run(&["list", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(v["faults"][0]["id"], "540102-T000001", "{out}");
    assert_eq!(v["faults"][0]["history"].as_array().map(Vec::len), Some(3));
    let (ok, _, err) =
        run(&["report", "--access-point", "x", "--description", "y", "--contact", "z", "--phone", "打电话"]);
    assert!(!ok && err.contains("contact.phone"), "{err}");
    let (ok, out, err) = run(&[
        "provider",
        "--id",
        "telecom",
        "--name",
        "中国电信西藏分公司",
        "--hotline",
        "0891-10000",
        "--platform",
        "10000号",
    ]);
    assert!(ok && out.contains("0891-10000"), "{out}{err}");
    let bj = |hours: i64| {
        let t = chrono::Utc::now() + chrono::Duration::hours(hours);
        t.with_timezone(&extranet_node::calendar::beijing()).format("%Y-%m-%d %H:%M").to_string()
    };
    let on_duty = format!("{}~{}=达瓦:13908907777", bj(-1), bj(11));
    let (ok, _, err) = run(&[
        "maintainer",
        "--id",
        "x",
        "--name",
        "y",
        "--area",
        "z",
        "--emergency",
        "e",
        "--phone",
        "13908900000",
        "--duty",
        "明天=达瓦",
    ]);
    assert!(!ok && err.contains("--duty") && err.contains("开始~结束=姓名:电话"), "{err}");
    let (ok, _, err) = run(&[
        "maintainer",
        "--duty",
        &on_duty,
        "--id",
        "cg-om",
        "--name",
        "城关区运维中心",
        "--area",
        "城关区",
        "--emergency",
        "次仁",
        "--phone",
        "13908900000",
    ]);
    assert!(ok, "{err}");
    let point = [
        "access-point",
        "--id",
        "cg-gov",
        "--name",
        "城关区政府机房",
        "--unit",
        "u0001",
        "--class",
        "backbone",
        "--provider",
    ];
    let (ok, _, err) = run(&[&point[..], &["mobile"]].concat());
    assert!(!ok && err.contains("access_point.provider"), "{err}");
    let (ok, out, err) = run(&[&point[..], &["telecom", "--maintainer", "cg-om"]].concat());
    assert!(ok && out.contains("骨干网络"), "{out}{err}");
    let (ok, out, err) = run(&["registry"]);
    assert!(
        ok && out.contains("中国电信西藏分公司") && out.contains("城关区运维中心") && out.contains("cg-gov"),
        "{out}{err}"
    );
    assert!(out.contains("达瓦 13908907777"), "who is on duty now, from the roster typed: {out}");
    let (ok, out, err) = tokio::task::block_in_place(|| cli(&h, "provider", &["registry"]));
    assert!(ok && out.contains("中国电信西藏分公司"), "`extranet provider …` is the same registry: {out}{err}");
    h.shutdown().await;
    Ok(())
}
