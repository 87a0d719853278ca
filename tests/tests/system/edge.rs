//! The gRPC edge: a request that is not valid protobuf is the caller's
//! error (`INVALID_ARGUMENT`, in Chinese), and every request is bounded in
//! size and in the number of elements of its lists; list RPCs page.

use bytes_codec::Raw;
use extranet_node::domain::limits;
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, valid_cutover, valid_unit};
use prost::Message;
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;

/// A codec that sends and receives raw bytes, to put on the wire what no
/// generated client would.
mod bytes_codec {
    use prost::bytes::{Buf, BufMut};
    use tonic::Status;
    use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
    use tonic::codegen::Bytes;

    #[derive(Default)]
    pub struct Raw;

    pub struct RawEncoder;
    pub struct RawDecoder;

    impl Codec for Raw {
        type Encode = Vec<u8>;
        type Decode = Bytes;
        type Encoder = RawEncoder;
        type Decoder = RawDecoder;
        fn encoder(&mut self) -> RawEncoder {
            RawEncoder
        }
        fn decoder(&mut self) -> RawDecoder {
            RawDecoder
        }
    }

    impl Encoder for RawEncoder {
        type Item = Vec<u8>;
        type Error = Status;
        fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
            dst.put_slice(&item);
            Ok(())
        }
    }

    impl Decoder for RawDecoder {
        type Item = Bytes;
        type Error = Status;
        fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, Status> {
            Ok(Some(src.copy_to_bytes(src.remaining())))
        }
    }
}

