//! The statuses tonic writes on its own, before any handler runs (a request
//! body it cannot decode, a message over the size limit, a unary call with
//! no message, an unknown method), read back as this API's [`Error`]s so
//! that they leave the server with the code the gRPC book and AIP-193 give
//! them and the same google.rpc details as every other error
//! (`api::convert::to_status`).
//!
//! tonic 0.14 gives them as bare statuses whose only structure is their
//! code and message text, so that is what is matched here: the messages of
//! `tonic::codec::decode` and `tonic::server::grpc`, and
//! `prost::DecodeError`'s display (`Message.field: ...: description`, the
//! innermost field first) as `tonic_prost` passes it on. The unit tests
//! below run tonic's own decoder to produce them, so a tonic release that
//! rewords one fails here, not in production.

use tonic::{Code, Status};

use crate::error::{Error, reason};

/// How `tonic_prost` begins the message of a protobuf decoding error.
const DECODE_PREFIX: &str = "failed to decode Protobuf message: ";
/// prost's description of a string field that is not UTF-8.
const NOT_UTF8: &str = "invalid string value: data is not UTF-8 encoded";

/// The error behind a status that tonic wrote itself for the call to
/// `path`, or `None` for any other status (our handlers' statuses are
/// already right).
pub fn from_tonic(status: &Status, path: &str) -> Option<Error> {
    let message = status.message();
    match status.code() {
        Code::Internal => {
            if let Some(rest) = message.strip_prefix(DECODE_PREFIX) {
                return Some(decode_error(rest));
            }
            match message {
                "Unexpected EOF decoding stream." => Some(Error::invalid_because(
                    reason::TRUNCATED_MESSAGE,
                    "",
                    "the request body ends inside a message: its length prefix announces more bytes than were sent",
                )),
                "Missing request message." => Some(Error::MissingRequestMessage),
                _ if message
                    .starts_with("protocol error: received message with compressed-flag")
                    || message.starts_with("Error decompressing: ") =>
                {
                    Some(Error::Compression(message.to_owned()))
                }
                _ => None,
            }
        }
        // "Error, decoded message length too large: found N bytes, the limit is: M bytes"
        Code::OutOfRange if message.starts_with("Error, decoded message length too large") => {
            let mut numbers = numbers(message);
            let size = numbers.next();
            let limit = numbers.next()?;
            Some(Error::MessageTooLarge { size, limit })
        }
        // "Error decompressing: size limit, of M bytes, exceeded while decompressing message"
        Code::ResourceExhausted if message.starts_with("Error decompressing: size limit") => {
            Some(Error::MessageTooLarge {
                size: None,
                limit: numbers(message).next()?,
            })
        }
        // tonic's router answers a path no service has with an empty message.
        Code::Unimplemented if message.is_empty() => Some(Error::UnknownMethod(path.to_owned())),
        _ => None,
    }
}

/// The runs of ASCII digits in `s`, as numbers.
fn numbers(s: &str) -> impl Iterator<Item = usize> + '_ {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .filter_map(|run| run.parse().ok())
}

