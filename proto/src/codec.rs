//! The codec every generated service and client uses: prost's, except that a
//! message that does not decode is the caller's error.
//!
//! tonic's stock prost codec answers a request that is not valid protobuf
//! (garbage bytes, a truncated field, invalid UTF-8 in a string) with
//! `INTERNAL` and prost's English text, which tells an operator the node is
//! broken when the request is. Here it is `INVALID_ARGUMENT`, in Chinese,
//! naming the rule, as every other bad input is (design rule 9).

use std::marker::PhantomData;

use prost::Message;
use tonic::Status;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder};
use tonic_prost::{ProstCodec, ProstDecoder, ProstEncoder};

/// `application/grpc+proto` via prost, with decode failures mapped to
/// `INVALID_ARGUMENT` (selected for every service in `build.rs`).
#[derive(Debug, Clone)]
pub struct EdgeCodec<T, U> {
    _pd: PhantomData<(T, U)>,
}

impl<T, U> Default for EdgeCodec<T, U> {
    fn default() -> Self {
        EdgeCodec { _pd: PhantomData }
    }
}

impl<T, U> Codec for EdgeCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = EdgeDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstCodec::<T, U>::default().encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        EdgeDecoder { inner: ProstCodec::<T, U>::default().decoder() }
    }
}

/// Decodes `U` with prost; a message that is not valid protobuf is
/// [`invalid_message`].
#[derive(Debug, Clone)]
pub struct EdgeDecoder<U> {
    inner: ProstDecoder<U>,
}

impl<U: Message + Default> Decoder for EdgeDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        U::decode(buf).map(Some).map_err(invalid_message)
    }

    fn buffer_settings(&self) -> BufferSettings {
        self.inner.buffer_settings()
    }
}

/// The status of a message that is not valid protobuf: `INVALID_ARGUMENT`,
/// with prost's reason appended for whoever debugs the sender.
pub fn invalid_message(e: prost::DecodeError) -> Status {
    Status::invalid_argument(format!("请求不是有效的 protobuf 消息：无法按接口定义解码（{e}）"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decode_error_is_invalid_argument_in_chinese() {
        let e = crate::v1::RevokeRequest::decode(&[0xff_u8, 0xff, 0xff][..]).unwrap_err();
        let s = invalid_message(e);
        assert_eq!(s.code(), tonic::Code::InvalidArgument);
        assert!(s.message().starts_with("请求不是有效的 protobuf 消息"), "{}", s.message());
    }
}
