//! Test entry points for the fuzz targets in `fuzz/` and the tests that replay their seed
//! corpora. Not part of the supported API.

use crate::Token;
use crate::http::{Response, token_response};

/// Parses `body` as the answer of an OAuth token endpoint with HTTP `status`, as the OAuth
/// providers do. It must never panic, whatever the body holds; errors are fine.
pub fn parse_token_response(status: u16, body: &[u8]) -> Result<Token, crate::AuthError> {
    let response = Response {
        status,
        body: body.to_vec(),
    };
    token_response(&response, "https://127.0.0.1/oidc/v1/token", "fuzz")
}

/// Parses `output` as the standard output of `az account get-access-token --output json`.
/// It must never panic, whatever the output holds; errors are fine.
pub fn parse_az_output(output: &[u8]) -> Result<Token, crate::AuthError> {
    crate::providers::azure_cli::parse_az_token(output)
}
