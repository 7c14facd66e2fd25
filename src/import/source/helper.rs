//! Run-time helper programs (LibreOffice, poppler): run with a time bound and an output bound,
//! killed past either; a missing program is named with the package that provides it.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::SourceError;

/// One helper program and its bounds.
pub struct Helper<'a> {
    pub program: &'a str,
    /// What it is needed for ("reading a PDF"), for the error when it is missing.
    pub what: &'a str,
    /// The Debian package that provides it.
    pub package: &'a str,
    pub limit: Duration,
    /// A file it writes, and the most bytes it may grow to.
    pub output: Option<(&'a Path, u64)>,
}

/// Runs the helper with `args` in `dir`; stdout is discarded, stderr kept in `dir` for the
/// error message (so a chatty helper cannot block on a full pipe).
pub fn run_helper(h: &Helper<'_>, args: &[&OsStr], dir: &Path) -> Result<(), SourceError> {
    let program = h.program;
    let io = |e: std::io::Error| SourceError::Unreadable(format!("could not run `{program}`: {e}"));
    let err_path = dir.join(format!("{program}.err"));
    let stderr = std::fs::File::create(&err_path).map_err(io)?;
    let spawned = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SourceError::MissingHelper {
                what: h.what.to_owned(),
                program: program.to_owned(),
                package: h.package.to_owned(),
            });
        }
        Err(e) => return Err(io(e)),
    };
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let start = Instant::now();
    let status = loop {
        let done = child.try_wait().map_err(io)?;
        let slow = start.elapsed() > h.limit;
        let large = h.output.is_some_and(|(out, max)| size(out) > max);
        if slow || large {
            let _ = child.kill().and_then(|()| child.wait().map(drop));
            let why = if slow {
                format!("took longer than {} s", h.limit.as_secs())
            } else {
                format!("gave more than {} MiB of output", h.output.map_or(0, |o| o.1 >> 20))
            };
            return Err(SourceError::TooLarge(format!("{} {why} (`{program}`); the file is refused", h.what)));
        }
        if let Some(status) = done {
            break status;
        }
        std::thread::sleep(Duration::from_millis(if start.elapsed().as_millis() < 200 { 5 } else { 25 }));
    };
    if status.success() {
        return Ok(());
    }
    let err = std::fs::read(&err_path).unwrap_or_default();
    let err = String::from_utf8_lossy(err.get(err.len().saturating_sub(4096)..).unwrap_or(&err)).into_owned();
    let error = err.lines().rev().find(|l| l.contains("Error")).or_else(|| err.lines().find(|l| !l.trim().is_empty()));
    let line =
        if err.contains("password") { "it is encrypted (needs a password)" } else { error.unwrap_or("no message") };
    Err(SourceError::Unreadable(format!("{} failed: {}", h.what, line.trim())))
}
