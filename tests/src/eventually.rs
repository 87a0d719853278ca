//! One way for a test to wait: poll a condition until it holds or a deadline
//! passes, and on timeout say what was last seen. Every polling loop of the
//! integration tests goes through [`eventually`], so none of them sleeps in
//! place of a condition, and each failure shows how far the federation got.

use std::time::{Duration, Instant};

/// How often [`eventually`] looks again.
const POLL: Duration = Duration::from_millis(20);

/// Looks at `look` every few milliseconds until what it sees holds, and
/// returns what it saw then; after `timeout` it fails with `what` and the
/// last thing it saw, so a failing test says how far it got instead of just
/// "timed out". An error from `look` itself fails at once (as `?` would);
/// to retry on an error, return it as the [`Seen`] value instead.
///
/// ```no_run
/// # async fn f(h: &extranet_tests::Harness) -> anyhow::Result<()> {
/// use extranet_tests::{PATIENCE, eventually};
/// let store = &h.running(&h.region()).store;
/// // (holds, seen): returns what was seen
/// let held = eventually("two CRLs at the region", PATIENCE, async || {
///     let n = store.crls()?.len();
///     Ok((n == 2, n))
/// })
/// .await?;
/// // Ok(value) when it holds, Err(what was seen instead) while it does not
/// let f = eventually("filing 540000-000001", PATIENCE, async || {
///     Ok(store.filing("540000-000001")?.ok_or("no such filing yet"))
/// })
/// .await?;
/// # Ok(()) }
/// ```
pub async fn eventually<S: Seen>(
    what: &str,
    timeout: Duration,
    mut look: impl AsyncFnMut() -> anyhow::Result<S>,
) -> anyhow::Result<S::Value> {
    let deadline = Instant::now() + timeout;
    loop {
        let seen = match look().await?.holds() {
            Ok(value) => return Ok(value),
            Err(seen) => seen,
        };
        if Instant::now() >= deadline {
            let seen = format!("{seen:#?}");
            let seen = if seen == "()" { String::new() } else { format!("; last seen: {seen}") };
            anyhow::bail!("timed out after {timeout:?} waiting for: {what}{seen}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// What one look of [`eventually`] found: the value to return once the
/// condition holds, or what was seen instead (printed on timeout).
pub trait Seen {
    /// What [`eventually`] returns once the condition holds.
    type Value;
    /// What was seen while it does not.
    type Instead: std::fmt::Debug;
    /// `Ok` if the condition holds.
    fn holds(self) -> Result<Self::Value, Self::Instead>;
}

/// `(holds, seen)`: the same value is returned and, while it does not hold, shown.
impl<T: std::fmt::Debug> Seen for (bool, T) {
    type Value = T;
    type Instead = T;
    fn holds(self) -> Result<T, T> {
        if self.0 { Ok(self.1) } else { Err(self.1) }
    }
}

/// `Ok(value)` once it holds; `Err(seen)` while it does not.
impl<T, E: std::fmt::Debug> Seen for Result<T, E> {
    type Value = T;
    type Instead = E;
    fn holds(self) -> Result<T, E> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn returns_what_it_saw_once_the_condition_holds() {
        let mut looks = 0;
        let got = eventually("three looks", Duration::from_secs(5), async || {
            looks += 1;
            Ok((looks >= 3, looks))
        })
        .await
        .expect("it holds on the third look");
        assert_eq!(got, 3);
    }

    #[tokio::test]
    async fn a_timeout_names_what_was_awaited_and_the_last_value_seen() {
        let mut looks = 0u32;
        let err = eventually("the counter to reach a million", Duration::from_millis(60), async || {
            looks += 1;
            Ok(if looks >= 1_000_000 { Ok(()) } else { Err(format!("counter at {looks}")) })
        })
        .await
        .expect_err("it cannot hold in 60 ms");
        let msg = err.to_string();
        assert!(msg.contains("waiting for: the counter to reach a million"), "{msg}");
        assert!(msg.contains(&format!("last seen: \"counter at {looks}\"")), "{msg}");
        assert!(looks >= 2, "it looked again before giving up: {looks}");
    }

    #[tokio::test]
    async fn a_failing_look_fails_at_once() {
        let started = Instant::now();
        let fails = async || -> anyhow::Result<(bool, ())> { Err(anyhow::anyhow!("读取失败")) };
        let err = eventually("a store that cannot be read", Duration::from_secs(30), fails)
            .await
            .expect_err("the look's error is the result");
        assert_eq!(err.to_string(), "读取失败");
        assert!(started.elapsed() < Duration::from_secs(5), "it did not wait out the timeout");
    }

    #[tokio::test]
    async fn nothing_to_show_is_not_shown() {
        let err = eventually("never", Duration::from_millis(30), async || Ok((false, ()))).await.expect_err("never");
        assert!(!err.to_string().contains("last seen"), "{err}");
    }
}
