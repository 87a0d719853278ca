//! The web console over HTTP, against real nodes: sign-in, sessions, CSRF,
//! who may see what, and pages that fetch nothing from elsewhere.

use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, eventually, valid_cutover, valid_unit};

const PAGES: &[&str] =
    &["/", "/filings", "/filings/new", "/access", "/access/new", "/addresses", "/oversight", "/calendar"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_session_every_page_redirects_to_sign_in() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..2]).await?;
    let mut web = h.web(&h.prefecture())?;
    for cookie in [None, Some("__Host-extranet-session=00ff".to_string())] {
        web.cookie = cookie.clone();
        for p in PAGES.iter().chain(&["/filings/540100-F000001", "/access/540100-A000001", "/oversight/node?id=540000"])
        {
            let r = web.get(p).await?;
            assert_eq!((r.status, r.location().starts_with("/signin")), (303, true), "{p} with {cookie:?}: {r:?}");
        }
        let r = web.post("/filings/new", &[("csrf", "x"), ("description", "x")]).await?;
        assert_eq!((r.status, r.location().starts_with("/signin")), (303, true), "a post: {r:?}");
    }
    let page = web.get("/signin").await?;
    assert!(page.status == 200 && page.body.contains("extranet console login"), "{page:?}");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..2]).await?;
    let pref = h.prefecture();
    h.cutover_unit(&pref).await?;
    let web = h.operator_web(&pref).await?;
    let form_page = web.get("/filings/new").await?;
    let csrf = form_page.csrf().expect("the form carries its token");
    let c = valid_cutover();
    let fields = |token: &'static str| {
        vec![
            ("csrf", token),
            ("affected_units", extranet_tests::CUTOVER_UNIT),
            ("window_start", &c.window_start[..16]),
            ("window_end", &c.window_end[..16]),
            ("notified_on", &c.notified_on),
            ("contact", &c.contact),
            ("description", "汇聚交换机升级"),
        ]
    };
    let held = || h.running(&pref).store.filings_desc(None).count();
    for (token, why) in [("", "missing"), ("0badc0ffee", "wrong")] {
        let r = web.post("/filings/new", &fields(token)).await?;
        assert_eq!(r.status, 403, "{why} token: {r:?}");
        assert!(r.body.contains("CSRF"), "the refusal names the token: {}", r.body);
    }
    let foreign = format!("csrf={csrf}&description=x");
    let r = web.post_with("/filings/new", &foreign, &[("Origin", "https://evil.example")]).await?;
    assert_eq!(r.status, 403, "a post from another origin: {r:?}");
    let r = web.post_with("/filings/new", &foreign, &[("Sec-Fetch-Site", "cross-site")]).await?;
    assert_eq!(r.status, 403, "a post the browser says came from another site: {r:?}");
    assert_eq!(held(), 0, "nothing was filed");
    let csrf: &'static str = Box::leak(csrf.into_boxed_str());
    let r = web.post("/filings/new", &fields(csrf)).await?;
    assert_eq!(r.status, 303, "with its token it files: {r:?}");
    assert_eq!(held(), 1);
    let shown = web.get(r.location()).await?;
    assert!(shown.status == 200 && shown.body.contains("割接备案"), "{shown:?}");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_cannot_open_another_units_application() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    for u in ["u0001", "u0002"] {
        h.register_unit(&county, valid_unit(u, FOUR[2])).await?;
    }
    let theirs = h.unit_applies(&county, "u0002").await?;
    let web = h.unit_web(&county, "u0001").await?;
    for path in [format!("/access/{}", theirs.id), format!("/access/{}/notice", theirs.id)] {
        let r = web.get(&path).await?;
        assert_eq!(r.status, 403, "{path}: {r:?}");
        assert!(r.body.contains("只能查看本单位的申请"), "the service's own message: {}", r.body);
    }
    let home = web.get("/").await?;
    assert!(!home.body.contains(&theirs.id), "another unit's application is not listed");
    let op = h.operator_web(&county).await?;
    assert_eq!(op.get(&format!("/access/{}", theirs.id)).await?.status, 200, "the operator sees it");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_operator_cannot_act_on_the_prefectures_node() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    let at_county = h.operator_web(&county).await?;
    let mut at_pref = h.web(&pref)?;
    at_pref.cookie = at_county.cookie.clone();
    let r = at_pref.get("/").await?;
    assert_eq!(
        (r.status, r.location().starts_with("/signin")),
        (303, true),
        "a county session at the prefecture: {r:?}"
    );
    let tls = h.node(&county).operator().load()?;
    let channel = extranet_certs::connect(
        &h.running(&pref).addr.to_string(),
        &extranet_certs::Identity::node(pref.clone()),
        &tls,
    )
    .await?;
    let mut county_op = pb::console_client::ConsoleClient::new(channel);
    let err = county_op.issue_sign_in(pb::IssueSignInRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied, "{err:?}");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_out_session_is_refused() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..2]).await?;
    let web = h.operator_web(&h.prefecture()).await?;
    let csrf = web.get("/").await?.csrf().expect("sign-out form");
    assert_eq!(web.post("/signout", &[]).await?.status, 403, "sign-out needs its token too");
    assert_eq!(web.get("/").await?.status, 200, "so the session is still there");
    let out = web.post("/signout", &[("csrf", &csrf)]).await?;
    assert_eq!((out.status, out.location()), (303, "/signin?why=out"), "{out:?}");
    assert!(out.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")), "the cookie is cleared");
    let r = web.get("/").await?;
    assert_eq!((r.status, r.location().starts_with("/signin")), (303, true), "{r:?}");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_secure_http_only_and_strict() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..1]).await?;
    let region = h.region();
    let mut web = h.web(&region)?;
    let client = h.fed.client(&region).await?;
    let link = client.console().issue_sign_in(pb::IssueSignInRequest::default()).await?.into_inner();
    let url = h.fed.console_url(&region)?;
    assert!(link.url.starts_with(&format!("{url}/signin/")), "the link names the console's own address: {link:?}");
    let path = &link.url[link.url.find("/signin/").unwrap()..];
    let r = web.post(path, &[]).await?;
    let cookie = r.header("set-cookie").expect("a cookie").to_string();
    for part in ["__Host-extranet-session=", "Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    let again = web.post(path, &[]).await?;
    assert_eq!(again.status, 403, "a link signs in once: {again:?}");
    web.cookie = Some(cookie.split(';').next().unwrap().to_string());
    assert_eq!(web.get("/").await?.status, 200);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_certificate_ends_its_sessions() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    let web = h.operator_web(&county).await?;
    let pem = std::fs::read_to_string(h.node(&county).operator().path().join("operator.pem"))?;
    let serial = extranet_certs::inspect_chain_pem(&pem)?[0].serial.clone();
    h.revoke(&pref, serial, "测试：证书丢失").await?;
    let ended = eventually("the county to end the revoked operator's session", extranet_tests::PATIENCE, async || {
        let r = web.get("/").await?;
        Ok((r.status == 303 && r.location().starts_with("/signin"), r.status))
    })
    .await;
    assert!(ended.is_ok(), "{ended:?}");
    h.shutdown().await;
    Ok(())
}

