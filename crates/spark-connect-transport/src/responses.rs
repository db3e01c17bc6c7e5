//! The responses of `ExecutePlan` and `ReattachExecute`, read from the HTTP/2 body by this crate
//! rather than by tonic's decoder, so that each message is copied once, out of the HTTP/2
//! frames, into an allocation of its own where its Arrow payload starts at the address the
//! caller wants ([`PayloadPlacement`]).
//!
//! tonic gathers messages in one shared buffer, where a payload starts wherever the previous
//! message ended: a client that needs Arrow's alignment, or that keeps a result and must not
//! keep a shared receive buffer alive with it, had to copy every payload a second time. Here the
//! message's allocation is the payload's: a batch keeps its own message (the payload plus a few
//! hundred bytes of ids) and nothing else alive. Allocations of dropped messages are reused by
//! the next ones, so a streamed result does not fault in fresh pages for every message.
//!
//! The gRPC framing (of the request too, [`grpc_request`]) and status rules are the protocol's:
//! a 5-byte prefix (compressed flag,
//! big-endian length) before each message, the status in the trailers (or in the headers of a
//! trailers-only response), and the HTTP status mapped to a gRPC code when there is none.

use std::sync::{Arc, Mutex, Weak};

use bytes::{Buf, Bytes};
use http::StatusCode;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use prost::Message;
use spark_connect_proto::spark::connect as pb;
use tonic::{Code, Status};

/// Where the Arrow payload of a result message should start in memory: given the payload's first
/// bytes (as many as have arrived, which is its IPC metadata whenever the first HTTP/2 frame of
/// the message holds it), the wanted address modulo 64. The default places payloads at 64-byte
/// boundaries; a caller that knows Arrow can do better for buffers that need 16-byte alignment
/// behind 8-byte padding (see `ClientBuilder::payload_placement`).
pub type PayloadPlacement = Arc<dyn Fn(&[u8]) -> usize + Send + Sync>;

/// The gRPC message prefix: a compressed flag and a big-endian length.
const PREFIX: usize = 5;

/// How many allocations of dropped messages a client keeps for its next messages, and how many
/// bytes at most.
const KEPT_ALLOCATIONS: usize = 4;
const KEPT_BYTES: usize = 64 << 20;

/// Allocations of messages whose every part was dropped, kept for the next messages.
#[derive(Default)]
pub(crate) struct MessageAllocations {
    free: Mutex<Vec<Vec<u8>>>,
}

impl MessageAllocations {
    /// An empty allocation for `len` bytes plus up to 63 of placement: the smallest kept one
    /// that fits without much to spare (a batch that is kept keeps all of it), else a new one.
    fn take(&self, len: usize) -> Vec<u8> {
        let needed = len + 64;
        let spare = (needed / 16).max(64 << 10);
        let recycled = self.free.lock().ok().and_then(|mut free| {
            let (i, _) = free
                .iter()
                .enumerate()
                .filter(|(_, b)| b.capacity() >= needed && b.capacity() - needed <= spare)
                .min_by_key(|(_, b)| b.capacity())?;
            Some(free.swap_remove(i))
        });
        match recycled {
            Some(mut buffer) => {
                buffer.clear();
                buffer
            }
            // Large messages get room to spare so that a slightly larger next one still fits
            // (a result's batches grow as its values do); small ones an exact allocation.
            None if needed >= 1 << 20 => Vec::with_capacity(needed.next_multiple_of(64 << 10)),
            None => Vec::with_capacity(needed),
        }
    }

    fn give_back(&self, buffer: Vec<u8>) {
        if let Ok(mut free) = self.free.lock() {
            let kept: usize = free.iter().map(Vec::capacity).sum();
            if free.len() < KEPT_ALLOCATIONS && kept + buffer.capacity() <= KEPT_BYTES {
                free.push(buffer);
            }
        }
    }

    #[cfg(test)]
    fn kept(&self) -> usize {
        self.free.lock().map(|f| f.len()).unwrap_or(0)
    }
}

/// One message's allocation, from `start` on; given back when the last `Bytes` of it drops.
struct MessageBuffer {
    buffer: Vec<u8>,
    start: usize,
    home: Weak<MessageAllocations>,
}

impl AsRef<[u8]> for MessageBuffer {
    fn as_ref(&self) -> &[u8] {
        &self.buffer[self.start..]
    }
}

