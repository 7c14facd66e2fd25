//! Run-time helper programs (LibreOffice, poppler): run with a time bound, killed past it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::SourceError;

/// Runs `program args` in `dir`, waiting at most `limit`; stdout and stderr go to files in
/// `dir` (so a chatty helper cannot block on a full pipe). Returns stderr's first line on failure.
pub fn run(program: &str, args: &[&str], dir: &Path, limit: Duration, missing: (&str, &str)) -> Result<(), SourceError> {
    let out = std::fs::File::create(dir.join("helper.out")).map_err(io)?;
    let err = std::fs::File::create(dir.join("helper.err")).map_err(io)?;
    let mut child = match Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SourceError::MissingHelper {
                what: missing.0.to_owned(),
                program: program.to_owned(),
                package: missing.1.to_owned(),
            });
        }
        Err(e) => return Err(io(e)),
    };
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(io)? {
            if status.success() {
                return Ok(());
            }
            let stderr = std::fs::read_to_string(dir.join("helper.err")).unwrap_or_default();
            let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
            return Err(SourceError::Unreadable(format!("{program} could not read the file: {first}")));
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SourceError::TooLarge(format!(
                "{program} took longer than {} s on the file; it is refused",
                limit.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn io(e: std::io::Error) -> SourceError {
    SourceError::Unreadable(format!("cannot run a helper program: {e}"))
}
