//! Following the pages of a list RPC from the CLI: every list answers one
//! bounded page and a token for the next; a list command asks for pages
//! until it has `--limit` rows or the node says there are no more.

use std::future::Future;

/// Most rows asked for in one page (the node's own cap).
const PAGE: u32 = 1000;

/// Fetches pages with `fetch(client, token, page_size)` (which returns the
/// rows and the next token; each page gets its own clone of `client`) until
/// `limit` rows are held or the last page came.
pub async fn collect<C: Clone, T, F, Fut>(limit: u32, client: C, mut fetch: F) -> anyhow::Result<Vec<T>>
where
    F: FnMut(C, String, u32) -> Fut,
    Fut: Future<Output = anyhow::Result<(Vec<T>, String)>>,
{
    let mut rows = Vec::new();
    let mut token = String::new();
    while (rows.len() as u64) < u64::from(limit) {
        let want = (limit - rows.len() as u32).min(PAGE);
        let (page, next) = fetch(client.clone(), token, want).await?;
        rows.extend(page.into_iter().take(want as usize));
        if next.is_empty() {
            break;
        }
        token = next;
    }
    Ok(rows)
}
