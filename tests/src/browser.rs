//! A real browser for tests: headless Chromium driven over WebDriver
//! (`chromedriver`, through `fantoccini`), so a test sees a page as a
//! person does — rendered, scripted, with Chinese text in real fonts — and
//! can leave a screenshot behind to look at.
//!
//! Each [`Browser`] runs its own `chromedriver` on a free loopback port, in
//! its own process group with its own profile directory, and kills the
//! group on drop, so a panicking test leaves no browser behind. The
//! session accepts untrusted certificates: the console presents the node's
//! federation certificate, which no browser trusts.
//!
//! Needs Debian's `chromium`, `chromium-driver` and `fonts-noto-cjk` (which
//! `.ci/run` installs); [`Browser::start_or_skip`] stands a test down where
//! they are missing, and fails instead when `CI` is set.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;
use fantoccini::{Client, ClientBuilder, Locator};
use tempfile::TempDir;

use crate::eventually;

/// Where Debian's `chromium-driver` installs the driver.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian's `chromium` installs the browser.
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long chromedriver may take to listen.
const DRIVER_START: Duration = Duration::from_secs(20);

/// One browser at a time in a test process: on a 2-core machine several
/// Chromiums starting at once time out each other's sessions.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
/// Sessions a start may try before it fails (a driver that does not answer
/// is replaced).
const SESSION_TRIES: usize = 3;

/// A headless Chromium session and the chromedriver behind it.
pub struct Browser {
    client: Client,
    _driver: Driver,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

/// A chromedriver process in a process group of its own, killed with the
/// group on drop.
struct Driver {
    child: Child,
    port: u16,
    /// The browser profile and the driver's log; removed on drop.
    dir: TempDir,
}

impl Browser {
    /// Whether both `chromedriver` and `chromium` are installed.
    pub fn available() -> bool {
        binaries().is_ok()
    }

    /// Starts a browser for the test `test`, or `Ok(None)` after printing
    /// why it cannot run here (past the test's output capture); with `CI`
    /// set it fails instead, so CI cannot skip a browser test silently.
    /// Binaries present but failing to start is always an error.
    pub async fn start_or_skip(test: &str) -> anyhow::Result<Option<Browser>> {
        if let Err(why) = binaries() {
            let line = format!("{test}: no browser to run in: {why}");
            anyhow::ensure!(!crate::ci(), "{line} (CI is set: this test must run there)");
            let _ = writeln!(std::io::stderr(), "SKIPPED {line}");
            return Ok(None);
        }
        Ok(Some(Self::start().await?))
    }

    /// Spawns chromedriver on a free 127.0.0.1 port, waits until it listens
    /// and opens a headless Chromium session on it.
    pub async fn start() -> anyhow::Result<Browser> {
        let (driver_exe, chromium) = binaries()?;
        let turn = ONE_AT_A_TIME.lock().await;
        let mut last = None;
        for _ in 0..SESSION_TRIES {
            let mut driver = Driver::spawn(&driver_exe)?;
            match driver.session(&chromium).await {
                Ok(client) => return Ok(Browser { client, _driver: driver, _turn: turn }),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("at least one try"))
    }

    /// The WebDriver session, for what the helpers below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.client.goto(url).await.with_context(|| format!("opening {url}"))
    }

    /// Saves a screenshot of the viewport to
    /// `<workspace>/target/screenshots/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let png = self.client.screenshot().await.context("taking a screenshot")?;
        let dir = target_dir().join("screenshots");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    /// The rendered text of the first element matching `css`.
    pub async fn text_of(&self, css: &str) -> anyhow::Result<String> {
        let el = self.client.find(Locator::Css(css)).await.with_context(|| format!("no element matches {css}"))?;
        Ok(el.text().await?)
    }

    /// Polls the page until an element matching `css` contains `needle`,
    /// and returns that element's text; after `deadline` it fails showing
    /// the page's text as last seen.
    pub async fn wait_for_text(&self, css: &str, needle: &str, deadline: Duration) -> anyhow::Result<String> {
        let what = format!("an element matching {css} to contain “{needle}”");
        eventually(&what, deadline, async || {
            // while a page loads, what was found a moment ago goes stale:
            // that is "not yet", not a failure
            for el in self.client.find_all(Locator::Css(css)).await.unwrap_or_default() {
                let Ok(text) = el.text().await else { continue };
                if text.contains(needle) {
                    return Ok(Ok(text));
                }
            }
            Ok(Err(format!("page text: {}", self.page_text().await)))
        })
        .await
    }