impl Drop for MessageBuffer {
    fn drop(&mut self) {
        if let Some(home) = self.home.upgrade() {
            home.give_back(std::mem::take(&mut self.buffer));
        }
    }
}

/// A message being gathered from the frames into its allocation (given back if the stream
/// ends before it is whole).
struct Gathering {
    message: MessageBuffer,
    len: usize,
}

impl Gathering {
    fn missing(&self) -> usize {
        self.message.start + self.len - self.message.buffer.len()
    }
}

/// The response messages of one server-streaming call.
pub(crate) struct Responses {
    body: Option<Incoming>,
    http_status: StatusCode,
    /// The part of the current HTTP/2 data frame not consumed yet.
    frame: Bytes,
    prefix: [u8; PREFIX],
    prefix_len: usize,
    gathering: Option<Gathering>,
    max_message_size: usize,
    placement: Option<PayloadPlacement>,
    allocations: Arc<MessageAllocations>,
    /// Whether the stream ended (its status was reported).
    ended: bool,
}

impl Responses {
    /// Reads the response's headers: a trailers-only response with an error status is that
    /// error.
    pub(crate) fn new(
        response: http::Response<Incoming>,
        max_message_size: usize,
        placement: Option<PayloadPlacement>,
        allocations: Arc<MessageAllocations>,
    ) -> Result<Responses, Status> {
        let trailers_only = Status::from_header_map(response.headers());
        let (parts, body) = response.into_parts();
        if trailers_only.is_none() && parts.status != StatusCode::OK {
            // Not a gRPC response (a proxy's error page, say): its HTTP status says what
            // happened, and its body is no gRPC message.
            end_status(parts.status, None)?;
        }
        let mut responses = Responses::empty(parts.status, max_message_size, allocations);
        responses.body = Some(body);
        responses.placement = placement;
        if let Some(status) = trailers_only {
            if status.code() != Code::Ok {
                return Err(status);
            }
            // The status came with the headers: nothing follows.
            responses.body = None;
            responses.ended = true;
        }
        Ok(responses)
    }

    /// A stream with no body yet and nothing gathered.
    fn empty(
        http_status: StatusCode,
        max_message_size: usize,
        allocations: Arc<MessageAllocations>,
    ) -> Responses {
        Responses {
            body: None,
            http_status,
            frame: Bytes::new(),
            prefix: [0; PREFIX],
            prefix_len: 0,
            gathering: None,
            max_message_size,
            placement: None,
            allocations,
            ended: false,
        }
    }

    /// The next message; `None` after the stream ended with an OK status; the error status
    /// (once) when it ended with another.
    pub(crate) async fn message(&mut self) -> Result<Option<pb::ExecutePlanResponse>, Status> {
        loop {
            if self.ended {
                return Ok(None);
            }
            match self.next_from_frame() {
                Ok(Some(message)) => return Ok(Some(message)),
                Ok(None) => {}
                Err(status) => return self.end(Err(status)),
            }
            let next = match self.body.as_mut() {
                Some(body) => body.frame().await,
                None => None,
            };
            let frame = match next {
                Some(Ok(frame)) => frame,
                Some(Err(e)) => return self.end(Err(crate::channel::transport_status(e))),
                None => {
                    let status = if self.prefix_len > 0 || self.gathering.is_some() {
                        Err(Status::internal(
                            "the response stream ended inside a message",
                        ))
                    } else {
                        self.status_from_trailers(None)
                    };
                    return self.end(status);
                }
            };
            match frame.into_data() {
                Ok(data) => self.frame = data,
                Err(frame) => {
                    if let Ok(trailers) = frame.into_trailers() {
                        return self.end_with_trailers(&trailers);
                    }
                }
            }
        }
    }

    /// Ends the stream with the status of its trailers. An OK status that cuts a message short
    /// ends it as a clean end would (the execution resumes after the last whole response).
    fn end_with_trailers(
        &mut self,
        trailers: &http::HeaderMap,
    ) -> Result<Option<pb::ExecutePlanResponse>, Status> {
        if self.prefix_len > 0 || self.gathering.is_some() {
            tracing::debug!("a response stream ended inside a message");
        }
        let status = self.status_from_trailers(Some(trailers));
        self.end(status)
    }

