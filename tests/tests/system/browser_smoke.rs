//! The browser harness works end to end: a real headless Chromium opens a
//! Chinese page served on 127.0.0.1, the harness reads its text, fills and
//! submits its form, and leaves a real PNG screenshot behind; and it opens
//! a page behind a certificate it does not trust, as the console's is.
#![cfg(target_os = "linux")]

use std::sync::Arc;
use std::time::Duration;

use extranet_tests::browser::Browser;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// How long the page may take to show what a test waits for.
const PAGE: Duration = Duration::from_secs(20);

/// The page: a heading, and a form whose submission comes back as the
/// query string, so filling and submitting can be seen.
const PAGE_HTML: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>政务外网</title></head>
<body style="font-size:28px">
<h1 id="title">西藏自治区电子政务外网 联邦节点控制台</h1>
<p id="echo"></p>
<form id="f" action="/submitted" method="get">
  <input id="unit" name="unit" value="">
  <button type="submit">提交</button>
</form>
<p>拉萨市 城关区 墨脱县 改则县 — 全部正常</p>
<script>document.getElementById('echo').textContent =
  '收到：' + (new URLSearchParams(location.search).get('unit') || '');</script>
</body></html>"#;

/// Serves [`PAGE_HTML`] for every request on a loopback port, over HTTPS
/// with `tls` (a certificate no browser trusts) or plain HTTP; returns its URL.
async fn serve_page(tls: Option<TlsAcceptor>) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{}/", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    // a handshake the browser gave up on gets no answer
                    Some(tls) => {
                        if let Ok(conn) = tls.accept(conn).await {
                            answer(conn).await
                        }
                    }
                    None => answer(conn).await,
                }
            });
        }
    });
    Ok(url)
}

/// Reads one request (its path does not matter) and answers with the page.
async fn answer(mut conn: impl AsyncRead + AsyncWrite + Unpin) {
    let mut buf = [0u8; 4096];
    let _ = conn.read(&mut buf).await;
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        PAGE_HTML.len()
    );
    let _ = conn.write_all(head.as_bytes()).await;
    let _ = conn.write_all(PAGE_HTML.as_bytes()).await;
    let _ = conn.shutdown().await;
}

/// A TLS acceptor with a fresh self-signed certificate for 127.0.0.1, like
/// the console's federation certificate: valid, but trusted by no browser.
fn self_signed() -> anyhow::Result<TlsAcceptor> {
    let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![key.cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.signing_key.serialize_der())),
        )?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

#[tokio::test]
async fn a_chinese_page_is_read_filled_submitted_and_screenshotted_in_a_real_browser() -> anyhow::Result<()> {
    let Some(browser) = Browser::start_or_skip("browser_smoke").await? else { return Ok(()) };
    let url = serve_page(None).await?;
    browser.goto(&url).await?;
    let title = browser.wait_for_text("h1", "联邦节点控制台", PAGE).await?;
    assert_eq!(title, "西藏自治区电子政务外网 联邦节点控制台");
    assert_eq!(browser.client().title().await?, "政务外网");
    let langs = browser.client().execute("return navigator.languages.join(',')", vec![]).await?;
    assert_eq!(langs.as_str(), Some("zh-CN,zh"), "the page sees a Chinese browser");

    browser.fill("#unit", "改则县人民政府办公室").await?;
    browser.submit_form("#f").await?;
    browser.wait_for_text("#echo", "收到：改则县人民政府办公室", PAGE).await?;
    let url_now = browser.client().current_url().await?;
    assert_eq!(url_now.path(), "/submitted", "the form was submitted to its action");

    let path = browser.screenshot("browser_smoke").await?;
    let png = std::fs::read(&path)?;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
    assert!(png.len() > 8 * 1024, "{} is only {} bytes: an empty page?", path.display(), png.len());
    eprintln!("screenshot: {}", path.display());
    browser.close().await
}

#[tokio::test]
async fn waiting_for_text_that_never_shows_fails_with_the_page_text() -> anyhow::Result<()> {
    let Some(browser) = Browser::start_or_skip("browser_smoke").await? else { return Ok(()) };
    browser.goto(&serve_page(None).await?).await?;
    let err = browser.wait_for_text("h1", "不存在的文字", Duration::from_millis(300)).await.expect_err("never shows");
    let msg = format!("{err:#}");
    assert!(msg.contains("h1") && msg.contains("不存在的文字"), "{msg}");
    assert!(msg.contains("全部正常"), "the page text is shown: {msg}");
    browser.close().await
}

/// The console presents the node's federation certificate, which the
/// browser does not trust: the session accepts it and shows the page.
#[tokio::test]
async fn a_page_behind_an_untrusted_certificate_opens() -> anyhow::Result<()> {
    let Some(browser) = Browser::start_or_skip("browser_smoke").await? else { return Ok(()) };
    let url = serve_page(Some(self_signed()?)).await?;
    assert!(url.starts_with("https://"), "{url}");
    browser.goto(&url).await?;
    browser.wait_for_text("h1", "联邦节点控制台", PAGE).await?;
    browser.close().await
}
