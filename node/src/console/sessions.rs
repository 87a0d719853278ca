//! Who is signed in to the console: one-time sign-in links issued over mTLS
//! (`extranet console login`) and the browser sessions they become.
//!
//! A browser presents no client certificate, so the person proves who they
//! are once, with their certificate, to the `Console` gRPC service; the
//! link it returns carries a random 256-bit token that is good for one
//! sign-in within [`LINK_TTL_MS`]. The session it becomes remembers the
//! certificate (identity and serial): every request acts as that
//! certificate, and a session whose certificate is revoked ends at its next
//! request. Tokens come from the operating system's CSPRNG (`ring`); the
//! table keys them by their SHA-256, so neither a lookup's timing nor a
//! dump of memory gives a usable token away. No signing or encryption is
//! done here: the tokens are opaque and the state is on the server.
//!
//! Both tables are bounded ([`MAX_LINKS`], [`MAX_SESSIONS`]): expired
//! entries are dropped first, and past the bound new links or sign-ins are
//! refused rather than old sessions evicted. Sessions live in memory: a
//! node restart signs everyone out, which is the safe direction.

use std::collections::HashMap;
use std::sync::Mutex;

use extranet_certs::Identity;
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{NodeError, Result};

/// How long a sign-in link is good for if unused, ms (5 minutes).
pub const LINK_TTL_MS: i64 = 5 * 60 * 1000;
/// Sign-in links waiting to be used, at most.
pub const MAX_LINKS: usize = 256;
/// Live sessions, at most.
pub const MAX_SESSIONS: usize = 1024;

/// The certificate a session acts as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Who {
    /// The identity the certificate names (operator or unit of this node).
    pub identity: Identity,
    /// Its serial, lowercase hex, checked against the revocation lists.
    pub serial: String,
}

/// One signed-in browser.
#[derive(Clone, Debug)]
pub struct Session {
    /// Whom it acts as.
    pub who: Who,
    /// The token every state-changing form must carry (CSRF).
    pub csrf: String,
    /// When it was signed in, Unix ms.
    pub since_ms: i64,
    /// When it ends, Unix ms.
    pub expires_ms: i64,
}

type Key = [u8; 32];

#[derive(Default)]
struct Tables {
    links: HashMap<Key, (Who, i64)>,
    live: HashMap<Key, Session>,
}

/// The node's sign-in links and sessions.
pub struct Sessions {
    tables: Mutex<Tables>,
    session_ms: i64,
    rng: SystemRandom,
}

impl Sessions {
    /// Empty tables; sessions last `session`.
    pub fn new(session: std::time::Duration) -> Self {
        let session_ms = i64::try_from(session.as_millis()).unwrap_or(i64::MAX);
        Sessions { tables: Mutex::default(), session_ms, rng: SystemRandom::new() }
    }

    /// How long a session lasts, ms.
    pub fn session_ms(&self) -> i64 {
        self.session_ms
    }

    /// A fresh random token (64 hex digits).
    pub fn token(&self) -> Result<String> {
        let mut bytes = [0u8; 32];
        self.rng.fill(&mut bytes).map_err(|_| NodeError::Unavailable("系统随机数发生器不可用".into()))?;
        Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A one-time sign-in token for `who`, good until the returned time.
    pub fn issue_link(&self, who: Who, now_ms: i64) -> Result<(String, i64)> {
        let token = self.token()?;
        let expires = now_ms.saturating_add(LINK_TTL_MS);
        let mut t = self.tables();
        t.links.retain(|_, (_, until)| *until > now_ms);
        if t.links.len() >= MAX_LINKS {
            return Err(NodeError::Unavailable(format!(
                "待使用的登录链接已达上限 {MAX_LINKS} 个：请先使用已取得的链接，或 5 分钟后再试"
            )));
        }
        t.links.insert(key(&token), (who, expires));
        Ok((token, expires))
    }

    /// Whom an unused, unexpired link would sign in (without using it).
    pub fn peek_link(&self, token: &str, now_ms: i64) -> Option<Who> {
        self.tables().links.get(&key(token)).filter(|(_, until)| *until > now_ms).map(|(w, _)| w.clone())
    }

    /// Uses a link: it is gone afterwards, and a session takes its place.
    /// Returns the session token and the session.
    pub fn sign_in(&self, link: &str, now_ms: i64) -> Result<(String, Session)> {
        let token = self.token()?;
        let csrf = self.token()?;
        let mut t = self.tables();
        let (who, _) = t.links.remove(&key(link)).filter(|(_, until)| *until > now_ms).ok_or_else(|| {
            NodeError::PermissionDenied("登录链接无效、已使用或已过期：请重新运行 extranet console login".into())
        })?;
        t.live.retain(|_, s| s.expires_ms > now_ms);
        if t.live.len() >= MAX_SESSIONS {
            return Err(NodeError::Unavailable(format!(
                "本节点控制台的在线会话已达上限 {MAX_SESSIONS} 个，请稍后再试"
            )));
        }
        let session = Session { who, csrf, since_ms: now_ms, expires_ms: now_ms.saturating_add(self.session_ms) };
        t.live.insert(key(&token), session.clone());
        Ok((token, session))
    }

    /// The live session of `token`, if it has not expired or ended.
    pub fn session(&self, token: &str, now_ms: i64) -> Option<Session> {
        let mut t = self.tables();
        let k = key(token);
        match t.live.get(&k) {
            Some(s) if s.expires_ms > now_ms => Some(s.clone()),
            Some(_) => {
                t.live.remove(&k);
                None
            }
            None => None,
        }
    }

    /// Ends the session of `token` (sign out).
    pub fn end(&self, token: &str) {
        self.tables().live.remove(&key(token));
    }

    /// Ends every session and link of certificates `revoked` says are
    /// revoked; returns how many sessions ended.
    pub fn end_revoked(&self, revoked: impl Fn(&str) -> bool) -> usize {
        let mut t = self.tables();
        t.links.retain(|_, (w, _)| !revoked(&w.serial));
        let before = t.live.len();
        t.live.retain(|_, s| !revoked(&s.who.serial));
        before - t.live.len()
    }

    /// Sessions live now.
    pub fn live(&self, now_ms: i64) -> usize {
        self.tables().live.values().filter(|s| s.expires_ms > now_ms).count()
    }
}

fn key(token: &str) -> Key {
    let d = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut k = [0u8; 32];
    k.copy_from_slice(d.as_ref());
    k
}

/// Whether two secrets are equal, compared by their digests so the time
/// taken says nothing about where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    key(a) == key(b)
}

#[cfg(test)]
#[path = "sessions_tests.rs"]
mod tests;
