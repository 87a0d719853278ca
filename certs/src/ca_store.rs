//! A CA held on disk, and its revocation lifecycle.
//!
//! Layout of a CA directory:
//!
//! | file           | content                                                   |
//! |----------------|-----------------------------------------------------------|
//! | `ca.pem`       | this CA's certificate, then its issuers up to the root    |
//! | `ca.key`       | its private key, PKCS#8 PEM, mode 0600 from creation      |
//! | `revoked.json` | serials this CA revoked, with dates                       |
//! | `crl.pem`      | the current signed CRL                                    |
//! | `state.json`   | the last CRL number, which only ever increases            |
//!
//! Every file but the key is replaced atomically (write, fsync, rename), so a
//! crash leaves either the old or the new revocation state, never half.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::Utc;
use rcgen::KeyPair;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::{Deserialize, Serialize};

use crate::CertError;
use crate::ca::{CertificateAuthority, CrlState, trunc};
use crate::crl::{CRL_VALIDITY, RevokedEntry, summarize_crl};
use crate::csr::write_private_key;
use crate::x509::{ca_node, certs_pem, parse_cert, parse_cert_pems, parse_serial, pem_encode, to_chrono};

const CERT_FILE: &str = "ca.pem";
const KEY_FILE: &str = "ca.key";
const REVOKED_FILE: &str = "revoked.json";
const CRL_FILE: &str = "crl.pem";
const STATE_FILE: &str = "state.json";

/// What `state.json` holds.
#[derive(Serialize, Deserialize, Default)]
struct StoredState {
    crl_number: u64,
}

impl CertificateAuthority {
    /// Assembles an intermediate CA once its parent has signed it: our key,
    /// the issued chain (this CA first, without the root) and the root.
    /// Checks that the key matches and the chain links up to the root.
    pub fn from_issued(key_pem: &str, chain_pem: &str, root_pem: &str) -> Result<Self, CertError> {
        let mut certs = parse_cert_pems(chain_pem, "CA 证书链")?;
        let root = parse_cert_pems(root_pem, "根证书")?;
        let [root] = root.as_slice() else {
            return Err(CertError::malformed("根证书", "须恰好包含一张证书"));
        };
        if certs.last() != Some(root) {
            certs.push(root.clone());
        }
        Self::from_parts(key_pem, certs)
    }

    /// Loads a CA from its directory (see the module doc for the layout).
    pub fn load(dir: &Path) -> Result<Self, CertError> {
        let certs_pem = read(&dir.join(CERT_FILE))?;
        let key_path = dir.join(KEY_FILE);
        warn_if_key_readable(&key_path);
        let ca = Self::from_parts(&read(&key_path)?, parse_cert_pems(&certs_pem, CERT_FILE)?)?;
        let mut ca = ca;
        let revoked_path = dir.join(REVOKED_FILE);
        if revoked_path.exists() {
            ca.revoked =
                serde_json::from_str(&read(&revoked_path)?).map_err(|e| CertError::malformed(REVOKED_FILE, e))?;
        }
        let state_path = dir.join(STATE_FILE);
        let mut state = CrlState { home: Some(dir.to_path_buf()), ..CrlState::default() };
        if state_path.exists() {
            let stored: StoredState =
                serde_json::from_str(&read(&state_path)?).map_err(|e| CertError::malformed(STATE_FILE, e))?;
            state.number = stored.crl_number;
        }
        let crl_path = dir.join(CRL_FILE);
        if crl_path.exists() {
            let der = rustls_pki_types::CertificateRevocationListDer::from_pem_slice(read(&crl_path)?.as_bytes())
                .map_err(|e| CertError::malformed(CRL_FILE, e))?;
            let summary = summarize_crl(&der)?;
            state.number = state.number.max(summary.number);
            let next = summary.next_update.unwrap_or_else(Utc::now);
            state.current = Some((der.to_vec(), next));
        }
        ca.crl = Mutex::new(state);
        Ok(ca)
    }

    /// Writes the CA to `dir` (created if needed) and remembers `dir` as the
    /// place later revocations are persisted. The key file is created with
    /// mode 0600; an existing key file must hold this very key.
    pub fn save(&self, dir: &Path) -> Result<(), CertError> {
        std::fs::create_dir_all(dir).map_err(|e| CertError::io(dir, e))?;
        let key_path = dir.join(KEY_FILE);
        let key_pem = self.key.serialize_pem();
        if key_path.exists() {
            let on_disk = KeyPair::from_pem(&read(&key_path)?).map_err(|e| CertError::malformed(KEY_FILE, e))?;
            if on_disk.public_key_raw() != self.key.public_key_raw() {
                return Err(CertError::CaState(format!("{} 已存在且不是本 CA 的私钥：拒绝覆盖", key_path.display())));
            }
        } else {
            write_private_key(&key_path, &key_pem)?;
        }
        let mut all = vec![self.cert.clone()];
        all.extend(self.issuers.iter().cloned());
        write_atomic(&dir.join(CERT_FILE), certs_pem(&all).as_bytes())?;
        let revoked = serde_json::to_string_pretty(&self.revoked).map_err(|e| CertError::malformed(REVOKED_FILE, e))?;
        write_atomic(&dir.join(REVOKED_FILE), revoked.as_bytes())?;
        let mut state = self.crl_state();
        state.home = Some(dir.to_path_buf());
        if state.current.is_none() {
            self.sign_next_crl(&mut state)?;
        }
        persist_crl(&state)
    }

