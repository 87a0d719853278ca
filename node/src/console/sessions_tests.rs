use extranet_certs::{Identity, NodeId};

use super::*;

fn who(serial: &str) -> Who {
    Who { identity: Identity::operator(NodeId::parse("540000/540100").unwrap(), "op").unwrap(), serial: serial.into() }
}

const MIN: i64 = 60_000;

#[test]
fn a_link_signs_in_once_and_only_before_it_expires() {
    let s = Sessions::new(std::time::Duration::from_secs(3600));
    let (link, until) = s.issue_link(who("01"), 0).unwrap();
    assert_eq!(until, LINK_TTL_MS);
    assert_eq!(s.peek_link(&link, 1), Some(who("01")));
    let (token, session) = s.sign_in(&link, 1).unwrap();
    assert_eq!(session.who, who("01"));
    assert!(s.session(&token, 2).is_some());
    assert!(s.sign_in(&link, 2).is_err(), "a link is good once");
    let (late, _) = s.issue_link(who("02"), 0).unwrap();
    assert!(s.sign_in(&late, LINK_TTL_MS).is_err(), "an expired link signs no one in");
}

#[test]
fn a_session_ends_when_it_expires_is_ended_or_its_certificate_is_revoked() {
    let s = Sessions::new(std::time::Duration::from_secs(60));
    let sign = |serial: &str| s.sign_in(&s.issue_link(who(serial), 0).unwrap().0, 0).unwrap().0;
    let (a, b, c) = (sign("0a"), sign("0b"), sign("0c"));
    assert!(s.session(&a, MIN - 1).is_some());
    assert!(s.session(&a, MIN).is_none(), "expired at its end");
    s.end(&b);
    assert!(s.session(&b, 1).is_none(), "signed out");
    assert_eq!(s.end_revoked(|serial| serial == "0c"), 1);
    assert!(s.session(&c, 1).is_none(), "revoked");
}

#[test]
fn the_tables_are_bounded() {
    let s = Sessions::new(std::time::Duration::from_secs(60));
    let links: Vec<String> = (0..MAX_LINKS).map(|_| s.issue_link(who("01"), 0).unwrap().0).collect();
    let err = s.issue_link(who("01"), 0).unwrap_err().to_string();
    assert!(err.contains("上限"), "{err}");
    assert_eq!(links.iter().filter(|l| s.peek_link(l, 1).is_some()).count(), MAX_LINKS, "none was evicted");
    // expired links make room again
    assert!(s.issue_link(who("01"), LINK_TTL_MS).is_ok());
}

#[test]
fn tokens_are_distinct_and_long() {
    let s = Sessions::new(std::time::Duration::from_secs(60));
    let (a, b) = (s.token().unwrap(), s.token().unwrap());
    assert_ne!(a, b);
    assert_eq!(a.len(), 64);
    assert!(same_secret(&a, &a.clone()) && !same_secret(&a, &b));
}
