//! Property tests over random histories of delegate / assign / free /
//! reclaim / reserve / time passing: nothing ever overlaps, everything lies
//! in the pool, quarantine holds and then releases, and the same history
//! always gives the same pool.

use extranet_ids::NodeId;
use ipnet::IpNet;
use proptest::prelude::*;

use super::*;

const GRACE: i64 = 1_000;

#[derive(Clone, Debug)]
enum Op {
    Delegate { kid: u8, len: u8 },
    Assign { unit: u8, len: u8 },
    Free { pick: usize },
    Reclaim { unit: u8 },
    Reserve { slot: u16, len: u8 },
    Tick { ms: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0u8..6, 44u8..=48).prop_map(|(kid, len)| Op::Delegate { kid, len }),
        3 => (0u8..5, 56u8..=64).prop_map(|(unit, len)| Op::Assign { unit, len }),
        2 => any::<usize>().prop_map(|pick| Op::Free { pick }),
        1 => (0u8..5).prop_map(|unit| Op::Reclaim { unit }),
        1 => (any::<u16>(), 50u8..=60).prop_map(|(slot, len)| Op::Reserve { slot, len }),
        1 => (1i64..1_500).prop_map(|ms| Op::Tick { ms }),
    ]
}

fn root() -> IpNet {
    "2001:db8::/40".parse().unwrap()
}

const ROOT_BASE: u128 = 0x2001_0db8_u128 << 96;

fn unit(i: u8) -> AssigneeId {
    AssigneeId::new(&format!("unit-{i}")).unwrap()
}

/// Everything one run produced, for comparing runs.
#[derive(PartialEq, Debug)]
struct Run {
    pool: Pool,
    outputs: Vec<Option<IpNet>>,
}

/// Replays `ops`, checking the invariants after every step.
fn replay(ops: &[Op]) -> Run {
    let mut pool = Pool::new();
    pool.add_root(root()).unwrap();
    let (mut now, mut number) = (0i64, 0u64);
    let mut quarantine: Vec<(IpNet, i64)> = Vec::new();
    let mut outputs = Vec::new();
    for op in ops {
        let out = match op {
            Op::Delegate { kid, len } => {
                let child = NodeId::parse(&format!("540000/5401{kid:02}")).unwrap();
                pool.delegate(*len, true, &child, now).ok()
            }
            Op::Assign { unit: u, len } => {
                number += 1;
                pool.assign(*len, true, number, &unit(*u), now).ok()
            }
            Op::Free { pick } => {
                let live: Vec<IpNet> = pool
                    .occupants()
                    .filter(|(_, h)| !matches!(h, Holder::Quarantined { .. }))
                    .map(|(n, _)| *n)
                    .collect();
                let net = (!live.is_empty()).then(|| live[pick % live.len()]);
                if let Some(n) = net {
                    pool.free(&n, now + GRACE).unwrap();
                    quarantine.push((n, now + GRACE));
                }
                net
            }
            Op::Reclaim { unit: u } => {
                let got = pool.reclaim_assignee(&unit(*u), now + GRACE);
                quarantine.extend(got.iter().map(|(n, _)| (*n, now + GRACE)));
                assert!(
                    pool.occupants()
                        .all(|(_, h)| !matches!(h, Holder::Assigned { assignee, .. } if *assignee == unit(*u)))
                );
                None
            }
            Op::Reserve { slot, len } => {
                let base = ROOT_BASE + (u128::from(*slot) << (128 - 56));
                let net = IpNet::new(std::net::Ipv6Addr::from(base).into(), *len).unwrap().trunc();
                pool.insert("prefix", net, Holder::Reserved("ops".into())).ok().map(|_| net)
            }
            Op::Tick { ms } => {
                now += ms;
                pool.release_expired(now);
                for (q, _) in quarantine.iter().filter(|(_, until)| *until <= now) {
                    assert!(pool.overlapping(q).is_none(), "{q} still held after its quarantine ended");
                }
                quarantine.retain(|(_, until)| *until > now);
                None
            }
        };
        if let (Some(net), Op::Delegate { .. } | Op::Assign { .. } | Op::Reserve { .. }) = (out, op) {
            assert!(
                !quarantine.iter().any(|(q, _)| q.contains(&net) || net.contains(q)),
                "{net} reused while quarantined"
            );
        }
        check_invariants(&pool);
        outputs.push(out);
    }
    Run { pool, outputs }
}

