//! Tests of the versioned record codec against the checked-in fixture bytes:
//! what older builds wrote still reads, what this build writes reads back,
//! and a record from a newer build is refused, not misread.

use std::sync::Arc;

use super::fixtures::{self, read};
use super::{NodeStore, TreeId, keys};
use crate::error::NodeError;

#[test]
fn every_record_written_before_formats_had_versions_still_reads() {
    for (name, _, check) in fixtures::records() {
        check(&read(&format!("store/v0/{name}.json")));
    }
    assert_eq!(keys::read_u64(Some(&read("store/v0/cursor.bin"))).unwrap(), 40);
}

#[test]
fn a_status_summary_of_the_old_two_field_form_reads_as_heard_when_generated() {
    let held: super::record::HeldSummary = keys::decode(&read("store/v0/status_summary_two_fields.json")).unwrap();
    assert_eq!(held, (1_764_000_000_000, vec![8, 1, 16, 2], 1_764_000_000_000));
}

#[test]
fn every_record_of_the_current_format_reads_and_is_written_with_its_version_and_version_1_still_reads() {
    for (name, bytes, check) in fixtures::records().into_iter().chain(fixtures::records_since_v1()) {
        let version = bytes[0];
        assert!((1..=2).contains(&version), "{name} is written with a version byte, got {version}");
        check(&read(&format!("store/v{version}/{name}.bin")));
        check(&bytes);
        // and every record's version 1 still reads, also where a newer one is written
        check(&read(&format!("store/v1/{name}.bin")));
    }
    let cursor = read("store/v1/cursor.bin");
    assert_eq!((cursor[0], keys::read_u64(Some(&cursor)).unwrap()), (1, 40));
}

fn newer(err: NodeError) -> (&'static str, u8, u8, String) {
    let text = err.to_string();
    match err {
        NodeError::NewerFormat { record, found, known } => (record, found, known, text),
        other => panic!("not refused as a newer format: {other}"),
    }
}

#[test]
fn a_record_or_counter_of_a_newer_version_is_refused_naming_it_and_both_versions() {
    let mut bytes = read("store/v1/application.bin");
    bytes[0] = 2;
    let (record, found, known, text) = newer(keys::decode::<crate::domain::Application>(&bytes).unwrap_err());
    assert_eq!((record, found, known), ("接入申请", 2, 1));
    assert!(text.contains("接入申请") && text.contains("版本为 2") && text.contains("版本 1"), "{text}");
    let mut cursor = keys::u64_value(40);
    cursor[0] = 3;
    assert_eq!(newer(keys::read_u64(Some(&cursor)).unwrap_err()).1, 3);
}

super::engine::conformance_tests::on_both_engines!(the_store_refuses_an_application_of_a_newer_version_and_leaves_it);

/// Through the store: a newer application on disk is an error for the
/// caller (FAILED_PRECONDITION), never a misread record, and stays as it was.
async fn the_store_refuses_an_application_of_a_newer_version_and_leaves_it(engine: super::engine::EngineKind) {
    let dir = tempfile::tempdir().unwrap();
    let me = extranet_certs::NodeId::parse("540000/540100").unwrap();
    let cfg = super::StoreConfig { restart: super::SelfRestart::Report, engine: Some(engine), ..Default::default() };
    let applier = Arc::new(crate::replicate::DomainApplier::without_pki());
    let store = NodeStore::open_with(dir.path(), me, applier, &cfg).unwrap();
    let mut bytes = read("store/v1/application.bin");
    bytes[0] = 5;
    let key = fixtures::application().id.key();
    store.transact(|tx| tx.insert(TreeId::Applications, key.as_bytes(), &bytes)).unwrap();
    let err = store.application(&key).unwrap_err();
    assert!(matches!(err, NodeError::NewerFormat { record: "接入申请", found: 5, known: 1 }), "{err}");
    assert_eq!(tonic::Status::from(err).code(), tonic::Code::FailedPrecondition);
    let err = store.transact(|tx| tx.application(&key)).unwrap_err();
    assert!(matches!(err, NodeError::NewerFormat { found: 5, known: 1, .. }), "{err}");
    let held = store.view(|t| t.get(TreeId::Applications, key.as_bytes()).map_err(NodeError::from)).unwrap();
    assert_eq!(held.as_deref(), Some(&bytes[..]), "the record is left as it was");
    store.close();
}
