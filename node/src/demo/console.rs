//! The web console in the demo: turned on for the nodes the walkthrough
//! shows, and, once it is done, each console's address with a fresh
//! one-time sign-in link (the same `Console.IssueSignIn` call
//! `extranet console login` makes, over mTLS with that operator's or unit's
//! certificate), so a newcomer opens a browser and is in within a minute.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;

use crate::client::{Client, CredentialDir};
use crate::local::LocalFederation;

/// Who signs in where: the node, whose credentials, and how to name them.
pub struct Showcase {
    /// The node whose console it is.
    pub node: NodeId,
    /// An access unit of that node, or `None` for its operator.
    pub unit: Option<String>,
    /// How the demo names them, e.g. `阿里地区 操作员`.
    pub label: String,
}

/// Turns the console on for every node in `shown` (before they start).
pub fn enable(fed: &mut LocalFederation, shown: &[Showcase]) -> anyhow::Result<()> {
    for s in shown {
        fed.enable_console(&s.node)?;
    }
    Ok(())
}

/// Prints each console's address and a sign-in link for it.
pub async fn print_links(fed: &LocalFederation, shown: &[Showcase]) -> anyhow::Result<()> {
    println!("\n网页控制台（浏览器打开链接即可登录；链接一次有效、5 分钟内使用）：");
    for s in shown {
        let node = fed.node(&s.node)?;
        let creds = match &s.unit {
            None => node.operator(),
            Some(u) => CredentialDir(node.dir.join(format!("unit-{u}"))),
        };
        let creds =
            if creds.path().exists() { creds } else { fed.mint_unit(&s.node, s.unit.as_deref().unwrap_or(""))? };
        let client = Client::connect(&node.config.listen, &creds).await?;
        let link = client.console().issue_sign_in(pb::IssueSignInRequest::default()).await?.into_inner();
        println!("  {:<16} {}", s.label, fed.console_url(&s.node)?);
        println!("  {:<16} 登录：{}", "", link.url);
    }
    let root = shown.first().map(|s| fed.node(&s.node)).transpose()?.map(|n| n.dir.join("tls/root.pem"));
    println!(
        "  浏览器会提示证书不受本机信任（节点证书由本演示的联邦根 CA 签发）：选择继续访问，或导入 {}。",
        root.map(|p| p.display().to_string()).unwrap_or_default()
    );
    println!("  链接过期后：EXTRANET_ENDPOINT=… EXTRANET_CERT_DIR=… extranet console login 重新取得。");
    Ok(())
}