    /// Ends the stream with `status`, reported by this call.
    fn end(
        &mut self,
        status: Result<(), Status>,
    ) -> Result<Option<pb::ExecutePlanResponse>, Status> {
        self.body = None;
        self.gathering = None;
        self.frame = Bytes::new();
        self.ended = true;
        status.map(|()| None)
    }

    /// The status at the end of the body (see [`end_status`]).
    fn status_from_trailers(&self, trailers: Option<&http::HeaderMap>) -> Result<(), Status> {
        end_status(self.http_status, trailers)
    }

    /// Consumes the current frame until a message is complete (or the frame is used up).
    fn next_from_frame(&mut self) -> Result<Option<pb::ExecutePlanResponse>, Status> {
        if self.gathering.is_none() {
            let take = (PREFIX - self.prefix_len).min(self.frame.len());
            self.prefix[self.prefix_len..self.prefix_len + take]
                .copy_from_slice(&self.frame[..take]);
            self.frame.advance(take);
            self.prefix_len += take;
            if self.prefix_len < PREFIX {
                return Ok(None);
            }
            self.prefix_len = 0;
            self.gathering = Some(self.start_message()?);
        }
        let Some(gathering) = self.gathering.as_mut() else {
            return Ok(None);
        };
        let take = gathering.missing().min(self.frame.len());
        gathering
            .message
            .buffer
            .extend_from_slice(&self.frame[..take]);
        self.frame.advance(take);
        if gathering.missing() > 0 {
            return Ok(None);
        }
        let Some(done) = self.gathering.take() else {
            return Ok(None);
        };
        pb::ExecutePlanResponse::decode(Bytes::from_owner(done.message))
            .map(Some)
            .map_err(|e| Status::internal(format!("a malformed response message: {e}")))
    }

    /// Reads the message prefix and allocates the message where its payload lands as wanted.
    fn start_message(&mut self) -> Result<Gathering, Status> {
        let [flag, length @ ..] = self.prefix;
        if flag != 0 {
            return Err(Status::internal(format!(
                "protocol error: a response message has compressed-flag {flag}, but this client \
                 asked for no compression"
            )));
        }
        let len = u32::from_be_bytes(length) as usize;
        if len > self.max_message_size {
            return Err(Status::out_of_range(format!(
                "Error, decoded message length too large: found {len} bytes, the limit is: {} \
                 bytes",
                self.max_message_size
            )));
        }
        let buffer = self.allocations.take(len);
        let arrived = &self.frame[..len.min(self.frame.len())];
        // The message's offset within its allocation (0..64) that puts the payload (or, for a
        // message without one, the message) at the wanted address modulo 64.
        let (payload_at, wanted) = match arrow_payload_offset(arrived) {
            Some(at) => {
                let payload = &arrived[at.min(arrived.len())..];
                let wanted = self.placement.as_ref().map_or(0, |place| place(payload));
                (at, wanted % 64)
            }
            None => (0, 0),
        };
        let address = buffer.as_ptr() as usize + payload_at;
        let start = (wanted + 64 - address % 64) % 64;
        let mut message = MessageBuffer {
            buffer,
            start,
            home: Arc::downgrade(&self.allocations),
        };
        message.buffer.resize(start, 0);
        Ok(Gathering { message, len })
    }
}

/// The status a response ended with: the trailers' `grpc-status`, else one inferred from the
/// HTTP status (as gRPC's HTTP-to-gRPC status mapping says).
fn end_status(http_status: StatusCode, trailers: Option<&http::HeaderMap>) -> Result<(), Status> {
    if let Some(status) = trailers.and_then(Status::from_header_map) {
        return if status.code() == Code::Ok {
            Ok(())
        } else {
            Err(status)
        };
    }
    let code = match http_status {
        StatusCode::OK => return Ok(()),
        StatusCode::BAD_REQUEST => Code::Internal,
        StatusCode::UNAUTHORIZED => Code::Unauthenticated,
        StatusCode::FORBIDDEN => Code::PermissionDenied,
        StatusCode::NOT_FOUND => Code::Unimplemented,
        StatusCode::TOO_MANY_REQUESTS
        | StatusCode::BAD_GATEWAY
        | StatusCode::SERVICE_UNAVAILABLE
        | StatusCode::GATEWAY_TIMEOUT => Code::Unavailable,
        _ => Code::Unknown,
    };
    Err(Status::new(
        code,
        format!(
            "grpc-status header missing, mapped from HTTP status code {}",
            http_status.as_u16()
        ),
    ))
}