/// Sends `body` as the request of the unary RPC at `path`.
async fn raw_call(channel: tonic::transport::Channel, path: &'static str, body: Vec<u8>) -> Result<(), tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    grpc.unary(tonic::Request::new(body), PathAndQuery::from_static(path), Raw).await.map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_is_not_protobuf_is_invalid_argument_in_chinese() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000"]).await?;
    let client = h.fed.client(&h.region()).await?;
    const GET: &str = "/extranet.v1.Filings/GetFiling";
    // the same raw client is answered normally when its bytes are a valid request
    let valid = pb::GetFilingRequest { id: "540000-000001".into() }.encode_to_vec();
    let answer = raw_call(client.channel(), GET, valid).await.unwrap_err();
    assert_eq!(answer.code(), Code::NotFound, "a valid request reaches the service: {answer:?}");

    let cutover = pb::FileCutoverRequest { cutover: Some(valid_cutover()), ..Default::default() }.encode_to_vec();
    let cases: [(&str, &str, Vec<u8>); 3] = [
        ("garbage bytes", GET, vec![0xff; 32]),
        ("a truncated message", "/extranet.v1.Filings/FileCutover", cutover[..cutover.len() / 2].to_vec()),
        ("invalid UTF-8 in a string field", GET, vec![0x0a, 0x02, 0xff, 0xfe]),
    ];
    for (what, path, body) in cases {
        let s = raw_call(client.channel(), path, body).await.unwrap_err();
        assert_eq!(s.code(), Code::InvalidArgument, "{what}: {s:?}");
        assert!(s.message().starts_with("请求不是有效的 protobuf 消息"), "{what}: {}", s.message());
    }
    assert!(h.running(&h.region()).store.filings(None, 10)?.is_empty(), "nothing was filed");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_requests_beyond_the_bounds_are_refused_naming_field_and_limit() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000"]).await?;
    let mut filings = h.fed.client(&h.region()).await?.filings();
    let mut c = valid_cutover();
    c.affected_units = (0..=limits::MAX_AFFECTED_UNITS).map(|i| format!("单位{i}")).collect();
    let s = filings.file_cutover(pb::FileCutoverRequest { cutover: Some(c), ..Default::default() }).await.unwrap_err();
    assert_eq!(s.code(), Code::InvalidArgument, "{s:?}");
    assert!(s.message().contains("cutover.affected_units") && s.message().contains("500"), "{}", s.message());

    let mut c = valid_cutover();
    c.affected_units = vec!["长".repeat(limits::MAX_ITEM_CHARS + 1)];
    let s = filings.file_cutover(pb::FileCutoverRequest { cutover: Some(c), ..Default::default() }).await.unwrap_err();
    assert_eq!(s.code(), Code::InvalidArgument, "{s:?}");

    // 280,000 affected units, as in the issue: refused by size before it is even decoded
    let mut c = valid_cutover();
    c.affected_units = (0..280_000).map(|i| format!("u{i:07}")).collect();
    let s = filings.file_cutover(pb::FileCutoverRequest { cutover: Some(c), ..Default::default() }).await.unwrap_err();
    assert_eq!(s.code(), Code::InvalidArgument, "{s:?}");
    assert!(s.message().starts_with("请求过大") && s.message().contains("262144"), "{}", s.message());
    assert!(h.running(&h.region()).store.filings(None, 10)?.is_empty(), "nothing was filed");

    let s = filings.list_filings(pb::ListFilingsRequest { page_token: "not-a-token".into(), ..Default::default() });
    let s = s.await.unwrap_err();
    assert_eq!(s.code(), Code::InvalidArgument, "{s:?}");
    assert!(s.message().contains("page_token"), "{}", s.message());
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_filings_pages_with_a_token_and_a_byte_bound() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000"]).await?;
    let mut filings = h.fed.client(&h.region()).await?.filings();
    // large but legal filings: 500 registered units with long names, about 230 KiB each encoded
    let ids: Vec<String> = (0..limits::MAX_AFFECTED_UNITS).map(|j| format!("unit-{j:03}")).collect();
    for (j, id) in ids.iter().enumerate() {
        let unit = pb::Unit { name: format!("单位{j:03}{}", "长".repeat(150)), ..valid_unit(id, "540000") };
        h.register_unit(&h.region(), unit).await?;
    }
    h.cutover_unit(&h.region()).await?;
    let mut filed = Vec::new();
    for i in 0..7 {
        let mut c = valid_cutover();
        c.description = format!("第 {i} 次割接");
        c.affected_units = ids.clone();
        filed.push(
            filings
                .file_cutover(pb::FileCutoverRequest { cutover: Some(c), ..Default::default() })
                .await?
                .into_inner()
                .id,
        );
    }
    for _ in 0..5 {
        filed.push(
            filings
                .file_cutover(pb::FileCutoverRequest { cutover: Some(valid_cutover()), ..Default::default() })
                .await?
                .into_inner()
                .id,
        );
    }
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let req = pb::ListFilingsRequest { page_token: token.clone(), page_size: 1000, ..Default::default() };
        let r = filings.list_filings(req).await?.into_inner();
        let bytes: usize = r.filings.iter().map(Message::encoded_len).sum();
        assert!(bytes <= limits::PAGE_BYTES_MAX, "a page holds at most 1 MiB of rows, got {bytes}");
        pages += 1;
        seen.extend(r.filings.into_iter().map(|f| f.id));
        if r.next_page_token.is_empty() {
            break;
        }
        token = r.next_page_token;
    }
    assert!(pages >= 2, "the byte bound split the list into pages");
    filed.reverse();
    assert_eq!(seen, filed, "every filing once, newest first");
    // a small page
    let r = filings.list_filings(pb::ListFilingsRequest { page_size: 5, ..Default::default() }).await?.into_inner();
    assert_eq!(r.filings.len(), 5);
    assert!(!r.next_page_token.is_empty());
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_units_pages_with_a_token() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let a = h.county_a();
    for i in 1..=5 {
        h.register_unit(&a, extranet_tests::valid_unit(&format!("u{i:04}"), "540000/540100/540102")).await?;
    }
    let mut units = h.fed.client(&a).await?.units();
    let (mut seen, mut token, mut pages) = (Vec::new(), String::new(), 0);
    loop {
        let r = units.list_units(pb::ListUnitsRequest { page_token: token.clone(), page_size: 2 }).await?.into_inner();
        assert!(r.units.len() <= 2, "a page holds at most page_size rows");
        pages += 1;
        seen.extend(r.units.into_iter().map(|u| u.id));
        if r.next_page_token.is_empty() {
            break;
        }
        token = r.next_page_token;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, (1..=5).map(|i| format!("u{i:04}")).collect::<Vec<_>>(), "every unit once, by id");
    h.shutdown().await;
    Ok(())
}