/// Every page a person reaches, at every tier and as a unit, is served
/// whole by the node: no script, style, font, image or link from anywhere
/// else (Art.3: the extranet is cut off from the internet).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_names_an_external_url() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let (region, county) = (h.region(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let app = h.unit_applies(&county, "u0001").await?;
    let filing = h.file_cutover(&county, valid_cutover()).await?;
    let mut seen = 0;
    let at = |n: &extranet_certs::NodeId| format!("/oversight/node?id={n}");
    let visits: Vec<(extranet_tests::web::Web, Vec<String>)> = vec![
        (h.operator_web(&region).await?, PAGES.iter().map(|p| p.to_string()).chain([at(&county)]).collect()),
        (
            h.operator_web(&county).await?,
            PAGES
                .iter()
                .map(|p| p.to_string())
                .chain([format!("/filings/{}", filing.id), format!("/access/{}", app.id)])
                .collect(),
        ),
        (h.unit_web(&county, "u0001").await?, vec!["/".into(), "/access/new".into(), format!("/access/{}", app.id)]),
    ];
    for (web, pages) in &visits {
        for p in pages {
            let r = web.get(p).await?;
            assert_eq!(r.status, 200, "{p}: {r:?}");
            assert_no_external(p, &r.body);
            seen += 1;
        }
    }
    for asset in ["/assets/console.css", "/assets/console.js"] {
        let r = h.web(&county)?.get(asset).await?;
        assert_eq!(r.status, 200);
        assert_no_external(asset, &r.body);
        assert!(!r.body.contains("url(") && !r.body.contains("@import"), "{asset} loads nothing");
    }
    assert_no_external("/signin", &h.web(&county)?.get("/signin").await?.body);
    assert!(seen >= 20, "pages scanned: {seen}");
    h.shutdown().await;
    Ok(())
}

fn assert_no_external(page: &str, body: &str) {
    for needle in ["http://", "https://", "src=\"//", "href=\"//", "action=\"//"] {
        assert!(!body.contains(needle), "{page} names an external URL ({needle}):\n{body}");
    }
    for attr in ["src=\"", "href=\"", "action=\""] {
        for (i, _) in body.match_indices(attr) {
            let v = &body[i + attr.len()..];
            assert!(
                v.starts_with('/') || v.starts_with('#') || v.starts_with('?'),
                "{page}: {attr}{}",
                &v[..v.len().min(40)]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_value_in_an_address_is_refused_in_chinese_naming_it() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..2]).await?;
    let web = h.operator_web(&h.prefecture()).await?;
    for (path, field) in
        [("/access?state=abc", "state"), ("/calendar?year=99999", "year"), ("/oversight?only=all", "only")]
    {
        let r = web.get(path).await?;
        assert_eq!(r.status, 400, "{path}: {r:?}");
        assert!(r.body.contains(&format!("{field}：")), "{path} names {field}: {}", r.body);
    }
    let r = web.get("/no/such/page").await?;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("没有这个页面"));
    h.shutdown().await;
    Ok(())
}