/// The HTTP/2 request of a gRPC call to `method` on `origin`: the message behind its prefix,
/// the request's metadata as headers.
pub(crate) fn grpc_request<M: Message>(
    origin: &http::Uri,
    method: &'static str,
    request: tonic::Request<M>,
) -> Result<http::Request<tonic::body::Body>, Status> {
    use bytes::BufMut;

    let (metadata, _, message) = request.into_parts();
    let len = message.encoded_len();
    let mut body = bytes::BytesMut::with_capacity(PREFIX + len);
    body.put_u8(0);
    body.put_u32(u32::try_from(len).map_err(|_| {
        Status::out_of_range(format!("a {len}-byte request is too large for gRPC"))
    })?);
    message
        .encode(&mut body)
        .map_err(|e| Status::internal(format!("cannot encode the request: {e}")))?;
    let mut uri = origin.clone().into_parts();
    uri.path_and_query = Some(http::uri::PathAndQuery::from_static(method));
    let uri = http::Uri::from_parts(uri)
        .map_err(|e| Status::internal(format!("cannot address {method}: {e}")))?;
    let mut request = http::Request::new(tonic::body::Body::new(http_body_util::Full::new(
        body.freeze(),
    )));
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = uri;
    *request.version_mut() = http::Version::HTTP_2;
    let headers = request.headers_mut();
    *headers = metadata.into_headers();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/grpc"),
    );
    headers.insert(http::header::TE, http::HeaderValue::from_static("trailers"));
    Ok(request)
}

/// Where the Arrow data of an `ExecutePlanResponse` starts within the message, read from its
/// first bytes: the `data` field (2) of the `arrow_batch` field (2). `None` when the message
/// holds none, or when the bytes end before it.
fn arrow_payload_offset(message: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at < message.len() {
        let (field, wire_type) = tag(message, &mut at)?;
        if wire_type != 2 {
            skip(message, &mut at, wire_type)?;
            continue;
        }
        let len = varint(message, &mut at)? as usize;
        if field != 2 {
            at = at.checked_add(len)?;
            continue;
        }
        // Inside `arrow_batch`.
        let end = at.checked_add(len)?;
        while at < end.min(message.len()) {
            let (field, wire_type) = tag(message, &mut at)?;
            if field == 2 && wire_type == 2 {
                varint(message, &mut at)?;
                return Some(at);
            }
            skip(message, &mut at, wire_type)?;
        }
        return None;
    }
    None
}

fn tag(bytes: &[u8], at: &mut usize) -> Option<(u64, u64)> {
    let tag = varint(bytes, at)?;
    Some((tag >> 3, tag & 7))
}

fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