/// A protobuf decoding error: `Article.time_zone: EnrichArticleRequest.article:
/// invalid string value: ...` names the field path from the innermost
/// field out. The path it gives is the request's field path except for a
/// oneof, which prost names by the oneof (`article.content` for text and
/// html), and for repeated fields, which it does not index
/// (`articles.time_zone`).
fn decode_error(rest: &str) -> Error {
    let mut fields = Vec::new();
    let mut description = rest;
    while let Some((head, tail)) = description.split_once(": ") {
        let Some((message, field)) = head.split_once('.') else {
            break;
        };
        let field = field.strip_prefix("r#").unwrap_or(field);
        if !is_identifier(message) || !is_identifier(field) {
            break;
        }
        fields.push(field);
        description = tail;
    }
    fields.reverse();
    let path = fields.join(".");
    if description == NOT_UTF8 {
        let problem = if path.is_empty() {
            "a string field of the request message is not valid UTF-8".to_owned()
        } else {
            "is not valid UTF-8, as protobuf string fields must be".to_owned()
        };
        return Error::invalid_because(reason::INVALID_UTF8, path, problem);
    }
    let problem = if path.is_empty() {
        format!("the request message cannot be decoded: {description}")
    } else {
        format!("cannot be decoded: {description}")
    };
    Error::invalid_because(reason::MALFORMED_MESSAGE, path, problem)
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v1;
    use bytes::Bytes;
    use tonic::codec::{BufferSettings, Streaming};

    /// One gRPC frame (uncompressed) around `message`.
    fn frame(message: &[u8]) -> Vec<u8> {
        let mut out = vec![0];
        out.extend_from_slice(&(message.len() as u32).to_be_bytes());
        out.extend_from_slice(message);
        out
    }

    /// The status tonic's own server-side decoder gives for `body`.
    async fn tonic_status<T: prost::Message + Default + Send + std::fmt::Debug + 'static>(
        body: Vec<u8>,
        limit: usize,
    ) -> Status {
        let decoder = tonic_prost::ProstDecoder::<T>::new(BufferSettings::default());
        let body = http_body_util::Full::new(Bytes::from(body));
        let mut stream = Streaming::new_request(decoder, body, None, Some(limit));
        stream.message().await.expect_err("tonic refuses the body")
    }

    async fn error_for<T: prost::Message + Default + Send + std::fmt::Debug + 'static>(
        body: Vec<u8>,
    ) -> Error {
        let status = tonic_status::<T>(body, 1 << 20).await;
        from_tonic(&status, "/p").unwrap_or_else(|| panic!("not recognised: {status:?}"))
    }

    fn field_and_reason(e: &Error) -> (&str, &'static str) {
        match e {
            Error::InvalidArgument { field, reason, .. } => (field, reason),
            other => panic!("{other:?}"),
        }
    }

    // Article.time_zone is field 8, Article.text field 4, both strings;
    // the request's article (or a batch's articles) is field 1.
    const BAD_TIME_ZONE: [u8; 4] = [0x42, 2, 0xff, 0xfe];
    const BAD_TEXT: [u8; 4] = [0x22, 2, 0xc3, 0x28];

    #[tokio::test]
    async fn invalid_utf8_names_the_field() {
        let mut request = vec![0x0a, 4];
        request.extend(BAD_TIME_ZONE);
        let e = error_for::<v1::EnrichArticleRequest>(frame(&request)).await;
        assert_eq!(field_and_reason(&e), ("article.time_zone", "INVALID_UTF8"));
        assert_eq!(
            e.to_string(),
            "article.time_zone: is not valid UTF-8, as protobuf string fields must be"
        );

        let mut request = vec![0x0a, 4];
        request.extend(BAD_TEXT);
        let e = error_for::<v1::StreamEnrichArticlesRequest>(frame(&request)).await;
        assert_eq!(field_and_reason(&e), ("article.content", "INVALID_UTF8"));

        let mut batch = vec![0x0a, 0]; // a good (empty) first article
        batch.extend([0x0a, 4]);
        batch.extend(BAD_TIME_ZONE);
        let e = error_for::<v1::BatchEnrichArticlesRequest>(frame(&batch)).await;
        assert_eq!(field_and_reason(&e), ("articles.time_zone", "INVALID_UTF8"));
    }

    #[tokio::test]
    async fn malformed_protobuf_is_invalid_argument() {
        // published_at (field 6) holding a Timestamp whose nanos varint
        // never ends.
        let request = [0x0a, 5, 0x32, 3, 0x10, 0xff, 0xff];
        let e = error_for::<v1::EnrichArticleRequest>(frame(&request)).await;
        let (field, reason) = field_and_reason(&e);
        assert_eq!(reason, "MALFORMED_MESSAGE");
        assert!(field.starts_with("article.published_at"), "{field}");
        // Not protobuf at all: wire type 7 does not exist.
        let e = error_for::<v1::EnrichArticleRequest>(frame(&[0x0f, 1, 2])).await;
        assert_eq!(field_and_reason(&e), ("", "MALFORMED_MESSAGE"));
        assert!(
            e.to_string()
                .starts_with("the request message cannot be decoded: "),
            "{e}"
        );
        assert_eq!(crate::api::convert::grpc_code(&e), Code::InvalidArgument);
    }

    #[tokio::test]
    async fn a_truncated_frame_is_invalid_argument() {
        let mut body = frame(&[0x0a, 0]);
        body.truncate(body.len() - 1);
        let e = error_for::<v1::EnrichArticleRequest>(body).await;
        assert_eq!(field_and_reason(&e), ("", "TRUNCATED_MESSAGE"));
    }

    #[tokio::test]
    async fn an_over_limit_message_is_resource_exhausted_with_both_sizes() {
        let status = tonic_status::<v1::EnrichArticleRequest>(frame(&[0u8; 100]), 64).await;
        assert_eq!(status.code(), Code::OutOfRange, "tonic's own code");
        let e = from_tonic(&status, "/p").expect("recognised");
        assert!(
            matches!(
                e,
                Error::MessageTooLarge {
                    size: Some(100),
                    limit: 64
                }
            ),
            "{e:?}"
        );
        assert_eq!(crate::api::convert::grpc_code(&e), Code::ResourceExhausted);
    }

    #[test]
    fn other_statuses_are_left_alone() {
        for s in [
            Status::internal("internal error: deliberate test panic"),
            Status::invalid_argument("article: is missing"),
            Status::unimplemented("Content is compressed with `zstd` which isn't supported"),
            Status::out_of_range("something else"),
            Status::ok(""),
        ] {
            assert!(from_tonic(&s, "/p").is_none(), "{s:?}");
        }
        assert!(matches!(
            from_tonic(&Status::internal("Missing request message."), "/p"),
            Some(Error::MissingRequestMessage)
        ));
        let gzip =
            Status::internal("Error decompressing: invalid gzip header, while sending request");
        let e = from_tonic(&gzip, "/p").expect("recognised");
        assert_eq!(e.reason(), "COMPRESSION_ERROR");
        assert_eq!(
            crate::api::convert::grpc_code(&e),
            Code::Internal,
            "as the spec says"
        );
        assert!(matches!(
            from_tonic(&Status::unimplemented(""), "/no.Such/Method"),
            Some(Error::UnknownMethod(p)) if p == "/no.Such/Method"
        ));
    }
}
