//! A known list and its renderings: the truth every format and layout must read back.

use qingdan::import::layout::Options;
use qingdan::import::model::ParsedDocument;
use qingdan::import::read_document;

use super::render::{ProseDoc, RenderDoc, RenderRow};

#[derive(Debug, Clone, PartialEq)]
pub struct TruthTask {
    pub category: String,
    pub content: String,
    pub leads: Vec<String>,
    pub support: Vec<String>,
    /// (as written, last day as YYYY-MM-DD or "").
    pub deadline: (String, String),
    /// 责任领导, kept as another column where the layout has it.
    pub leader: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub region: String,
    pub year: i32,
    pub title: String,
    pub issuer: String,
    pub tasks: Vec<TruthTask>,
}

pub const CATEGORIES: [&str; 4] = ["优化企业开办服务", "提升政务服务效能", "加强市场监管", "强化要素保障"];
pub const UNITS: [&str; 10] = [
    "省发展改革委",
    "省市场监管局",
    "省税务局",
    "省公安厅",
    "省商务厅",
    "省政务服务办",
    "省“双随机、一公开”监管联席会议有关成员单位",
    "各市人民政府",
    "国网河北省电力有限公司",
    "人民银行河北省分行",
];
pub const DEADLINES: [(&str, &str); 5] = [
    ("2024年6月底前", "2024-06-30"),
    ("2024年底前", "2024-12-31"),
    ("持续推进", ""),
    ("2024年9月30日前", "2024-09-30"),
    ("上半年", "2024-06-30"),
];

/// A deterministic list of `n` tasks in four categories.
pub fn sample(n: usize) -> Truth {
    let tasks = (0..n)
        .map(|i| {
            let lead_count = 1 + i % 2;
            let leads: Vec<String> = (0..lead_count).map(|k| UNITS[(i + k) % 6].to_owned()).collect();
            let support: Vec<String> =
                (0..(i % 3)).map(|k| UNITS[6 + (i + k) % 4].to_owned()).filter(|u| !leads.contains(u)).collect();
            let (d, date) = DEADLINES[i % DEADLINES.len()];
            TruthTask {
                category: CATEGORIES[i * CATEGORIES.len() / n].to_owned(),
                content: format!(
                    "推进第{}项改革举措，将办理时间压减至{}个工作日以内，全年服务企业{}家。",
                    i + 1,
                    1 + i % 5,
                    100 * (i + 1)
                ),
                leads,
                support,
                deadline: (d.to_owned(), date.to_owned()),
                leader: format!("副省长{}", ["甲", "乙", "丙"][i % 3]),
            }
        })
        .collect();
    Truth {
        region: "河北".to_owned(),
        year: 2024,
        title: "河北省2024年优化营商环境责任清单".to_owned(),
        issuer: "河北省人民政府办公厅".to_owned(),
        tasks,
    }
}

pub fn notice(t: &Truth) -> Vec<String> {
    vec![
        format!("{}关于印发《{}》的通知", t.issuer, t.title),
        "各市人民政府，省政府各部门：".to_owned(),
        "现将《责任清单》印发给你们，请认真贯彻落实。".to_owned(),
        t.title.clone(),
    ]
}

/// The layouts of SPEC §11 a table can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 序号|重点任务|工作任务|牵头单位|责任单位|完成时限, the category merged down its tasks.
    CategoryColumn,
    /// Section rows 一、… and 序号|具体措施|牵头单位|配合单位|完成时限|责任领导.
    SectionRows,
    /// 类别|任务内容|牵头领导|责任单位 with "A、B牵头，C配合" in one cell, numbers restarting per section.
    OneCell,
}

fn chinese(n: usize) -> &'static str {
    ["一", "二", "三", "四", "五", "六"][n % 6]
}

