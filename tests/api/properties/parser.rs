//! The document parser on random text and on random line-level mutations of the bundled
//! document: a clean `ParseError` or a document that holds the invariants, never a panic.
//! (The same property under libFuzzer, unbounded: `scripts/fuzz.sh`.)

use proptest::prelude::*;
use proptest::sample::Index;
use qingdan::import::BUNDLED_DOCUMENT;
use qingdan::import::parse_document;

/// Pieces of documents, so that random text gets past the first checks now and then.
const VOCABULARY: &[&str] = &[
    "\n",
    "\n",
    "\n",
    " ",
    "# Page 141:\n",
    "（二）天津\n",
    "（三）",
    "1. 天津市政务服务办关于印发",
    "天津市",
    "2023",
    " 年优化营商环境责",
    "任清单的通知（2023 年1 月6 日）\n",
    "天津市2023 年优化营商环境责任清单\n",
    "序号\n重点任务\n主要内容\n牵头部门\n责任单位\n",
    "序号\n",
    "1\n",
    "2\n",
    "3\n",
    "129\n",
    "1.优化企业开\n",
    "2.",
    "办服务\n",
    "推进电子营业执照在市公共资源\n",
    "交易平台中的应用。\n",
    "市市场监管委\n",
    "市政务服务办、市委\n",
    "网信办、",
    "—\n",
    "、",
    "。",
    "；",
    "超过6 万个",
    "2023 年4 月10 日",
    "一季度",
    "（",
    "）",
    "\u{feff}",
    "\r\n",
];

/// Asserts what an `Ok` parse promises: tasks 1..=N, categories 1..=M in order, lines inside
/// the text; and that an error names a line of the text.
fn check(text: &str) -> Result<(), TestCaseError> {
    let lines = text.lines().count().max(1);
    match parse_document(text) {
        Err(e) => {
            prop_assert!(e.line >= 1 && e.line <= lines + 1, "error on line {} of {lines}: {e}", e.line);
            prop_assert!(!e.message.is_empty());
        }
        Ok(doc) => {
            let tasks: Vec<i32> = doc.tasks.iter().map(|t| t.number).collect();
            prop_assert!(!tasks.is_empty());
            prop_assert_eq!(tasks, (1..=doc.tasks.len() as i32).collect::<Vec<_>>());
            let categories: Vec<i32> = doc.categories.iter().map(|c| c.number).collect();
            prop_assert_eq!(categories, (1..=doc.categories.len() as i32).collect::<Vec<_>>());
            let mut last = 1;
            for t in &doc.tasks {
                prop_assert!(t.category_number >= last && t.category_number <= doc.categories.len() as i32);
                prop_assert!(t.line >= 1 && t.line <= lines, "task {} on line {} of {lines}", t.number, t.line);
                last = t.category_number;
            }
        }
    }
    Ok(())
}

/// One edit of the document's lines.
#[derive(Debug, Clone)]
enum Edit {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    /// Cut the line after a number of characters.
    Truncate(Index, usize),
    /// Join the line with the next.
    Join(Index),
    Insert(Index, String),
    /// Cut the whole text after this line.
    End(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let line = || any::<Index>();
    prop_oneof![
        line().prop_map(Edit::Delete),
        line().prop_map(Edit::Duplicate),
        (line(), line()).prop_map(|(a, b)| Edit::Swap(a, b)),
        (line(), 0usize..20).prop_map(|(a, n)| Edit::Truncate(a, n)),
        line().prop_map(Edit::Join),
        (line(), prop::sample::select(VOCABULARY)).prop_map(|(a, s)| Edit::Insert(a, s.trim_end().to_owned())),
        (line(), ".{0,12}").prop_map(|(a, s)| Edit::Insert(a, s)),
        line().prop_map(Edit::End),
    ]
}

fn apply(edits: &[Edit]) -> String {
    let mut lines: Vec<String> = BUNDLED_DOCUMENT.lines().map(str::to_owned).collect();
    for e in edits {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match e {
            Edit::Delete(i) => {
                lines.remove(i.index(n));
            }
            Edit::Duplicate(i) => {
                let line = lines[i.index(n)].clone();
                lines.insert(i.index(n), line);
            }
            Edit::Swap(a, b) => lines.swap(a.index(n), b.index(n)),
            Edit::Truncate(i, k) => {
                let line = &mut lines[i.index(n)];
                *line = line.chars().take(*k).collect();
            }
            Edit::Join(i) if i.index(n) + 1 < n => {
                let next = lines.remove(i.index(n) + 1);
                lines[i.index(n)].push_str(&next);
            }
            Edit::Join(_) => {}
            Edit::Insert(i, s) => lines.insert(i.index(n), s.clone()),
            Edit::End(i) => lines.truncate(i.index(n)),
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_parser_reads_mutations_of_the_bundled_document_or_names_a_line(
        edits in prop::collection::vec(edit(), 1..6)
    ) {
        check(&apply(&edits))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_parser_never_panics_on_random_text(text in "(?s).{0,400}") {
        check(&text)?;
    }

    #[test]
    fn the_parser_never_panics_on_random_document_pieces(
        pieces in prop::collection::vec(prop::sample::select(VOCABULARY), 0..120)
    ) {
        check(&pieces.concat())?;
    }
}

#[test]
fn the_bundled_document_holds_the_invariants() {
    check(BUNDLED_DOCUMENT).expect("the bundled document parses with its invariants");
    let doc = parse_document(BUNDLED_DOCUMENT).expect("the bundled document parses");
    assert_eq!((doc.tasks.len(), doc.categories.len()), (129, 25));
}