    /// Revokes a certificate this CA issued and returns the new CRL (DER),
    /// persisted (via [`CertificateAuthority::save`]) in the directory the CA
    /// was loaded from or saved to, if any. Revoking twice is harmless.
    pub fn revoke(&mut self, serial_hex: &str) -> Result<Vec<u8>, CertError> {
        let (serial, _) = parse_serial(serial_hex)?;
        let own = crate::x509::serial_hex(parse_cert(&self.cert, "CA 证书")?.raw_serial());
        if serial == own {
            return Err(CertError::InvalidSerial(format!(
                "{serial}（这是本 CA 自身证书的序列号，只能由上级 CA 吊销）"
            )));
        }
        if self.revoked.iter().any(|r| r.serial == serial) {
            return self.crl_der();
        }
        self.revoked.push(RevokedEntry { serial, revoked_at: trunc(Utc::now()) });
        let signed = {
            let mut state = self.crl_state();
            self.sign_next_crl(&mut state).map(|der| (der, state.home.clone()))
        };
        let result = signed.and_then(|(der, home)| match home {
            Some(dir) => self.save(&dir).map(|()| der),
            None => Ok(der),
        });
        if result.is_err() {
            self.revoked.pop();
            self.crl_state().current = None;
        }
        result
    }

    /// The current CRL signed by this CA (possibly listing nothing). It is
    /// re-signed, with the next CRL number, once half its validity has passed.
    pub fn crl_der(&self) -> Result<Vec<u8>, CertError> {
        let mut state = self.crl_state();
        if let Some((der, next_update)) = &state.current
            && *next_update - Utc::now() > CRL_VALIDITY / 2
        {
            return Ok(der.clone());
        }
        let der = self.sign_next_crl(&mut state)?;
        persist_crl(&state)?;
        Ok(der)
    }

    /// Validates and assembles a CA from its key and full chain (this CA
    /// first, root last).
    fn from_parts(key_pem: &str, certs: Vec<CertificateDer<'static>>) -> Result<Self, CertError> {
        let key = KeyPair::from_pem(key_pem).map_err(|e| CertError::malformed("CA 私钥", e))?;
        let mut certs = certs.into_iter();
        let cert = certs.next().ok_or_else(|| CertError::CaState("证书链为空".into()))?;
        let issuers: Vec<_> = certs.collect();
        let parsed = parse_cert(&cert, "CA 证书")?;
        if !parsed.is_ca() {
            return Err(CertError::CaState(format!(
                "证书 “{}” 不是 CA 证书（basicConstraints 须为 CA）",
                parsed.subject()
            )));
        }
        if parsed.public_key().subject_public_key.data.as_ref() != key.public_key_raw() {
            return Err(CertError::CaState("私钥与 CA 证书的公钥不匹配".into()));
        }
        let node = ca_node(&parsed)?;
        check_links(&cert, &issuers)?;
        Ok(CertificateAuthority {
            node,
            not_after: to_chrono(parsed.validity().not_after),
            cert,
            issuers,
            key,
            revoked: Vec::new(),
            crl: Mutex::new(CrlState::default()),
        })
    }

    pub(crate) fn crl_state(&self) -> MutexGuard<'_, CrlState> {
        self.crl.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Each certificate must be signed by the next; the last must be self-signed.
fn check_links(cert: &CertificateDer<'_>, issuers: &[CertificateDer<'_>]) -> Result<(), CertError> {
    let mut chain = vec![cert];
    chain.extend(issuers.iter());
    for (i, der) in chain.iter().enumerate() {
        let child = parse_cert(der, "CA 证书链")?;
        let parent_der = chain.get(i + 1).copied().unwrap_or(der);
        let parent = parse_cert(parent_der, "CA 证书链")?;
        let linked = child.issuer() == parent.subject() && child.verify_signature(Some(parent.public_key())).is_ok();
        if !linked {
            return Err(CertError::CaState(format!(
                "证书链断裂：“{}” 不是由 “{}” 签发的（证书链须从本 CA 依次排到根证书）",
                child.subject(),
                parent.subject()
            )));
        }
    }
    Ok(())
}

/// Writes `crl.pem` and `state.json` into the CA's home, if it has one.
fn persist_crl(state: &CrlState) -> Result<(), CertError> {
    let (Some(dir), Some((der, _))) = (&state.home, &state.current) else {
        return Ok(());
    };
    write_atomic(&dir.join(CRL_FILE), pem_encode("X509 CRL", der).as_bytes())?;
    let stored = serde_json::to_string(&StoredState { crl_number: state.number })
        .map_err(|e| CertError::malformed(STATE_FILE, e))?;
    write_atomic(&dir.join(STATE_FILE), stored.as_bytes())
}

fn read(path: &Path) -> Result<String, CertError> {
    std::fs::read_to_string(path).map_err(|e| CertError::io(path, e))
}

/// Replaces `path` atomically and durably: temp file, fsync, rename, fsync dir.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CertError> {
    let tmp: PathBuf = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|e| CertError::io(&tmp, e))?;
    file.write_all(bytes).map_err(|e| CertError::io(&tmp, e))?;
    file.sync_all().map_err(|e| CertError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| CertError::io(path, e))?;
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

fn warn_if_key_readable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "CA 私钥文件权限过宽，应为 0600");
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
