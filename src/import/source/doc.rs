//! Legacy Word (.doc), WPS, RTF and OpenDocument text: converted to DOCX by LibreOffice
//! (`soffice --headless --convert-to docx`) when it is installed, then read as DOCX.

use std::time::Duration;

use super::{Source, SourceError};

/// LibreOffice starts slowly (a few seconds) and converts a list in a few more.
const LIMIT: Duration = Duration::from_secs(120);

pub fn read_doc(bytes: &[u8]) -> Result<Source, SourceError> {
    let dir = tempfile::tempdir().map_err(|e| SourceError::Unreadable(format!("no temporary directory: {e}")))?;
    let input = dir.path().join("list.doc");
    std::fs::write(&input, bytes).map_err(|e| SourceError::Unreadable(format!("cannot stage the file: {e}")))?;
    // A profile of its own, so conversions running at once do not share (and lock) one.
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let out = dir.path().join("out");
    let out_arg = out.display().to_string();
    let helper = super::helper::Helper {
        program: "soffice",
        what: "reading a legacy Word, WPS or RTF file",
        package: "libreoffice-writer-nogui",
        limit: LIMIT,
        output: None,
    };
    let args = [profile.as_str(), "--headless", "--convert-to", "docx", "--outdir", &out_arg, "list.doc"];
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    super::helper::run_helper(&helper, &args, dir.path())?;
    let converted = std::fs::read(out.join("list.docx")).map_err(|_| {
        SourceError::Unreadable("LibreOffice could not convert the file to DOCX (is it a Word document?)".to_owned())
    })?;
    super::docx::read_docx(&converted)
}