fn check_invariants(pool: &Pool) {
    assert_eq!(pool.free_blocks(true), pool.free_blocks_by_halving(true), "free-block walk and halving agree");
    let occ: Vec<IpNet> = pool.occupants().map(|(n, _)| *n).collect();
    for (i, a) in occ.iter().enumerate() {
        assert!(root().contains(a), "{a} outside the pool");
        for b in &occ[i + 1..] {
            assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
        }
    }
    let (d, a) = records_of(pool);
    let report = verify(&NodeId::parse("540000").unwrap(), &[root()], &d, &a);
    assert!(report.passed(), "{:?}", report.problems);
}

/// The pool's occupants as the records the store would hold.
fn records_of(pool: &Pool) -> (Vec<Delegation>, Vec<Assignment>) {
    let region = NodeId::parse("540000").unwrap();
    let (mut ds, mut as_) = (Vec::new(), Vec::new());
    for (net, h) in pool.occupants() {
        match h {
            Holder::Delegated(child) => ds.push(delegation(&region, child, *net)),
            Holder::Assigned { number, assignee } => as_.push(assignment(&region, *number, assignee, *net)),
            _ => {}
        }
    }
    (ds, as_)
}

fn delegation(parent: &NodeId, child: &NodeId, prefix: IpNet) -> Delegation {
    Delegation {
        parent: parent.clone(),
        number: 0,
        child: child.clone(),
        prefix,
        by: "t".into(),
        at_ms: 0,
        state: RecordState::Live,
    }
}

fn assignment(node: &NodeId, number: u64, assignee: &AssigneeId, prefix: IpNet) -> Assignment {
    Assignment {
        id: AssignmentId { node: node.clone(), number },
        prefix,
        purpose: Purpose::AccessUnit,
        assignee: assignee.clone(),
        serves: "t".into(),
        by: "t".into(),
        at_ms: 0,
        ipv4_justification: None,
        ipv4_approved_by: None,
        state: RecordState::Live,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn histories_never_overlap_and_replay_identically(ops in proptest::collection::vec(op(), 1..80)) {
        let first = replay(&ops);
        let second = replay(&ops);
        prop_assert_eq!(first, second);
    }
}

#[test]
fn verify_finds_overlaps_and_strays() {
    let region = NodeId::parse("540000").unwrap();
    let pref = NodeId::parse("540000/540100").unwrap();
    let u = AssigneeId::new("u").unwrap();
    let ds = vec![delegation(&region, &pref, "2001:db8::/48".parse().unwrap())];
    let a = vec![
        assignment(&pref, 1, &u, "2001:db8::/64".parse().unwrap()),
        assignment(&pref, 2, &u, "2001:db8::/63".parse().unwrap()),
        assignment(&pref, 3, &u, "2001:db9::/64".parse().unwrap()),
    ];
    let r = verify(&region, &[root()], &ds, &a);
    assert_eq!((r.nodes, r.delegations, r.assignments), (2, 1, 3));
    assert!(r.problems.iter().any(|p| p.contains("重叠")), "{:?}", r.problems);
    assert!(r.problems.iter().any(|p| p.contains("2001:db9::/64") && p.contains("不在")), "{:?}", r.problems);
}

#[test]
fn free_blocks_cover_whole_families_and_edges() {
    let mut p = Pool::new();
    p.add_root("::/0".parse().unwrap()).unwrap();
    p.add_root("0.0.0.0/0".parse().unwrap()).unwrap();
    assert_eq!(p.free_blocks(true), vec!["::/0".parse::<IpNet>().unwrap()]);
    p.insert("prefix", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128".parse().unwrap(), Holder::Reserved("x".into()))
        .unwrap();
    p.insert("prefix", "10.0.0.0/8".parse().unwrap(), Holder::Reserved("x".into())).unwrap();
    for v6 in [true, false] {
        assert_eq!(p.free_blocks(v6), p.free_blocks_by_halving(v6));
    }
    assert_eq!(p.free_blocks(true).len(), 128);
}
