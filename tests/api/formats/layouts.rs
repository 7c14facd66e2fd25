//! Every table layout of SPEC §11 in every format that carries it, and the prose layout,
//! read back field by field.

use super::render::{docx, docx_prose, html, html_prose, pdf_from_docx, xlsx};
use super::truth::{Layout, read_back, render, render_prose, sample};

const LAYOUTS: [Layout; 3] = [Layout::CategoryColumn, Layout::SectionRows, Layout::OneCell];

#[test]
fn excel_sheets_in_each_layout_read_back_equal() {
    let truth = sample(24);
    for layout in LAYOUTS {
        read_back(&xlsx(&render(&truth, layout)), &truth, Some(layout), &format!("xlsx {layout:?}"));
    }
}

#[test]
fn word_tables_in_each_layout_read_back_equal_also_when_split_into_tables_with_repeated_headers() {
    let truth = sample(24);
    for layout in LAYOUTS {
        let mut doc = render(&truth, layout);
        read_back(&docx(&doc), &truth, Some(layout), &format!("docx {layout:?}"));
        doc.docx_tables = 3;
        read_back(&docx(&doc), &truth, Some(layout), &format!("docx in 3 tables {layout:?}"));
    }
}

#[test]
fn saved_web_pages_in_each_layout_read_back_equal_without_the_sites_chrome() {
    let truth = sample(24);
    for layout in LAYOUTS {
        let page = html(&render(&truth, layout));
        let doc = read_back(page.as_bytes(), &truth, Some(layout), &format!("html {layout:?}"));
        let all: String = doc.tasks.iter().map(|t| t.content.as_str()).collect();
        assert!(!all.contains("首页") && !all.contains("ICP"), "navigation and footer are not tasks");
    }
}

#[test]
fn prose_lists_read_back_equal_from_word_web_pages_and_text() {
    let truth = sample(12);
    let prose = render_prose(&truth);
    read_back(&docx_prose(&prose), &truth, None, "docx prose");
    read_back(html_prose(&prose).as_bytes(), &truth, None, "html prose");
    read_back(prose.paragraphs.join("\n").as_bytes(), &truth, None, "text prose");
}

#[test]
fn pdfs_printed_from_word_read_back_equal() {
    let truth = sample(40);
    for layout in [Layout::CategoryColumn, Layout::SectionRows] {
        let Some(pdf) = pdf_from_docx(&docx(&render(&truth, layout))) else {
            panic!("LibreOffice (soffice) is needed to print the test PDFs: apt-get install libreoffice-writer-nogui");
        };
        read_back(&pdf, &truth, Some(layout), &format!("pdf {layout:?}"));
    }
}

#[test]
fn the_readmes_prose_example_shares_brackets_and_carries_xiatong() {
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/examples/hebei-2024-prose.txt")).expect("example");
    let doc = qingdan::import::read_document(&bytes, &Default::default()).expect("the README's example reads").doc;
    let leads: Vec<Vec<&str>> = doc.tasks.iter().map(|t| t.leads.iter().map(String::as_str).collect()).collect();
    assert_eq!(
        leads,
        [
            vec!["省市场监管局"],
            vec!["省市场监管局", "省政务服务办"],
            vec!["省市场监管局", "省政务服务办"],
            vec!["省政务服务办"],
            vec!["省政务服务办"],
        ]
    );
    assert_eq!(
        doc.tasks[4].responsible,
        ["省“双随机、一公开”监管联席会议有关成员单位"],
        "下同 holds for the item after"
    );
    assert_eq!(doc.schedule.len(), 4, "the notice's schedule");
    assert_eq!(doc.issued_on.to_string(), "2024-01-15");
}

#[test]
fn legacy_word_and_excel_files_read_back_equal() {
    let truth = sample(16);
    let doc = render(&truth, Layout::CategoryColumn);
    let needs = "LibreOffice (soffice) makes the legacy test files: apt-get install libreoffice-writer-nogui";
    let xls = super::render::convert(&xlsx(&doc), "xlsx", "xls").expect(needs);
    assert!(xls.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]), "an OLE compound file");
    read_back(&xls, &truth, Some(Layout::CategoryColumn), "xls");
    let legacy = super::render::convert(&docx(&doc), "docx", "doc").expect(needs);
    assert!(legacy.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]), "an OLE compound file");
    read_back(&legacy, &truth, Some(Layout::CategoryColumn), "doc");
}

#[test]
fn a_prose_list_printed_to_pdf_reads_back_equal() {
    let truth = sample(10);
    let pdf = pdf_from_docx(&docx_prose(&render_prose(&truth)))
        .expect("LibreOffice (soffice) is needed to print the test PDFs: apt-get install libreoffice-writer-nogui");
    read_back(&pdf, &truth, None, "pdf prose");
}

/// Documents made by another tool: LibreOffice saves the Word list again as DOCX, as ODT and as
/// a web page, and the Excel list again as XLSX, as ODS and as a web page; each reads back equal.
#[test]
fn lists_saved_again_by_libreoffice_in_its_own_formats_read_back_equal() {
    let truth = sample(16);
    let needs = "LibreOffice (soffice) re-saves the test files: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui";
    for layout in [Layout::CategoryColumn, Layout::SectionRows] {
        let doc = render(&truth, layout);
        let word = docx(&doc);
        for to in ["docx", "odt", "html"] {
            let bytes = super::render::convert(&word, "docx", to).expect(needs);
            read_back(&bytes, &truth, Some(layout), &format!("{layout:?}: Word list saved by LibreOffice as {to}"));
        }
        let sheet = xlsx(&doc);
        for to in ["xlsx", "ods", "html"] {
            let bytes = super::render::convert(&sheet, "xlsx", to).expect(needs);
            read_back(&bytes, &truth, Some(layout), &format!("{layout:?}: Excel list saved by LibreOffice as {to}"));
        }
    }
}
