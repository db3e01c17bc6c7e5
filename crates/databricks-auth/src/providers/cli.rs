//! Running a command-line tool that prints a token (`az`, `databricks`).

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use tokio::process::Command;

use crate::error::{AuthError, AuthErrorKind};

/// How long the CLI may take to print a token; a hung CLI must not hang every request (its
/// process is killed when the wait is dropped: the commands are built with `kill_on_drop`).
const CLI_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `command` (the program at `program`) to completion for `provider`. A program that is
/// being written at that moment (`ETXTBSY`: a CLI upgrade replacing the binary, or another
/// thread's child still holding it open) is tried again a few times before giving up.
pub(crate) async fn run(
    provider: &str,
    program: &Path,
    command: &mut Command,
) -> Result<Output, AuthError> {
    const TEXT_FILE_BUSY: i32 = 26;
    let mut busy_retries = 5;
    loop {
        let output = tokio::time::timeout(CLI_TIMEOUT, command.output())
            .await
            .map_err(|_| {
                AuthError::provider(
                    provider,
                    AuthErrorKind::TimedOut,
                    format!(
                        "cannot get access token: {} did not answer within {} s",
                        program.display(),
                        CLI_TIMEOUT.as_secs()
                    ),
                )
            })?;
        match output {
            Err(e) if e.raw_os_error() == Some(TEXT_FILE_BUSY) && busy_retries > 0 => {
                busy_retries -= 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => {
                return Err(AuthError::provider(
                    provider,
                    AuthErrorKind::Local,
                    format!(
                        "cannot get access token: cannot run {}: {e}",
                        program.display()
                    ),
                )
                .with_source(e));
            }
            Ok(output) => return Ok(output),
        }
    }
}
