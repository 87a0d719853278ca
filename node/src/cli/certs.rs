//! `extranet certs …`: the PKI steps an administrator runs by hand when
//! enrolling real nodes (the demo and tests do the same in-process).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use extranet_certs::csr::{request_ca, request_leaf, write_private_key};
use extranet_certs::inspect::{expiry_warnings, inspect_chain_pem};
use extranet_certs::{CertificateAuthority, Identity, IssueKind, NodeId};
use extranet_proto::v1 as pb;

use super::choice::ChoiceParser;
use super::conn::Conn;
use super::output;

/// Certificate commands.
#[derive(Subcommand)]
pub enum CertsCmd {
    /// Create the federation's root CA (at the region, once).
    InitRoot {
        /// Division path of the top node, e.g. 540000.
        #[arg(long)]
        node: NodeId,
        /// Directory to create the CA in (ca.pem, ca.key mode 0600).
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate a private key and a signing request on this machine.
    Request {
        /// Division path of the node, e.g. 540000/540100/540102.
        #[arg(long)]
        node: NodeId,
        /// What the certificate is for.
        #[arg(long, value_parser = kinds(), default_value = "node")]
        kind: IssueKind,
        /// Operator login name (kind operator) or unit id (kind unit).
        #[arg(long)]
        name: Option<String>,
        /// Directory for <stem>.key (mode 0600) and <stem>.csr.pem.
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a request with this node's CA (run at the parent).
    Sign {
        /// The CA directory.
        #[arg(long)]
        ca: PathBuf,
        /// The request file.
        #[arg(long)]
        csr: PathBuf,
        /// What to issue: ca only for a node directly below.
        #[arg(long, value_parser = kinds())]
        kind: IssueKind,
        /// Where to write the certificate chain (PEM).
        #[arg(long)]
        out: PathBuf,
    },
    /// Assemble an intermediate CA directory from its key and the signed chain.
    InstallCa {
        /// The CA key made by `certs request --kind ca`.
        #[arg(long)]
        key: PathBuf,
        /// The chain the parent signed.
        #[arg(long)]
        cert: PathBuf,
        /// The federation root certificate.
        #[arg(long)]
        root: PathBuf,
        /// The CA directory to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Show who a certificate says it is, its chain and its expiry.
    Show {
        /// A PEM file with one or more certificates.
        file: PathBuf,
        /// Machine-readable JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a certificate this node's CA issued; the list travels down the tree.
    Revoke {
        #[command(flatten)]
        conn: Conn,
        /// Serial number (hex), as `certs show` prints it.
        #[arg(long)]
        serial: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
    },
}

/// The kinds of certificate `--kind` names: an intermediate CA for a node
/// with children, a node's server and sync-client certificate, an operator
/// bound to one node, an access unit registered at one node.
const KINDS: &[(&str, IssueKind)] = &[
    ("ca", IssueKind::IntermediateCa),
    ("node", IssueKind::Node),
    ("operator", IssueKind::Operator),
    ("unit", IssueKind::Unit),
];

fn kind_zh(k: IssueKind) -> &'static str {
    match k {
        IssueKind::IntermediateCa => "中间 CA，用于有下级的节点",
        IssueKind::Node => "节点证书",
        IssueKind::Operator => "操作员证书，限一个节点",
        IssueKind::Unit => "接入单位证书，限登记节点",
    }
}

fn kinds() -> ChoiceParser<IssueKind> {
    ChoiceParser::new(KINDS, kind_zh)
}

fn read(p: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("无法读取 {}", p.display()))
}

fn write(p: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(p, text).with_context(|| format!("无法写入 {}", p.display()))
}

/// Runs a certificate command.
pub async fn run(cmd: CertsCmd) -> anyhow::Result<()> {
    match cmd {
        CertsCmd::InitRoot { node, out } => {
            let ca = CertificateAuthority::create_root(&node)?;
            ca.save(&out)?;
            write(&out.join("root.pem"), &ca.root_pem())?;
            println!("已创建根 CA：{node}，目录 {}（有效期至 {}）", out.display(), ca.not_after().format("%Y-%m-%d"));
        }
        CertsCmd::Request { node, kind, name, out } => request(node, kind, name, &out)?,
        CertsCmd::Sign { ca, csr, kind, out } => {
            let ca = CertificateAuthority::load(&ca)?;
            let issued = ca.sign(&read(&csr)?, kind)?;
            write(&out, &issued.chain_pem)?;
            let who = issued.identity.map(|i| i.to_string()).unwrap_or_else(|| "中间 CA".into());
            println!(
                "已签发：{who}，序列号 {}，有效期至 {}，写入 {}",
                issued.serial,
                issued.not_after.format("%Y-%m-%d"),
                out.display()
            );
        }
        CertsCmd::InstallCa { key, cert, root, out } => {
            let ca = CertificateAuthority::from_issued(&read(&key)?, &read(&cert)?, &read(&root)?)?;
            ca.save(&out)?;
            println!("已安装 {} 的中间 CA 到 {}", ca.node(), out.display());
        }
        CertsCmd::Show { file, json } => show(&file, json)?,
        CertsCmd::Revoke { conn, serial, reason } => {
            let req = pb::RevokeRequest { serial, reason, ..Default::default() };
            let r = conn.write(req, async |c, r| c.pki().revoke(r).await).await?;
            output::emit(conn.json, &r, |r| {
                println!("已吊销；{} 的吊销列表现含 {} 张证书，已向下级发布", r.issuer, r.revoked_count);
            })?;
        }
    }
    Ok(())
}

fn request(node: NodeId, kind: IssueKind, name: Option<String>, out: &Path) -> anyhow::Result<()> {
    let need_name = || name.clone().context("--kind operator/unit 需要 --name");
    let (stem, req) = match kind {
        IssueKind::IntermediateCa => ("ca".to_string(), request_ca(&node)?),
        IssueKind::Node => ("node".to_string(), request_leaf(&Identity::node(node.clone()))?),
        IssueKind::Operator => {
            let n = need_name()?;
            (n.clone(), request_leaf(&Identity::operator(node.clone(), &n)?)?)
        }
        IssueKind::Unit => {
            let n = need_name()?;
            (n.clone(), request_leaf(&Identity::unit(node.clone(), &n)?)?)
        }
    };
    std::fs::create_dir_all(out).with_context(|| format!("无法创建 {}", out.display()))?;
    let key = out.join(format!("{stem}.key"));
    write_private_key(&key, &req.key_pem)?;
    let csr = out.join(format!("{stem}.csr.pem"));
    write(&csr, &req.csr_pem)?;
    println!("私钥（仅本机保存，权限 0600）：{}", key.display());
    println!("签名请求（交上级签发）：{}", csr.display());
    Ok(())
}

fn show(file: &Path, json: bool) -> anyhow::Result<()> {
    let chain = inspect_chain_pem(&read(file)?)?;
    let fields: Vec<_> = chain
        .iter()
        .map(|c| {
            serde_json::json!({
                "subject": c.subject, "issuer": c.issuer, "serial": c.serial, "is_ca": c.is_ca,
                "identity": c.identity.as_ref().map(|i| i.to_string()),
                "not_before": c.not_before.to_rfc3339(), "not_after": c.not_after.to_rfc3339(),
                "permitted_subtrees": c.permitted_subtrees,
            })
        })
        .collect();
    output::emit(json, &fields, |_| print_chain(&chain))
}

fn print_chain(chain: &[extranet_certs::inspect::CertInfo]) {
    for (i, c) in chain.iter().enumerate() {
        let who = c.identity.as_ref().map(|i| i.to_string()).unwrap_or_else(|| c.subject.clone());
        println!("[{i}] {who}{}", if c.is_ca { "（CA）" } else { "" });
        println!("    颁发者：{}", c.issuer);
        println!("    序列号：{}", c.serial);
        println!("    有效期：{} 至 {}", c.not_before.format("%Y-%m-%d"), c.not_after.format("%Y-%m-%d"));
        if !c.permitted_subtrees.is_empty() {
            println!("    名称约束：仅限 {}", c.permitted_subtrees.join(", "));
        }
    }
    for w in expiry_warnings(chain, chrono::Utc::now()) {
        println!("警告：{w}");
    }
}
