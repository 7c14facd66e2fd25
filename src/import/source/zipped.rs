//! ZIP containers (DOCX, XLSX): what is inside, and reading a part with its inflation bounded,
//! so a part that inflates to gigabytes (a zip bomb) is refused after [`MAX_INFLATED`] bytes.

use std::io::{Cursor, Read};

use super::{Format, SourceError};

/// The most bytes all parts of one container may inflate to together.
pub const MAX_INFLATED: u64 = 256 << 20;
/// The most entries a container may hold.
const MAX_ENTRIES: usize = 10_000;

fn archive(bytes: &[u8]) -> Result<zip::ZipArchive<Cursor<&[u8]>>, SourceError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SourceError::Unreadable(format!("not a readable ZIP container (Word or Excel file): {e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(SourceError::TooLarge(format!(
            "the container holds {} parts; at most {MAX_ENTRIES} are read",
            archive.len()
        )));
    }
    Ok(archive)
}

/// Which office format a ZIP container is.
pub fn kind(bytes: &[u8]) -> Result<Format, SourceError> {
    let archive = archive(bytes)?;
    let has = |name: &str| archive.file_names_raw().any(|n| n == name.as_bytes());
    if has("word/document.xml") {
        Ok(Format::Docx)
    } else if has("xl/workbook.xml") || has("xl/workbook.bin") {
        Ok(Format::Xlsx)
    } else if has("content.xml") {
        // OpenDocument: spreadsheets calamine reads; text documents go through LibreOffice.
        let mut archive = archive;
        let mime = read_part(&mut archive, "mimetype", 256).unwrap_or_default();
        Ok(if mime.contains("spreadsheet") { Format::Xls } else { Format::Doc })
    } else {
        Err(SourceError::Unreadable(
            "a ZIP archive that is neither a Word (.docx) nor an Excel (.xlsx) document".to_owned(),
        ))
    }
}

/// The text of part `name`, refused past `limit` inflated bytes.
pub fn read_part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str, limit: u64) -> Result<String, SourceError> {
    let part = archive
        .by_name(name)
        .map_err(|e| SourceError::Unreadable(format!("the document has no readable part {name}: {e}")))?;
    let mut out = Vec::new();
    part.take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| SourceError::Unreadable(format!("part {name} cannot be inflated: {e}")))?;
    if out.len() as u64 > limit {
        return Err(SourceError::TooLarge(format!("part {name} inflates beyond {} MiB (a zip bomb?)", limit >> 20)));
    }
    String::from_utf8(out).map_err(|_| SourceError::Unreadable(format!("part {name} is not UTF-8 XML")))
}

/// The text of the one part a reader needs from `bytes`.
pub fn part(bytes: &[u8], name: &str) -> Result<String, SourceError> {
    read_part(&mut archive(bytes)?, name, MAX_INFLATED)
}

/// Inflates every part once, counting, and refuses the container when they add up to more
/// than [`MAX_INFLATED`] — checked before a reader that inflates parts itself (calamine) sees it.
pub fn check_inflation(bytes: &[u8]) -> Result<(), SourceError> {
    let mut archive = archive(bytes)?;
    let mut total = 0u64;
    let mut sink = [0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut part =
            archive.by_index(i).map_err(|e| SourceError::Unreadable(format!("not a readable ZIP container: {e}")))?;
        loop {
            let n =
                part.read(&mut sink).map_err(|e| SourceError::Unreadable(format!("a part cannot be inflated: {e}")))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_INFLATED {
                return Err(SourceError::TooLarge(format!(
                    "the file inflates beyond {} MiB (a zip bomb?)",
                    MAX_INFLATED >> 20
                )));
            }
        }
    }
    Ok(())
}
