//! Artifacts: files and blobs uploaded into the session (`AddArtifacts`, `ArtifactStatus`).
//!
//! Spark keeps artifacts per session under a name whose first segment says what they are
//! (`cache/<sha256>` for cached local data, `jars/…`, `pyfiles/…`, …). An upload is one
//! client-streaming call: small artifacts travel together in `Batch` messages, an artifact
//! larger than [`ARTIFACT_CHUNK_SIZE`] is sent as a `BeginChunkedArtifact` followed by its
//! further chunks. Every chunk carries its CRC-32, which the server checks.

use std::collections::HashMap;

use bytes::Bytes;
use spark_connect_proto::spark::connect as pb;

use crate::client::{Failure, SparkConnectClient};
use crate::error::Error;
use pb::add_artifacts_request::{
    ArtifactChunk, Batch, BeginChunkedArtifact, Payload, SingleChunkArtifact,
};

/// The size of the pieces artifacts are sent in, and the most a batch of small artifacts
/// carries in one message: 32 KiB, as PySpark's artifact manager does. Every message of an
/// upload stays far below any gRPC message size limit.
pub const ARTIFACT_CHUNK_SIZE: usize = 32 * 1024;

/// One artifact to upload: its name in the session (e.g. `cache/<sha256 hex>`) and its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Artifact {
    /// The name, a relative path whose first segment is the kind (`cache`, `jars`, ...).
    pub name: String,
    /// The content.
    pub data: Bytes,
}

impl std::fmt::Debug for Artifact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Artifact")
            .field("name", &self.name)
            .field("bytes", &self.data.len())
            .finish()
    }
}

fn chunk(data: Bytes) -> ArtifactChunk {
    let crc = i64::from(crc32fast::hash(&data));
    ArtifactChunk { data, crc }
}

/// The payloads of an upload, in order (see the module documentation).
fn payloads(artifacts: &[Artifact], chunk_size: usize) -> Vec<Payload> {
    let mut out = Vec::new();
    let mut batch: Vec<SingleChunkArtifact> = Vec::new();
    let mut batch_bytes = 0;
    for artifact in artifacts {
        let size = artifact.data.len();
        if size > chunk_size {
            if !batch.is_empty() {
                out.push(Payload::Batch(Batch {
                    artifacts: std::mem::take(&mut batch),
                }));
                batch_bytes = 0;
            }
            let num_chunks = size.div_ceil(chunk_size);
            let mut pieces = (0..num_chunks).map(|i| {
                let end = ((i + 1) * chunk_size).min(size);
                chunk(artifact.data.slice(i * chunk_size..end))
            });
            out.push(Payload::BeginChunk(BeginChunkedArtifact {
                name: artifact.name.clone(),
                total_bytes: size as i64,
                num_chunks: num_chunks as i64,
                initial_chunk: pieces.next(),
            }));
            out.extend(pieces.map(Payload::Chunk));
        } else {
            if batch_bytes + size > chunk_size && !batch.is_empty() {
                out.push(Payload::Batch(Batch {
                    artifacts: std::mem::take(&mut batch),
                }));
                batch_bytes = 0;
            }
            batch.push(SingleChunkArtifact {
                name: artifact.name.clone(),
                data: Some(chunk(artifact.data.clone())),
            });
            batch_bytes += size;
        }
    }
    if !batch.is_empty() {
        out.push(Payload::Batch(Batch { artifacts: batch }));
    }
    out
}

impl SparkConnectClient {
    /// Uploads artifacts into the session with one `AddArtifacts` call, split into messages of
    /// at most [`ARTIFACT_CHUNK_SIZE`] bytes of data each. Returns the names the server
    /// stored. A chunk whose CRC the server rejects, or an artifact the server does not
    /// acknowledge, is an error naming the artifact.
    pub async fn add_artifacts(&self, artifacts: &[Artifact]) -> Result<Vec<String>, Error> {
        if artifacts.is_empty() {
            return Ok(Vec::new());
        }
        for artifact in artifacts {
            if artifact.name.is_empty() || artifact.name.starts_with('/') {
                return Err(Error::InvalidArgument(format!(
                    "artifact name '{}' must be a non-empty relative path such as cache/<hash>",
                    artifact.name
                )));
            }
        }
        let requests: Vec<pb::AddArtifactsRequest> = payloads(artifacts, ARTIFACT_CHUNK_SIZE)
            .into_iter()
            .map(|payload| pb::AddArtifactsRequest {
                session_id: self.session_id().to_string(),
                user_context: Some(self.user_context()),
                client_observed_server_side_session_id: self.observed_server_session(),
                client_type: Some(self.client_type().to_string()),
                payload: Some(payload),
            })
            .collect();
        tracing::debug!(
            artifacts = artifacts.len(),
            messages = requests.len(),
            "AddArtifacts"
        );
        let requests = &requests;
        let response = self
            .retrying("AddArtifacts", move || async move {
                let stream = futures_util::stream::iter(requests.clone());
                let request = self.request(stream).await.map_err(Failure::Fatal)?;
                Ok(self.grpc().add_artifacts(request).await?.into_inner())
            })
            .await?;
        self.check_session(&response.session_id, &response.server_side_session_id)?;
        let summaries: HashMap<&str, bool> = response
            .artifacts
            .iter()
            .map(|s| (s.name.as_str(), s.is_crc_successful))
            .collect();
        for artifact in artifacts {
            match summaries.get(artifact.name.as_str()) {
                Some(true) => {}
                Some(false) => {
                    return Err(Error::Protocol(format!(
                        "the server rejected artifact '{}': a CRC check of its data failed",
                        artifact.name
                    )));
                }
                None => {
                    return Err(Error::Protocol(format!(
                        "the server did not acknowledge artifact '{}' ({} bytes)",
                        artifact.name,
                        artifact.data.len()
                    )));
                }
            }
        }
        Ok(response.artifacts.into_iter().map(|s| s.name).collect())
    }

