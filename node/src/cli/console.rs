//! `extranet console login`: asks the node, over mTLS with this operator's
//! or unit's certificate, for a one-time link into its web console, and
//! prints it (or `--json`).

use clap::Subcommand;
use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;

/// `extranet console …`.
#[derive(Subcommand, Clone)]
pub enum ConsoleCmd {
    /// Print a one-time sign-in link for the web console (登录控制台).
    Login {
        #[command(flatten)]
        conn: Conn,
        /// The host (and port) the browser reaches the console at, if not
        /// the node's configured `public_url` or listening address.
        #[arg(long, default_value = "")]
        host: String,
    },
}

/// Runs `extranet console …`.
pub async fn run(cmd: &ConsoleCmd) -> anyhow::Result<()> {
    match cmd {
        ConsoleCmd::Login { conn, host } => {
            let link = conn
                .client()
                .await?
                .console()
                .issue_sign_in(pb::IssueSignInRequest { host: host.clone() })
                .await?
                .into_inner();
            output::emit(conn.json, &link, print)
        }
    }
}

fn print(l: &pb::SignInLink) {
    println!("在浏览器中打开以下链接登录控制台（{}）：", l.signed_in_as);
    println!("{}", l.url);
    println!(
        "链接只能使用一次，{} 前有效；登录后会话 {} 小时内有效。",
        output::time(l.expires_at_ms),
        l.session_secs / 3600
    );
    println!("浏览器若提示证书不受信任：导入联邦根证书 root.pem（见操作手册“网页控制台”一节）。");
}
