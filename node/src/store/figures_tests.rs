//! The counters of the summary figures at the store: they move only with a
//! committed write, an old store is counted on open, a new calendar moves
//! the deadlines it recomputes, and the stored bytes keep their format.
//! (That the counters equal a full recount after real operations is
//! `oversight/figures_tests.rs`.)

use std::sync::Arc;

use chrono::NaiveDate;

use super::figures::{MARKER, counter_value, read_counter};
use super::{NodeStore, TreeId, abort, keys};
use crate::domain::testing::sample;
use crate::domain::{AppState, ApplicationKind, UnitStatus};
use crate::error::NodeError;
use crate::store::fixtures;

fn open(dir: &std::path::Path, me: &str) -> NodeStore {
    NodeStore::open(dir, me.parse().unwrap(), Arc::new(crate::replicate::DomainApplier::without_pki())).unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Every entry of the two trees the figures live in.
fn dump(store: &NodeStore) -> Vec<(Vec<u8>, Vec<u8>)> {
    store
        .view(|t| {
            let mut out = Vec::new();
            for tree in [TreeId::Figures, TreeId::DeadlineIndex] {
                for item in t.iter(tree) {
                    out.push(item?);
                }
            }
            Ok::<_, NodeError>(out)
        })
        .unwrap()
}

/// Writes the county's sample records through the store's writers.
fn write_records(store: &NodeStore) {
    let mut app = sample(ApplicationKind::New, d("2026-12-01"));
    app.routing.competent = store.me().clone();
    store
        .transact(|tx| {
            for f in fixtures::filings() {
                tx.put_filing(&f)?;
            }
            tx.put_unit(&app.unit)?;
            tx.put_application(&app)?;
            tx.put_ipam_delegation(&fixtures::delegation())?;
            tx.put_ipam_assignment(&fixtures::assignment())?;
            tx.put_ipam_reservation(&fixtures::reservation())
        })
        .unwrap();
}

/// A write that aborts — after changing records of every counted kind —
/// leaves every counter and index entry as it was.
#[tokio::test]
async fn an_aborted_transaction_changes_no_counter() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), "540000/540100/540102");
    write_records(&store);
    let before = (dump(&store), store.figures(d("2027-01-01")).unwrap());
    assert!(!before.1.filings.is_empty() && before.1.overdue.reviews == 1, "{before:?}");
    let refused = store.transact(|tx| {
        let mut f = fixtures::filings()[1].clone();
        f.id.number = 3;
        tx.put_filing(&f)?;
        let mut app = sample(ApplicationKind::New, d("2026-12-02"));
        app.routing.competent = tx.me().clone();
        app.id.number = 2;
        tx.put_application(&app)?;
        app.unit.status = UnitStatus::Connected;
        tx.put_unit(&app.unit)?;
        tx.remove_ipam_reservation(&fixtures::reservation().prefix)?;
        abort::<()>(NodeError::invalid("test", "中止"))
    });
    assert!(refused.is_err());
    assert_eq!((dump(&store), store.figures(d("2027-01-01")).unwrap()), before);
    store.close();
}

/// A store whose records were written without counters (before they
/// existed) is counted once when it opens: the same figures as a store
/// that counted every write.
#[tokio::test]
async fn an_old_store_without_counters_is_counted_on_open() {
    let me = "540000/540100/540102";
    let (counted_dir, old_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let counted = open(counted_dir.path(), me);
    write_records(&counted);
    let expected = counted.figures(d("2027-01-01")).unwrap();
    counted.close();
    let old = open(old_dir.path(), me);
    let mut app = sample(ApplicationKind::New, d("2026-12-01"));
    app.routing.competent = old.me().clone();
    old.transact(|tx| {
        // the raw writes of a build that knew no counters, and no marker
        for f in fixtures::filings() {
            tx.insert(TreeId::Filings, f.id.key(), keys::encode(&f).or_else(abort)?)?;
        }
        tx.insert(TreeId::Units, app.unit.id.as_str(), keys::encode(&app.unit).or_else(abort)?)?;
        tx.insert(TreeId::Applications, app.id.key(), keys::encode(&app).or_else(abort)?)?;
        let (dl, a, r) = (fixtures::delegation(), fixtures::assignment(), fixtures::reservation());
        tx.insert(TreeId::IpamDelegations, b"d", keys::encode(&dl).or_else(abort)?)?;
        tx.insert(TreeId::IpamAssignments, b"a", keys::encode(&a).or_else(abort)?)?;
        tx.insert(TreeId::IpamReservations, r.prefix.to_string(), keys::encode(&r).or_else(abort)?)?;
        tx.remove(TreeId::Figures, MARKER)
    })
    .unwrap();
    assert_ne!(old.figures(d("2027-01-01")).unwrap(), expected, "not counted yet");
    old.close();
    old.closed().await;
    drop(old);
    let reopened = open(old_dir.path(), me);
    let got = reopened.figures(d("2027-01-01")).unwrap();
    assert_eq!(got, expected);
    assert_eq!(got.filings.len(), 2, "{got:?}");
    assert_eq!((got.space[0].total, got.units.len(), got.overdue.reviews), (1 << 88, 1, 1));
    reopened.close();
}

/// An application submitted on 2026-12-24 has provisional deadlines (2027
/// is not yet published): due 2027-01-07, overdue on the 8th. Publishing
/// 2027 with New Year's Day off moves them to the 8th: no longer overdue
/// that day — the calendar's write re-indexed them.
#[tokio::test]
async fn a_new_calendar_moves_the_provisional_deadlines_it_recomputes() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), "540000");
    let mut app = sample(ApplicationKind::New, d("2026-12-24"));
    app.routing.competent = store.me().clone();
    store.transact(|tx| tx.put_application(&app)).unwrap();
    let overdue = |day| store.figures(d(day)).unwrap().overdue;
    assert_eq!((overdue("2027-01-07").reviews, overdue("2027-01-08").reviews), (0, 1));
    assert_eq!(overdue("2027-01-08").notices, 1);
    let table = crate::calendar::CalendarTable::parse("# 测试\n2027-01-01\toff\t元旦\n").unwrap();
    crate::ops::calendar::publish(&store, &table, "op").await.unwrap();
    assert_eq!((overdue("2027-01-08").reviews, overdue("2027-01-08").notices), (0, 0), "due the 8th now");
    assert_eq!((overdue("2027-01-09").reviews, overdue("2027-01-09").notices), (1, 1));
    // once it is decided, nothing of it stays in the index or the set
    app.state = AppState::Rejected;
    store.transact(|tx| tx.put_application(&app)).unwrap();
    assert_eq!(overdue("2030-01-01"), Default::default());
    assert_eq!(
        store.view(|t| t.get(TreeId::Figures, super::figures::PROVISIONAL).map_err(NodeError::from)).unwrap(),
        None
    );
    store.close();
}

/// A counter is its version byte and 16 bytes big-endian; a value of
/// another format is refused, not misread.
#[test]
fn counter_values_keep_their_format() {
    let v = counter_value(258);
    assert_eq!(v[0], 1);
    assert_eq!(&v[15..], &[1, 2]);
    assert_eq!(read_counter(Some(&v)).unwrap(), 258);
    assert_eq!(read_counter(None).unwrap(), 0);
    assert!(read_counter(Some(&[2; 17])).is_err());
    assert_eq!(super::deadline_index::entry_key(d("2027-01-07"), "540000-A000001", "审核"), {
        let mut k = b"2027-01-07\x00540000-A000001\x00".to_vec();
        k.extend_from_slice("审核".as_bytes());
        k
    });
}
