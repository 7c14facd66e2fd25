//! Files that attack the readers: refused quickly, in bounded memory, with a clear error.

use std::io::{Cursor, Write};

use qingdan::import::layout::Options;
use qingdan::import::source::{MAX_FILE_BYTES, SourceError};
use qingdan::import::{ReadError, read_document};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        w.start_file(*name, opts).expect("zip part");
        w.write_all(body).expect("zip write");
    }
    w.finish().expect("zip").into_inner()
}

fn refused(bytes: &[u8]) -> ReadError {
    read_document(bytes, &Options::default()).expect_err("a hostile file is refused")
}

#[test]
fn a_word_part_inflating_beyond_the_bound_is_refused_as_too_large() {
    // 300 MiB of spaces inside document.xml compresses to well under a megabyte.
    let mut xml = b"<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>".to_vec();
    xml.resize(300 << 20, b' ');
    xml.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    let bomb = zip_of(&[("word/document.xml", &xml)]);
    drop(xml);
    assert!(bomb.len() < 2 << 20, "the bomb is small: {} bytes", bomb.len());
    let err = refused(&bomb);
    assert!(matches!(err, ReadError::Source(SourceError::TooLarge(_))), "{err}");
    assert!(err.to_string().contains("zip bomb"), "{err}");
}

#[test]
fn an_excel_file_inflating_beyond_the_bound_is_refused_before_calamine_reads_it() {
    let mut sheet = b"<worksheet><sheetData>".to_vec();
    sheet.resize(300 << 20, b' ');
    let bomb = zip_of(&[("xl/workbook.xml", b"<workbook/>"), ("xl/worksheets/sheet1.xml", &sheet)]);
    drop(sheet);
    let err = refused(&bomb);
    assert!(matches!(err, ReadError::Source(SourceError::TooLarge(_))), "{err}");
}

#[test]
fn entities_are_never_expanded() {
    let xml = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>&lol3;&xxe;</w:t></w:r></w:p></w:body></w:document>"#;
    let docx = zip_of(&[("word/document.xml", xml.as_bytes())]);
    let err = refused(&docx).to_string();
    assert!(!err.contains("root:"), "no external entity is read: {err}");
    assert!(err.contains("no list found"), "the document is read as text and holds no list: {err}");
}

#[test]
fn a_sheet_claiming_a_million_rows_is_refused_by_its_cells_not_allocated() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "序号").expect("cell");
    sheet.write_string(1_048_575, 16_383, "x").expect("cell");
    let bytes = workbook.save_to_buffer().expect("xlsx");
    let err = refused(&bytes);
    assert!(matches!(err, ReadError::Source(SourceError::TooLarge(_))), "{err}");
}

#[test]
fn files_past_the_size_bound_garbage_and_truncated_containers_get_clear_errors() {
    let big = vec![b'a'; MAX_FILE_BYTES + 1];
    assert!(matches!(refused(&big), ReadError::Source(SourceError::TooLarge(_))));
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    assert!(refused(&garbage).to_string().contains("not a document qingdan reads"), "{}", refused(&garbage));
    let docx = zip_of(&[("word/document.xml", b"<w:document/>")]);
    let truncated = docx.get(..docx.len() / 2).expect("half");
    assert!(matches!(refused(truncated), ReadError::Source(SourceError::Unreadable(_))), "{}", refused(truncated));
    let mut not_pdf = b"%PDF-1.7\n".to_vec();
    not_pdf.extend_from_slice(&garbage);
    let err = refused(&not_pdf);
    assert!(matches!(err, ReadError::Source(SourceError::Unreadable(_) | SourceError::MissingHelper { .. })), "{err}");
}

/// A PDF whose page tree points back at itself, and one of a million empty objects: poppler
/// reads each within its bounds (30 s, 64 MiB of output) and the reader refuses them cleanly.
#[test]
fn pdfs_with_a_reference_cycle_or_a_million_objects_are_refused_cleanly() {
    let cycle = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >> endobj\n\
trailer << /Root 1 0 R >>\n%%EOF\n";
    let err = refused(cycle);
    assert!(matches!(err, ReadError::Source(SourceError::Unreadable(_))), "{err}");
    let mut many = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n".to_vec();
    for i in 3..1_000_003u32 {
        many.extend_from_slice(format!("{i} 0 obj << /A {i} 0 R >> endobj\n").as_bytes());
    }
    many.extend_from_slice(b"trailer << /Root 1 0 R >>\n%%EOF\n");
    assert!(many.len() < MAX_FILE_BYTES, "{} bytes", many.len());
    let err = refused(&many);
    assert!(matches!(err, ReadError::Source(SourceError::Unreadable(_) | SourceError::TooLarge(_))), "{err}");
}

/// Found by the fuzzer: a workbook whose cell names a shared string past the table panics
/// inside calamine; the reader turns that into an error.
#[test]
fn a_workbook_that_panics_calamine_is_refused_as_malformed() {
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/read_xlsx/malformed-shared-string.xlsx"))
            .expect("the fuzzer's input");
    let err = refused(&bytes);
    assert!(err.to_string().contains("malformed"), "{err}");
}
