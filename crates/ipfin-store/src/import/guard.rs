//! A reader that enforces the import limits on the bytes themselves: it counts every byte it
//! passes on (so a part that inflates to more than it declared is stopped at once), and the
//! longest run without a delimiter (`<` in XML, a line break in CSV), which bounds the largest
//! piece a parser above it ever has to hold.

use super::FileError;
use std::io::Read;

pub(super) struct Guarded<R> {
    inner: R,
    read: u64,
    max_total: u64,
    total_error: FileError,
    delimiter: u8,
    run: u64,
    max_run: u64,
    run_error: FileError,
}

impl<R: Read> Guarded<R> {
    /// At most `max_total` bytes (else `total_error`) and at most `max_run` bytes between two
    /// `delimiter`s (else `run_error`).
    pub(super) fn new(
        inner: R,
        max_total: u64,
        total_error: FileError,
        delimiter: u8,
        max_run: u64,
        run_error: FileError,
    ) -> Self {
        Guarded {
            inner,
            read: 0,
            max_total,
            total_error,
            delimiter,
            run: 0,
            max_run,
            run_error,
        }
    }
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let got = &buf[..n];
        self.read += n as u64;
        if self.read > self.max_total {
            return Err(std::io::Error::other(self.total_error.clone()));
        }
        match got.iter().position(|b| *b == self.delimiter) {
            None => self.run += n as u64,
            Some(first) => {
                if self.run + first as u64 > self.max_run {
                    return Err(std::io::Error::other(self.run_error.clone()));
                }
                let last = got
                    .iter()
                    .rposition(|b| *b == self.delimiter)
                    .unwrap_or(first);
                self.run = (n - 1 - last) as u64;
            }
        }
        if self.run > self.max_run {
            return Err(std::io::Error::other(self.run_error.clone()));
        }
        Ok(n)
    }
}

/// The limit a [`Guarded`] reader hit, if that is why reading failed.
pub(super) fn limit_hit(e: &std::io::Error) -> Option<FileError> {
    e.get_ref()?.downcast_ref::<FileError>().cloned()
}
