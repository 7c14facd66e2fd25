//! The PDF reader on hand-made pages: rulings, merges, page splits.

use super::*;
use crate::import::source::table::Block;

fn word(x0: f64, y0: f64, x1: f64, text: &str) -> Word {
    Word { x0, y0, x1, y1: y0 + 10.0, text: text.into() }
}

fn rows(src: &Source) -> Vec<Vec<(String, (usize, usize))>> {
    let Some(Block::Table(t)) = src.blocks.iter().find(|b| matches!(b, Block::Table(_))) else { return vec![] };
    t.rows.iter().map(|r| r.cells.iter().map(|c| (c.text.clone(), c.origin)).collect()).collect()
}

/// A section row (no verticals in row 0), a category merged down two rows (no horizontal at
/// y = 60 in column 0), a title above; words joined by the CJK and gap rules.
#[test]
fn cells_and_merges_from_rulings() {
    let svg = r#"<svg><defs><symbol><path style="stroke:none;" d="M 0 0 L 900 0 L 900 1 Z"/></symbol></defs>
        <g transform="matrix(1,0,0,-1,0,100)"><path style="fill:none;stroke:rgb(0%,0%,0%);"
        d="M 0 100 L 300 100 M 0 80 L 300 80 M 100 60 L 300 60 M 0 40 L 300 40 M 0 100 L 0 40 M 300 100 L 300 40
        M 100 80 L 100 40"/></g><path style="stroke:none;fill:rgb(0%,0%,0%);"
        d="M 199.5 20 L 200.5 20 L 200.5 60 L 199.5 60 Z"/></svg>"#;
    let segs = parse_rulings(svg).concat();
    assert_eq!(segs.len(), 8);
    let words = [
        word(20.0, -15.0, 80.0, "河北省"),
        word(5.0, 5.0, 95.0, "一、优化营商环境"),
        word(5.0, 22.0, 30.0, "企业"),
        word(5.0, 44.0, 30.0, "开办"),
        word(105.0, 25.0, 130.0, "Hello"),
        word(135.0, 25.0, 160.0, "world"),
        word(105.0, 45.0, 125.0, "推进"),
        word(126.0, 45.0, 136.0, "5G"),
        word(137.0, 45.0, 157.0, "基站"),
        word(205.0, 45.0, 240.0, "2024年"),
    ];
    let src = assemble(std::iter::once((792.0, page_items(&words, segs)))).expect("reads");
    assert!(matches!(src.blocks.first(), Some(Block::Paragraph(p)) if p.text == "河北省"));
    let texts: Vec<Vec<String>> = rows(&src).iter().map(|r| r.iter().map(|c| c.0.clone()).collect()).collect();
    assert_eq!(
        texts,
        [
            ["一、优化营商环境"; 3].map(String::from),
            ["企业开办", "Hello world", ""].map(String::from),
            ["企业开办", "推进5G基站", "2024年"].map(String::from)
        ]
    );
    let origins: Vec<(usize, usize)> = rows(&src).iter().map(|r| r[0].1).collect();
    assert_eq!(origins, [(0, 0), (1, 0), (1, 0)]);
    assert_eq!(rows(&src)[0][2].1, (0, 0));
}

/// A row broken by the page (empty number on the next page, after the repeated header)
/// joins the row before; the repeated header stays a row.
#[test]
fn row_split_over_pages() {
    let row = |r: usize, texts: [&str; 2]| {
        texts.map(|t| t.to_owned()).into_iter().enumerate().map(move |(c, text)| PCell { r, c, rs: 1, cs: 1, text })
    };
    let page1: Vec<PCell> = row(0, ["序号", "任务"]).chain(row(1, ["1", "甲"])).chain(row(2, ["2", "乙"])).collect();
    let page2: Vec<PCell> = row(0, ["序号", "任务"]).chain(row(1, ["", "丙"])).chain(row(2, ["3", "丁"])).collect();
    let pages = [page1, page2].map(|cells| (792.0, vec![(100.0, Item::Table((2, cells)))]));
    let src = assemble(pages.into_iter()).expect("reads");
    let texts: Vec<String> = rows(&src).iter().map(|r| format!("{}|{}", r[0].0, r[1].0)).collect();
    assert_eq!(texts, ["序号|任务", "1|甲", "2|乙丙", "序号|任务", "3|丁"]);
}

#[test]
fn not_a_pdf() {
    let err = read_pdf(b"not a pdf").expect_err("not a PDF");
    assert!(matches!(err, SourceError::Unreadable(_) | SourceError::MissingHelper { .. }), "{err}");
}
