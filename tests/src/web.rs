//! A small HTTPS client for the web console's HTTP-level tests: it checks
//! the console's certificate against the federation root under the node's
//! own identity (as a browser that imported the root would, by name),
//! keeps the session cookie, and reads the CSRF token off a page.

use std::net::SocketAddr;
use std::sync::Arc;

use extranet_certs::{Identity, NodeId};
use extranet_node::client::CredentialDir;
use extranet_proto::v1 as pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// One HTTP answer.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body as text.
    pub body: String,
}

impl Reply {
    /// The first header `name` (lowercase), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Where a redirect points ("" if it is none).
    pub fn location(&self) -> &str {
        self.header("location").unwrap_or("")
    }

    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> Option<String> {
        attr_after(&self.body, "name=\"csrf\" value=\"")
    }

    /// The value of the hidden `request_id` field of the first form.
    pub fn request_id(&self) -> Option<String> {
        attr_after(&self.body, "name=\"request_id\" value=\"")
    }
}

fn attr_after(body: &str, marker: &str) -> Option<String> {
    let rest = &body[body.find(marker)? + marker.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// A browser-like client of one node's console.
#[derive(Clone)]
pub struct Web {
    addr: SocketAddr,
    connector: TlsConnector,
    name: ServerName<'static>,
    /// The session cookie (`name=value`), once signed in.
    pub cookie: Option<String>,
}

impl Web {
    /// A client of the console at `url` (`https://127.0.0.1:port`) of node
    /// `node`, trusting the federation root in `root_pem`.
    pub fn new(url: &str, node: &NodeId, root_pem: &std::path::Path) -> anyhow::Result<Self> {
        let addr: SocketAddr = url.trim_start_matches("https://").parse()?;
        let mut roots = RootCertStore::empty();
        roots.add(CertificateDer::from_pem_file(root_pem)?)?;
        let config = ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
        let name = ServerName::try_from(Identity::node(node.clone()).dns_name())?;
        Ok(Web { addr, connector: TlsConnector::from(Arc::new(config)), name, cookie: None })
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> anyhow::Result<Reply> {
        self.send("GET", path, None, &[]).await
    }

    /// `POST path` with a urlencoded form.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> anyhow::Result<Reply> {
        let body: String =
            form.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        self.send("POST", path, Some(body), &[]).await
    }

    /// Posts `fields` to `path` with the CSRF token of the form on the page
    /// at `page`, as a browser submitting that form would.
    pub async fn post_form(&self, page: &str, path: &str, fields: &[(&str, &str)]) -> anyhow::Result<Reply> {
        let csrf = self.get(page).await?.csrf().ok_or_else(|| anyhow::anyhow!("no form on {page}"))?;
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    /// `POST path` with extra headers (e.g. a foreign `Origin`).
    pub async fn post_with(&self, path: &str, form: &str, headers: &[(&str, &str)]) -> anyhow::Result<Reply> {
        self.send("POST", path, Some(form.to_string()), headers).await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        extra: &[(&str, &str)],
    ) -> anyhow::Result<Reply> {
        let tcp = tokio::net::TcpStream::connect(self.addr).await?;
        let mut tls = self.connector.connect(self.name.clone(), tcp).await?;
        let host = self.addr.to_string();
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        if let Some(c) = &self.cookie {
            head.push_str(&format!("Cookie: {c}\r\n"));
        }
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        let body = body.unwrap_or_default();
        if method == "POST" {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        tls.write_all(head.as_bytes()).await?;
        tls.write_all(body.as_bytes()).await?;
        let mut raw = Vec::new();
        // a server closing without close_notify still gave us the reply
        let _ = tls.read_to_end(&mut raw).await;
        parse(&raw)
    }

    /// Signs in with the credentials in `creds`: asks `node` for a link over
    /// mTLS (as `extranet console login` does), opens it, presses the
    /// button; keeps the session cookie. Returns the front page.
    pub async fn sign_in(&mut self, node_addr: &str, creds: &CredentialDir) -> anyhow::Result<Reply> {
        let client = extranet_node::client::Client::connect(node_addr, creds).await?;
        let link = client.console().issue_sign_in(pb::IssueSignInRequest::default()).await?.into_inner();
        let path = &link.url[link.url.find("/signin/").ok_or_else(|| anyhow::anyhow!("no path in {}", link.url))?..];
        let confirm = self.get(path).await?;
        anyhow::ensure!(confirm.status == 200, "sign-in link page: {confirm:?}");
        let done = self.post(path, &[]).await?;
        anyhow::ensure!(done.status == 303, "sign-in: {done:?}");
        let cookie = done.header("set-cookie").ok_or_else(|| anyhow::anyhow!("no cookie set: {done:?}"))?;
        self.cookie = Some(cookie.split(';').next().unwrap_or_default().to_string());
        self.get("/").await
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn parse(raw: &[u8]) -> anyhow::Result<Reply> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| anyhow::anyhow!("no HTTP head"))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let rest = &raw[end + 4..];
    let body = if chunked { dechunk(rest) } else { rest.to_vec() };
    Ok(Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

fn dechunk(mut s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = s.windows(2).position(|w| w == b"\r\n") {
        let Ok(n) = usize::from_str_radix(String::from_utf8_lossy(&s[..eol]).trim(), 16) else { break };
        let rest = &s[eol + 2..];
        if n == 0 || rest.len() < n {
            break;
        }
        out.extend_from_slice(&rest[..n]);
        s = rest[n..].strip_prefix(b"\r\n").unwrap_or(&rest[n..]);
    }
    out
}

impl crate::Harness {
    /// Mints a PKI for `paths`, turns the web console on at every node and
    /// starts them all.
    pub async fn with_consoles(paths: &[&str]) -> anyhow::Result<Self> {
        let mut h = Self::created(paths)?;
        for p in paths {
            h.fed.enable_console(&crate::id(p))?;
        }
        h.fed.start_all().await?;
        Ok(h)
    }

    /// A not-yet-signed-in client of node `n`'s console.
    pub fn web(&self, n: &NodeId) -> anyhow::Result<Web> {
        Web::new(&self.fed.console_url(n)?, n, &self.node(n).dir.join("tls/root.pem"))
    }

    /// A client of `n`'s console signed in as `n`'s operator.
    pub async fn operator_web(&self, n: &NodeId) -> anyhow::Result<Web> {
        let mut w = self.web(n)?;
        let home = w.sign_in(&self.running(n).addr.to_string(), &self.node(n).operator()).await?;
        anyhow::ensure!(home.status == 200, "front page after sign-in: {home:?}");
        Ok(w)
    }

    /// A client of `n`'s console signed in as its access unit `unit`.
    pub async fn unit_web(&self, n: &NodeId, unit: &str) -> anyhow::Result<Web> {
        let dir = self.node(n).dir.join(format!("unit-{unit}"));
        let creds = if dir.exists() { CredentialDir(dir) } else { self.fed.mint_unit(n, unit)? };
        let mut w = self.web(n)?;
        let home = w.sign_in(&self.running(n).addr.to_string(), &creds).await?;
        anyhow::ensure!(home.status == 200, "front page after sign-in: {home:?}");
        Ok(w)
    }
}
