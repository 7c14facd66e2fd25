//! Random lists rendered to each format parse back equal.

use proptest::prelude::*;

use super::render::{docx, html, xlsx};
use super::truth::{CATEGORIES, DEADLINES, Layout, Truth, TruthTask, UNITS, read_back, render, sample};

/// One drawn task: (category, text, lead units, supporting units, deadline), as indexes.
type Drawn = (usize, String, Vec<usize>, Vec<usize>, usize);

fn task_strategy() -> impl Strategy<Value = Drawn> {
    (
        0..CATEGORIES.len(),
        "[落实优化推行建立健全深化提升]{2,6}[，、]?[企业群众服务事项办理流程]{2,8}",
        proptest::sample::subsequence((0..6).collect::<Vec<_>>(), 1..3),
        proptest::sample::subsequence((6..10).collect::<Vec<_>>(), 0..3),
        0..DEADLINES.len(),
    )
}

fn truth_of(tasks: Vec<Drawn>) -> Truth {
    let mut truth = sample(1);
    let mut sorted = tasks;
    // Categories come in runs, as lists group their tasks.
    sorted.sort_by_key(|t| t.0);
    truth.tasks = sorted
        .into_iter()
        .enumerate()
        .map(|(i, (c, text, leads, support, d))| TruthTask {
            category: CATEGORIES[c].to_owned(),
            content: format!("{}。第{}项", text, i + 1),
            leads: leads.into_iter().map(|u| UNITS[u].to_owned()).collect(),
            support: support.into_iter().map(|u| UNITS[u].to_owned()).collect(),
            deadline: (DEADLINES[d].0.to_owned(), DEADLINES[d].1.to_owned()),
            leader: format!("副省长{}", ["甲", "乙", "丙"][i % 3]),
        })
        .collect();
    truth
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn random_lists_read_back_equal_from_excel_word_and_web_pages(
        tasks in proptest::collection::vec(task_strategy(), 1..30),
        layout in prop_oneof![Just(Layout::CategoryColumn), Just(Layout::SectionRows), Just(Layout::OneCell)],
    ) {
        let truth = truth_of(tasks);
        let doc = render(&truth, layout);
        read_back(&xlsx(&doc), &truth, Some(layout), "xlsx");
        read_back(&docx(&doc), &truth, Some(layout), "docx");
        read_back(html(&doc).as_bytes(), &truth, Some(layout), "html");
    }
}

proptest! {
    // Each case prints a PDF with LibreOffice (about a second): fewer cases.
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn random_lists_printed_to_pdf_read_back_equal(
        tasks in proptest::collection::vec(task_strategy(), 1..40),
        layout in prop_oneof![Just(Layout::CategoryColumn), Just(Layout::SectionRows), Just(Layout::OneCell)],
    ) {
        let truth = truth_of(tasks);
        let pdf = super::render::pdf_from_docx(&docx(&render(&truth, layout)))
            .expect("LibreOffice (soffice) prints the test PDFs: apt-get install libreoffice-writer-nogui");
        read_back(&pdf, &truth, Some(layout), "pdf");
    }
}
