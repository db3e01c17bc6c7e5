//! Standard output that remembers whether the reader went away.

use std::io::{self, BufWriter, Write};

use crate::error::CliError;

/// Buffered standard output.
///
/// The Arrow, JSON and CSV writers wrap I/O errors in their own error types, some as text; the
/// flag here tells a closed pipe (`dbconnect ... | head -1`, which should end quietly) from a
/// real failure whatever the wrapping.
pub struct Stdout {
    // Not a held lock: the shell writes results from another thread than `main`'s.
    inner: BufWriter<io::Stdout>,
    broken_pipe: bool,
}

impl Stdout {
    pub fn new() -> Stdout {
        Stdout {
            inner: BufWriter::with_capacity(64 * 1024, io::stdout()),
            broken_pipe: false,
        }
    }

    /// Whether a write failed because the reading end of the pipe was closed.
    pub fn broken_pipe(&self) -> bool {
        self.broken_pipe
    }

    /// Flushes what is buffered.
    pub fn finish(&mut self) -> Result<(), CliError> {
        self.flush()
            .map_err(|e| CliError::Output(format!("cannot write to standard output: {e}")))
    }

    fn track<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            self.broken_pipe = true;
        }
        result
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.track(result)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let result = self.inner.write_all(buf);
        self.track(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.track(result)
    }
}