    /// Which of these artifacts the session already has (`ArtifactStatus`), by name.
    pub async fn artifact_status(&self, names: &[String]) -> Result<HashMap<String, bool>, Error> {
        let message = pb::ArtifactStatusesRequest {
            session_id: self.session_id().to_string(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.user_context()),
            client_type: Some(self.client_type().to_string()),
            names: names.to_vec(),
        };
        let message = &message;
        let response = self
            .retrying("ArtifactStatus", move || async move {
                let request = self
                    .request(message.clone())
                    .await
                    .map_err(Failure::Fatal)?;
                Ok(self.grpc().artifact_status(request).await?.into_inner())
            })
            .await?;
        self.check_session(&response.session_id, &response.server_side_session_id)?;
        Ok(names
            .iter()
            .map(|name| {
                let exists = response.statuses.get(name).is_some_and(|s| s.exists);
                (name.clone(), exists)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(name: &str, len: usize) -> Artifact {
        Artifact {
            name: name.into(),
            data: Bytes::from((0..len).map(|i| (i % 251) as u8).collect::<Vec<_>>()),
        }
    }

    #[test]
    fn small_artifacts_share_batches_and_large_ones_are_chunked() {
        let a = artifact("cache/a", 10);
        let b = artifact("cache/b", 20);
        let big = artifact("cache/big", 2 * 100 + 1);
        let c = artifact("cache/c", 95);
        let out = payloads(&[a.clone(), b, big.clone(), c], 100);
        // [a, b] batch, begin(big) + 2 chunks, [c] batch.
        assert_eq!(out.len(), 5);
        match &out[0] {
            Payload::Batch(batch) => {
                let names: Vec<_> = batch.artifacts.iter().map(|s| s.name.as_str()).collect();
                assert_eq!(names, ["cache/a", "cache/b"]);
                let first = batch.artifacts[0].data.as_ref().unwrap();
                assert_eq!(first.data, a.data);
                assert_eq!(first.crc, i64::from(crc32fast::hash(&a.data)));
            }
            other => panic!("expected a batch, got {other:?}"),
        }
        let mut rebuilt = Vec::new();
        match &out[1] {
            Payload::BeginChunk(begin) => {
                assert_eq!(begin.name, "cache/big");
                assert_eq!(begin.total_bytes, 201);
                assert_eq!(begin.num_chunks, 3);
                let first = begin.initial_chunk.as_ref().unwrap();
                assert_eq!(first.data.len(), 100);
                rebuilt.extend_from_slice(&first.data);
            }
            other => panic!("expected a begin chunk, got {other:?}"),
        }
        for p in &out[2..4] {
            match p {
                Payload::Chunk(c) => {
                    assert_eq!(c.crc, i64::from(crc32fast::hash(&c.data)));
                    rebuilt.extend_from_slice(&c.data);
                }
                other => panic!("expected a chunk, got {other:?}"),
            }
        }
        assert_eq!(rebuilt, big.data.to_vec());
        assert!(matches!(&out[4], Payload::Batch(b) if b.artifacts.len() == 1));
    }

    #[test]
    fn a_batch_is_closed_before_it_would_exceed_the_chunk_size() {
        let out = payloads(
            &[
                artifact("cache/a", 60),
                artifact("cache/b", 60),
                artifact("cache/c", 40),
            ],
            100,
        );
        let sizes: Vec<usize> = out
            .iter()
            .map(|p| match p {
                Payload::Batch(b) => b.artifacts.len(),
                other => panic!("expected batches only, got {other:?}"),
            })
            .collect();
        assert_eq!(sizes, [1, 2]);
    }
}
