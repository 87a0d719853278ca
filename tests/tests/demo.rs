//! `extranet demo --once` runs the whole region's walkthrough end to end:
//! 82 nodes healthy, Ngari's day of work (addresses delegated down, a unit
//! applying, approved and assigned a /64, a cutover filed and reaching the
//! region), a quiet county shown stale and recovered, and the region's view
//! printed.

use std::process::Command;

#[test]
fn the_regional_demo_runs_its_scenario() {
    let out = Command::new(env!("CARGO_BIN_EXE_extranet-under-test"))
        .args(["demo", "--once"])
        .env("RUST_LOG", "error")
        .output()
        .expect("run the demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "demo failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for expected in [
        "82 个节点",
        "全部正常",
        "向 540000/542500/542526 下发地址段 2001:db8:",
        "已完成，分配地址 2001:db8:",
        "542526-000001 已到达自治区",
        "墨脱县  失联",
        "重新显示为正常",
        "82/82 正常",
    ] {
        assert!(stdout.contains(expected), "missing “{expected}” in:\n{stdout}");
    }
}
