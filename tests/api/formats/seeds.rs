//! Writes the fuzz targets' seed inputs (fuzz/seeds/<target>/) from the test renderers:
//! `cargo test --test api formats::seeds -- --ignored`. Kept in the repository; run again when
//! the renderers change.

use std::io::Read;
use std::path::PathBuf;
use std::process::Command;

use super::render::{docx, html, html_prose, pdf_from_docx, xlsx};
use super::truth::{Layout, render, render_prose, sample};

fn dir(target: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
    std::fs::create_dir_all(&d).expect("seed dir");
    d
}

fn document_xml(docx: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a docx");
    let mut part = zip.by_name("word/document.xml").expect("document.xml");
    let mut xml = Vec::new();
    part.read_to_end(&mut xml).expect("inflate");
    xml
}

#[test]
#[ignore = "writes the fuzz seeds into the repository; run by hand"]
fn write_fuzz_seeds() {
    let truth = sample(8);
    for (i, layout) in [Layout::CategoryColumn, Layout::SectionRows, Layout::OneCell].into_iter().enumerate() {
        let doc = render(&truth, layout);
        std::fs::write(dir("read_docx_xml").join(format!("table-{i}.xml")), document_xml(&docx(&doc))).expect("seed");
        std::fs::write(dir("read_html").join(format!("table-{i}.html")), html(&doc)).expect("seed");
        std::fs::write(dir("read_xlsx").join(format!("table-{i}.xlsx")), xlsx(&doc)).expect("seed");
    }
    let prose = render_prose(&truth);
    std::fs::write(dir("read_html").join("prose.html"), html_prose(&prose)).expect("seed");
    std::fs::write(dir("read_text").join("prose.txt"), prose.paragraphs.join("\n")).expect("seed");
    let tsv: Vec<String> = std::iter::once("序号\t工作任务\t牵头单位\t配合单位\t完成时限".to_owned())
        .chain(truth.tasks.iter().enumerate().map(|(i, t)| {
            format!("{}\t{}\t{}\t{}\t{}", i + 1, t.content, t.leads.join("、"), t.support.join("、"), t.deadline.0)
        }))
        .collect();
    let notice = super::truth::notice(&truth).join("\n");
    std::fs::write(dir("read_text").join("rows.tsv"), format!("{notice}\n{}\n", tsv.join("\n"))).expect("seed");
    let pdf = pdf_from_docx(&docx(&render(&truth, Layout::CategoryColumn))).expect("soffice");
    let work = tempfile::tempdir().expect("temp");
    std::fs::write(work.path().join("in.pdf"), pdf).expect("pdf");
    let words = work.path().join("words.html");
    let svg = work.path().join("lines.svg");
    assert!(
        Command::new("pdftotext")
            .arg("-bbox-layout")
            .arg(work.path().join("in.pdf"))
            .arg(&words)
            .status()
            .expect("pdftotext")
            .success()
    );
    assert!(
        Command::new("pdftocairo")
            .arg("-svg")
            .arg(work.path().join("in.pdf"))
            .arg(&svg)
            .status()
            .expect("pdftocairo")
            .success()
    );
    let mut layers = std::fs::read(words).expect("words");
    layers.push(0);
    layers.extend(std::fs::read(svg).expect("svg"));
    std::fs::write(dir("read_pdf_layers").join("table.txt"), layers).expect("seed");
}
