//! `extranet ipam …` against a running node: the commands an operator types.

use std::process::Command;

use extranet_tests::Harness;

/// Runs `extranet ipam <args>` as the operator of the harness's region.
fn ipam(h: &Harness, args: &[&str]) -> (bool, String, String) {
    let region = h.region();
    let node = h.node(&region);
    let out = Command::new(env!("CARGO_BIN_EXE_extranet-under-test"))
        .arg("ipam")
        .args(args)
        .arg("--endpoint")
        .arg(h.running(&region).addr.to_string())
        .arg("--cert-dir")
        .arg(node.operator().path())
        .output()
        .expect("run the binary");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_loads_a_pool_assigns_verifies_and_exports() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000"]).await?;
    let run = |args: &'static [&'static str]| {
        let h = &h;
        tokio::task::block_in_place(move || ipam(h, args))
    };
    let (ok, out, err) = run(&["pool", "2408:8000::/32"]);
    assert!(ok, "{err}");
    assert!(out.contains("2408:8000::/32"), "{out}");
    let (ok, out, err) =
        run(&["assign", "--assignee", "unit-1", "--purpose", "access-unit", "--serves", "540000-000001"]);
    assert!(ok && out.contains("/64"), "{out}{err}");
    let (ok, _, err) = run(&[
        "assign",
        "--assignee",
        "unit-1",
        "--purpose",
        "access-unit",
        "--serves",
        "x",
        "--prefix",
        "2408:8000::1/64",
    ]);
    assert!(!ok && err.starts_with("错误：") && err.contains("主机位") && err.lines().count() == 1, "{err}");
    let (ok, out, err) = run(&["verify"]);
    assert!(ok && out.contains("1 条分配") && out.contains("通过"), "{out}{err}");
    let (ok, out, _) = run(&["export"]);
    assert!(ok && out.lines().count() == 2 && out.contains("unit-1"), "{out}");
    h.shutdown().await;
    Ok(())
}
