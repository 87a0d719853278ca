//! The bare HTML document every console page sits in: language, title, the
//! embedded stylesheet and script (served by the node itself, Art.3).

use maud::{DOCTYPE, Markup, html};

/// A whole page: `<head>` with the embedded stylesheet and script, and `body`.
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 政务外网节点控制台" }
                link rel="stylesheet" href="/assets/console.css";
                script src="/assets/console.js" defer {}
            }
            body { (body) }
        }
    }
}