    /// Replaces the value of the input matching `css` with `value`.
    pub async fn fill(&self, css: &str, value: &str) -> anyhow::Result<()> {
        let el = self.client.find(Locator::Css(css)).await.with_context(|| format!("no input matches {css}"))?;
        el.clear().await?;
        el.send_keys(value).await.with_context(|| format!("typing into {css}"))
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let el = self.client.find(Locator::Css(css)).await.with_context(|| format!("no element matches {css}"))?;
        el.click().await.with_context(|| format!("clicking {css}"))
    }

    /// Submits the form matching `css` with its first submit button, as a
    /// person would.
    pub async fn submit_form(&self, css: &str) -> anyhow::Result<()> {
        let form = self.client.form(Locator::Css(css)).await.with_context(|| format!("no form matches {css}"))?;
        form.submit().await.with_context(|| format!("submitting {css}"))
    }

    /// Ends the session (Chromium quits); the driver is killed on drop.
    pub async fn close(self) -> anyhow::Result<()> {
        self.client.clone().close().await.context("ending the browser session")
    }

    /// The page's visible text, or why it could not be read.
    async fn page_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_else(|e| format!("(unreadable: {e})")),
            Err(e) => format!("(no body: {e})"),
        }
    }
}

impl Driver {
    /// Starts `exe` on a port that was free a moment ago.
    fn spawn(exe: &Path) -> anyhow::Result<Driver> {
        let dir = tempfile::Builder::new().prefix("extranet-browser-").tempdir()?;
        let port = free_port()?;
        let log = std::fs::File::create(dir.path().join("chromedriver.log"))?;
        let child = Command::new(exe)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {}", exe.display()))?;
        Ok(Driver { child, port, dir })
    }

    /// Waits until the driver listens, then opens a Chromium session on it.
    async fn session(&mut self, chromium: &Path) -> anyhow::Result<Client> {
        let addr = format!("127.0.0.1:{}", self.port);
        let child = &mut self.child;
        eventually(&format!("chromedriver listening on {addr}"), DRIVER_START, async || {
            if let Some(status) = child.try_wait()? {
                anyhow::bail!("chromedriver exited with {status}");
            }
            Ok(tokio::net::TcpStream::connect(&addr).await.map(drop).map_err(|e| e.to_string()))
        })
        .await
        .with_context(|| self.log())?;
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities(chromium, &self.dir.path().join("profile")))
            .connect(&format!("http://{addr}"))
            .await
            .with_context(|| format!("opening a Chromium session; {}", self.log()))
    }

    fn log(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default();
        format!("chromedriver said: {}", log.trim())
    }
}

impl Drop for Driver {
    /// Kills the process group (the driver and the Chromium it started,
    /// when the session was not closed) and reaps the driver.
    fn drop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: kill has no memory preconditions; the group is the driver's own.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        let _ = self.child.wait();
    }
}

/// The session's capabilities: headless Chromium at 1280×1000 in Chinese
/// (its UI and the languages pages see), with its own profile, trusting
/// any certificate.
fn capabilities(chromium: &Path, profile: &Path) -> serde_json::Map<String, serde_json::Value> {
    let caps = serde_json::json!({
        "acceptInsecureCerts": true,
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000",
                "--lang=zh-CN",
                format!("--user-data-dir={}", profile.display()),
            ],
            // --lang sets only the UI language on Linux; this sets what
            // pages see (navigator.languages, Accept-Language)
            "prefs": { "intl.accept_languages": "zh-CN,zh" },
        },
    });
    match caps {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// chromedriver and chromium, or which one is missing.
fn binaries() -> anyhow::Result<(PathBuf, PathBuf)> {
    let driver = find("chromedriver", CHROMEDRIVER).context("`chromedriver` not found (Debian: chromium-driver)")?;
    let chromium = find("chromium", CHROMIUM).context("`chromium` not found (Debian: chromium)")?;
    Ok((driver, chromium))
}

/// `name` in PATH, else at `fallback`.
fn find(name: &str, fallback: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .chain(std::iter::once(PathBuf::from(fallback)))
        .find(|p| p.is_file())
}

/// A port free on 127.0.0.1 a moment ago.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// The workspace's `target` directory: `CARGO_TARGET_DIR`, else the one
/// beside this crate.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
    }
}