fn skip(bytes: &[u8], at: &mut usize, wire_type: u64) -> Option<()> {
    match wire_type {
        0 => {
            varint(bytes, at)?;
        }
        1 => *at = at.checked_add(8)?,
        2 => {
            let len = varint(bytes, at)? as usize;
            *at = at.checked_add(len)?;
        }
        5 => *at = at.checked_add(4)?,
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(data: &[u8]) -> pb::ExecutePlanResponse {
        pb::ExecutePlanResponse {
            session_id: "a-session-id-of-some-length".into(),
            operation_id: "op".into(),
            response_id: "r-1".into(),
            response_type: Some(pb::execute_plan_response::ResponseType::ArrowBatch(
                pb::execute_plan_response::ArrowBatch {
                    row_count: 123_456,
                    data: Bytes::copy_from_slice(data),
                    start_offset: Some(7),
                    ..Default::default()
                },
            )),
            ..Default::default()
        }
    }

    #[test]
    fn the_payload_offset_is_read_from_the_first_bytes() {
        let data = b"arrow payload bytes";
        let encoded = response(data).encode_to_vec();
        let at = arrow_payload_offset(&encoded).unwrap();
        assert_eq!(&encoded[at..at + data.len()], data);
        // Enough bytes to reach the field are enough.
        assert_eq!(arrow_payload_offset(&encoded[..at]), Some(at));
        assert_eq!(arrow_payload_offset(&encoded[..at - 1]), None);
        // A message without Arrow data has none; garbage never panics.
        let other = pb::ExecutePlanResponse {
            session_id: "s".into(),
            ..Default::default()
        }
        .encode_to_vec();
        assert_eq!(arrow_payload_offset(&other), None);
        for garbage in [&[0xff_u8; 12][..], &[0x12, 0xff, 0xff, 0xff], &[0x0f], &[]] {
            assert_eq!(arrow_payload_offset(garbage), None);
        }
    }

    /// Gathers `messages`, framed as gRPC frames them, from HTTP/2 data frames of
    /// `frame_size` bytes, through the same code the body's frames go through.
    fn gather(
        messages: &[pb::ExecutePlanResponse],
        frame_size: usize,
        placement: Option<PayloadPlacement>,
    ) -> (Vec<pb::ExecutePlanResponse>, Arc<MessageAllocations>) {
        let mut wire = Vec::new();
        for m in messages {
            let encoded = m.encode_to_vec();
            wire.push(0);
            wire.extend_from_slice(&(encoded.len() as u32).to_be_bytes());
            wire.extend_from_slice(&encoded);
        }
        let allocations = Arc::new(MessageAllocations::default());
        let mut responses = Responses::empty(StatusCode::OK, 1 << 20, allocations.clone());
        responses.placement = placement;
        let mut out = Vec::new();
        for chunk in wire.chunks(frame_size) {
            responses.frame = Bytes::copy_from_slice(chunk);
            while let Some(m) = responses.next_from_frame().unwrap() {
                out.push(m);
            }
        }
        assert!(responses.gathering.is_none() && responses.prefix_len == 0);
        (out, allocations)
    }

    fn payload(m: &pb::ExecutePlanResponse) -> &Bytes {
        match &m.response_type {
            Some(pb::execute_plan_response::ResponseType::ArrowBatch(b)) => &b.data,
            _ => panic!("not an Arrow batch"),
        }
    }

    #[test]
    fn messages_are_gathered_across_frames_with_their_payloads_placed() {
        let messages: Vec<_> = (0..5u8)
            .map(|i| response(&vec![i; 1000 + 300 * usize::from(i)]))
            .collect();
        for frame_size in [1, 3, 7, 64, 1000, 100_000] {
            for wanted in [0usize, 8, 24] {
                let place: PayloadPlacement = Arc::new(move |_| wanted);
                // Only a frame that holds the message up to its payload lets the payload be
                // placed; smaller frames still decode every message exactly.
                let (got, _) = gather(&messages, frame_size, Some(place));
                assert_eq!(got, messages, "frame size {frame_size}");
                if frame_size >= 100_000 {
                    for m in &got {
                        assert_eq!(payload(m).as_ptr() as usize % 64, wanted);
                    }
                }
            }
        }
        // Without a placement, payloads start at 64-byte boundaries.
        let (got, _) = gather(&messages, 100_000, None);
        assert!(
            got.iter()
                .all(|m| (payload(m).as_ptr() as usize).is_multiple_of(64))
        );
    }

    #[test]
    fn a_message_allocation_is_reused_only_after_its_last_part_drops() {
        let messages = vec![response(&[7u8; 5000]), response(&[8u8; 5000])];
        let (mut got, allocations) = gather(&messages, 100_000, None);
        // The payloads hold their messages' allocations.
        assert_eq!(allocations.kept(), 0);
        let second = got.pop().unwrap();
        let data = payload(&second).clone();
        drop(second);
        assert_eq!(allocations.kept(), 0, "the payload still uses it");
        drop(data);
        assert_eq!(allocations.kept(), 1);
        drop(got);
        assert_eq!(allocations.kept(), 2);
        // A message without a payload gives its allocation back at once.
        let (_, allocations) = gather(
            &[pb::ExecutePlanResponse {
                session_id: "s".into(),
                ..Default::default()
            }],
            10,
            None,
        );
        assert_eq!(allocations.kept(), 1);
    }

    fn responses_with(http_status: StatusCode) -> Responses {
        Responses::empty(http_status, 100, Arc::default())
    }

    #[test]
    fn the_end_status_comes_from_the_trailers_else_from_the_http_status() {
        let mut trailers = http::HeaderMap::new();
        trailers.insert("grpc-status", "0".parse().unwrap());
        let ok = responses_with(StatusCode::OK);
        assert!(ok.status_from_trailers(Some(&trailers)).is_ok());
        assert!(ok.status_from_trailers(None).is_ok());
        trailers.insert("grpc-status", "13".parse().unwrap());
        trailers.insert("grpc-message", "boom".parse().unwrap());
        let e = ok.status_from_trailers(Some(&trailers)).unwrap_err();
        assert_eq!((e.code(), e.message()), (Code::Internal, "boom"));
        for (http_status, code) in [
            (StatusCode::BAD_REQUEST, Code::Internal),
            (StatusCode::UNAUTHORIZED, Code::Unauthenticated),
            (StatusCode::FORBIDDEN, Code::PermissionDenied),
            (StatusCode::NOT_FOUND, Code::Unimplemented),
            (StatusCode::TOO_MANY_REQUESTS, Code::Unavailable),
            (StatusCode::BAD_GATEWAY, Code::Unavailable),
            (StatusCode::SERVICE_UNAVAILABLE, Code::Unavailable),
            (StatusCode::GATEWAY_TIMEOUT, Code::Unavailable),
            (StatusCode::IM_A_TEAPOT, Code::Unknown),
        ] {
            let e = responses_with(http_status)
                .status_from_trailers(None)
                .unwrap_err();
            assert_eq!(e.code(), code, "{http_status}");
            assert!(e.message().contains(http_status.as_str()), "{e:?}");
        }
    }

    #[tokio::test]
    async fn an_ended_stream_reports_its_error_once_then_ends() {
        let mut responses = responses_with(StatusCode::OK);
        responses.frame = Bytes::from_static(&[0, 0, 0]);
        let e = responses.message().await.unwrap_err();
        assert_eq!(e.code(), Code::Internal);
        assert!(e.message().contains("inside a message"), "{e:?}");
        assert!(responses.message().await.unwrap().is_none());
        assert!(responses.message().await.unwrap().is_none());
    }

    #[test]
    fn trailers_end_the_stream_even_inside_a_message() {
        let mut trailers = http::HeaderMap::new();
        trailers.insert("grpc-status", "0".parse().unwrap());
        let mut responses = responses_with(StatusCode::OK);
        responses.frame = Bytes::from_static(&[0, 0, 0, 0, 9, 1, 2]);
        assert!(responses.next_from_frame().unwrap().is_none());
        assert!(responses.gathering.is_some());
        assert!(responses.end_with_trailers(&trailers).unwrap().is_none());
        assert!(responses.gathering.is_none() && responses.ended);
        trailers.insert("grpc-status", "14".parse().unwrap());
        let mut responses = responses_with(StatusCode::OK);
        let e = responses.end_with_trailers(&trailers).unwrap_err();
        assert_eq!(e.code(), Code::Unavailable);
    }

    #[test]
    fn kept_allocations_fit_what_they_are_used_for() {
        let allocations = MessageAllocations::default();
        allocations.give_back(Vec::with_capacity(4 << 20));
        allocations.give_back(Vec::with_capacity(1 << 20));
        // A small message never takes (and so never pins) a large kept allocation.
        assert_eq!(allocations.take(1000).capacity(), 1064);
        assert_eq!(allocations.kept(), 2);
        // The smallest one that fits with little to spare is taken.
        assert_eq!(allocations.take((1 << 20) - 1000).capacity(), 1 << 20);
        assert_eq!(allocations.take((4 << 20) - 64).capacity(), 4 << 20);
        assert_eq!(allocations.kept(), 0);
        // At most KEPT_BYTES are kept.
        allocations.give_back(Vec::with_capacity(KEPT_BYTES - 100));
        allocations.give_back(Vec::with_capacity(1000));
        assert_eq!(allocations.kept(), 1);
    }

    #[test]
    fn transport_errors_keep_their_source() {
        let status = crate::channel::transport_status(std::io::Error::other("reset"));
        assert_eq!(status.code(), Code::Unknown);
        assert!(std::error::Error::source(&status).is_some());
        assert!(status.message().contains("reset"));
    }

    #[test]
    fn bad_prefixes_are_errors() {
        let mut responses = responses_with(StatusCode::OK);
        responses.frame = Bytes::from_static(&[1, 0, 0, 0, 1, 0]);
        let e = responses.next_from_frame().unwrap_err();
        assert_eq!(e.code(), Code::Internal);
        assert!(e.message().contains("compressed"), "{e:?}");
        responses.frame = Bytes::from_static(&[0, 0, 0, 1, 0]);
        let e = responses.next_from_frame().unwrap_err();
        assert_eq!(e.code(), Code::OutOfRange);
        assert!(e.message().contains("256 bytes"), "{e:?}");
    }
}