pub fn render(t: &Truth, layout: Layout) -> RenderDoc {
    let mut rows = Vec::new();
    let mut last_category = String::new();
    let mut section = 0;
    let (header, merge_down): (Vec<&str>, Vec<usize>) = match layout {
        Layout::CategoryColumn => (vec!["序号", "重点任务", "工作任务", "牵头单位", "责任单位", "完成时限"], vec![1]),
        Layout::SectionRows => (vec!["序号", "具体措施", "牵头单位", "配合单位", "完成时限", "责任领导"], vec![]),
        Layout::OneCell => (vec!["类别", "任务内容", "牵头领导", "责任单位"], vec![0]),
    };
    for (i, task) in t.tasks.iter().enumerate() {
        if task.category != last_category && layout == Layout::SectionRows {
            rows.push(RenderRow::Section(format!("{}、{}", chinese(section), task.category)));
            section += 1;
        }
        last_category = task.category.clone();
        let number = (i + 1).to_string();
        let cells = match layout {
            Layout::CategoryColumn => vec![
                number,
                format!("{}.{}", CATEGORIES.iter().position(|c| *c == task.category).unwrap_or(0) + 1, task.category),
                task.content.clone(),
                task.leads.join("、"),
                if task.support.is_empty() { "—".to_owned() } else { task.support.join("、") },
                task.deadline.0.clone(),
            ],
            Layout::SectionRows => vec![
                number,
                task.content.clone(),
                task.leads.join("、"),
                task.support.join("，"),
                task.deadline.0.clone(),
                task.leader.clone(),
            ],
            Layout::OneCell => {
                let units = if task.support.is_empty() {
                    format!("{}牵头", task.leads.join("、"))
                } else {
                    format!("{}牵头，{}配合", task.leads.join("、"), task.support.join("、"))
                };
                vec![task.category.clone(), task.content.clone(), task.leader.clone(), units]
            }
        };
        rows.push(RenderRow::Cells(cells));
    }
    RenderDoc {
        before: notice(t),
        header: header.into_iter().map(str::to_owned).collect(),
        rows,
        merge_down,
        after: vec!["注：清单中的单位按职责分工负责。".to_owned()],
        docx_tables: 1,
    }
}

/// The prose layout: headings 一、…, items with their units and deadline in brackets; pairs of
/// items share one bracket, and a bracket with 下同 holds for the item after it.
pub fn render_prose(t: &Truth) -> ProseDoc {
    let mut paragraphs = notice(t);
    let mut last_category = String::new();
    let mut section = 0;
    for (i, task) in t.tasks.iter().enumerate() {
        if task.category != last_category {
            paragraphs.push(format!("{}、{}", chinese(section), task.category));
            section += 1;
            last_category = task.category.clone();
        }
        let mut bracket = format!("牵头单位：{}", task.leads.join("、"));
        if !task.support.is_empty() {
            bracket.push_str(&format!("；责任单位：{}", task.support.join("、")));
        }
        bracket.push_str(&format!("；完成时限：{}", task.deadline.0));
        paragraphs.push(format!("{}. {}（{}）", i + 1, task.content, bracket));
    }
    ProseDoc { paragraphs }
}

/// Reads `bytes` and compares every field with the truth.
pub fn read_back(bytes: &[u8], t: &Truth, layout: Option<Layout>, what: &str) -> ParsedDocument {
    let read = read_document(bytes, &Options::default()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let doc = read.doc;
    assert_eq!(
        (doc.region.as_str(), doc.year, doc.title.as_str()),
        (t.region.as_str(), t.year, t.title.as_str()),
        "{what}"
    );
    assert_eq!(doc.issuer, t.issuer, "{what}");
    assert_eq!(doc.tasks.len(), t.tasks.len(), "{what}: tasks");
    let names: Vec<&str> = doc.categories.iter().map(|c| c.name.as_str()).collect();
    let mut expected: Vec<&str> = t.tasks.iter().map(|t| t.category.as_str()).collect();
    expected.dedup();
    assert_eq!(names, expected, "{what}: categories");
    for (i, (got, want)) in doc.tasks.iter().zip(&t.tasks).enumerate() {
        let at = format!("{what}: task {}", i + 1);
        assert_eq!(got.number, i32::try_from(i + 1).unwrap_or(0), "{at}");
        let category = doc.categories.iter().find(|c| c.number == got.category_number).map(|c| c.name.as_str());
        assert_eq!(category, Some(want.category.as_str()), "{at}");
        assert_eq!(got.content, want.content, "{at}");
        assert_eq!(got.leads, want.leads, "{at}: leads");
        assert_eq!(got.responsible, want.support, "{at}: responsible units");
        let deadline =
            got.deadline.as_ref().map(|d| (d.text.clone(), d.date.map(|d| d.to_string()).unwrap_or_default()));
        match layout {
            Some(Layout::OneCell) => assert_eq!(deadline, None, "{at}"),
            _ => assert_eq!(deadline, Some(want.deadline.clone()), "{at}: deadline"),
        }
        let leader = got.columns.iter().find(|(l, _)| l == "责任领导" || l == "牵头领导").map(|(_, v)| v.as_str());
        match layout {
            Some(Layout::SectionRows | Layout::OneCell) => assert_eq!(leader, Some(want.leader.as_str()), "{at}"),
            _ => assert_eq!(leader, None, "{at}"),
        }
    }
    doc
}
