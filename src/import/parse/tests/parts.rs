//! Column widths, department names and the notice, each on its own.

use super::super::{cells, error, notice, rows, split_departments, table};

#[test]
fn column_widths_are_measured_on_the_document() {
    let text = include_str!("../../../../data/tianjin-2023-responsibility-list.txt");
    let lines: Vec<&str> = text.lines().collect();
    let (_, end) = table::find_header(&lines, 0).expect("a header");
    let rows = table::split_rows(&lines, end).expect("rows");
    let layout = rows::measured_layout(&rows).expect("layout");
    // Category: "12.深化政府采". Content: one line in ten is 29 or wider, one is 31. Lead: "市政务服务办"
    // is 12, "办、市公安局、" 14. Responsible: "市大数据管理中心等" 18, "输委、市规划资源局、" 20.
    let measure = |full, widest| Some(cells::Measure { full, widest });
    assert_eq!(
        layout,
        cells::Layout {
            category: measure(13, 13),
            content: measure(29, 31),
            lead: measure(12, 14),
            responsible: measure(18, 20),
            department_allowance: (0, 0),
            contents_end_sentences: true,
        }
    );
}

#[test]
fn x_deng_y_names_x_and_the_collective_y() {
    assert_eq!(split_departments("市大数据管理中心等市级有关单位"), vec!["市大数据管理中心", "市级有关单位"]);
    assert_eq!(
        split_departments(
            "市发展改革委、市规划资源局、市政务服务办等市工程建设项目审批制度改革试点工作领导小组有关成员单位"
        ),
        vec!["市发展改革委", "市规划资源局", "市政务服务办", "市工程建设项目审批制度改革试点工作领导小组有关成员单位"]
    );
    assert_eq!(
        split_departments("市人社局等市委人才工作领导小组有关成员单位"),
        vec!["市人社局", "市委人才工作领导小组有关成员单位"]
    );
    assert_eq!(split_departments("市水务局等市级有关单位"), vec!["市水务局", "市级有关单位"]);
}

#[test]
fn deng_splits_only_before_a_collective() {
    assert_eq!(split_departments("市高等教育学会"), vec!["市高等教育学会"]);
    assert_eq!(split_departments("市平等就业促进会、市教委"), vec!["市平等就业促进会", "市教委"]);
}

#[test]
fn names_split_on_both_commas_but_not_inside_quotes_or_brackets() {
    assert_eq!(
        split_departments("天津银保监局、市金融局、市税务局、市工商联，各区人民政府"),
        vec!["天津银保监局", "市金融局", "市税务局", "市工商联", "各区人民政府"]
    );
    assert_eq!(
        split_departments("市“双随机、一公开”监管联席会议有关成员单位"),
        vec!["市“双随机、一公开”监管联席会议有关成员单位"]
    );
    assert_eq!(split_departments("市政府办公厅（市政府研究室、参事室）"), vec!["市政府办公厅（市政府研究室、参事室）"]);
    assert_eq!(split_departments(" 市商务局 、 天津海关 "), vec!["市商务局", "天津海关"]);
}

#[test]
fn a_dash_cell_names_nobody() {
    assert!(split_departments("—").is_empty());
    assert!(split_departments(" — ").is_empty());
    assert!(split_departments("").is_empty());
}

#[test]
fn schedule_dates_without_a_year_take_the_year_of_the_date_before() {
    let schedule = notice::read_notice(
        &[
            "1. 某市政务服务办关于印发某市2023 年清单的通知（2023 年1 月6 日）",
            "请于2023 年4 月10 日、7 月10 日、10 月10 日和2024",
            "年1 月10 日前报送一季度、二季度（半年）、三季度、四季度（全年）工作进展情况。",
        ],
        0,
        2023,
    )
    .expect("a notice")
    .schedule;
    let due: Vec<(u8, &str, String)> =
        schedule.iter().map(|d| (d.quarter, d.label.as_str(), d.due_on.to_string())).collect();
    assert_eq!(
        due,
        vec![
            (1, "一季度", "2023-04-10".to_owned()),
            (2, "二季度（半年）", "2023-07-10".to_owned()),
            (3, "三季度", "2023-10-10".to_owned()),
            (4, "四季度（全年）", "2024-01-10".to_owned()),
        ]
    );
}

#[test]
fn a_notice_naming_no_dates_has_no_schedule() {
    let notice = notice::read_notice(
        &["2. 上海市发展改革委关于印发清单的通知", "请于每季度结束后10 日内报送工作进展情况。", "2024 年2 月1 日"],
        0,
        2024,
    )
    .expect("a notice");
    assert!(notice.schedule.is_empty());
    assert_eq!(notice.issuer, "上海市发展改革委");
    assert_eq!(notice.issued_on.to_string(), "2024-02-01");
}

#[test]
fn a_schedule_with_more_quarters_than_dates_is_an_error() {
    let result = notice::read_notice(
        &[
            "1. 某市政务服务办关于印发清单的通知（2023 年1 月6 日）",
            "请于2023 年4 月10 日、7 月10 日前报送一季度、二季度、三季度工作进展情况。",
        ],
        9,
        2023,
    );
    assert_eq!(
        result.err(),
        Some(error(11, "the reporting schedule names 3 quarters but 2 dates: expected one date per quarter"))
    );
}
