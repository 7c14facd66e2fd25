//! Quirks of the PDF layout, each on a small excerpt of the Tianjin list (tasks renumbered
//! from 1, a category line added where an excerpt starts mid-category). The excerpts go
//! through the whole parser, column widths measured on the excerpt itself.

use super::*;

const PREAMBLE: &str = "
# Page 140:
（二）天津
1. 天津市政务服务办关于印发天津市
2023
 年优化营商环境责
任清单的通知（2023 年1 月6 日）
各区人民政府，市政府各委、办、局：
经市人民政府同意，现将《天津市2023 年优化营商环境责任清单》印发给你们，请遵
照执行。
天津市2023 年优化营商环境责任清单
序号
重点任务
主要内容
牵头部门
责任单位
";

const PAGE_BREAK: &str = "
# Page 141:
序号
重点任务
主要内容
牵头部门
责任单位
";

fn tasks(rows: &str) -> Vec<ParsedTask> {
    let text = format!("{PREAMBLE}{}", rows.replace("<page break>\n", PAGE_BREAK));
    parse_document(&text).expect("the excerpt parses").tasks
}

/// (content, leads, responsible) of a task.
fn cells(task: Option<&ParsedTask>) -> (&str, Vec<&str>, Vec<&str>) {
    let task = task.expect("the task exists");
    (
        task.content.as_str(),
        task.leads.iter().map(String::as_str).collect(),
        task.responsible.iter().map(String::as_str).collect(),
    )
}

#[test]
fn content_and_lead_on_one_line_are_cut_after_the_full_stop() {
    let tasks = tasks(
        "1
1.提升政务服
务水平
持续推进全市数据共享开放工作。市委网信办
市大数据管理中心等
市级有关单位
2
持续推动行政许可事项标准化。市政务服务办
市级有关单位
",
    );
    assert_eq!(
        cells(tasks.first()),
        ("持续推进全市数据共享开放工作。", vec!["市委网信办"], vec!["市大数据管理中心", "市级有关单位"])
    );
    assert_eq!(cells(tasks.get(1)), ("持续推动行政许可事项标准化。", vec!["市政务服务办"], vec!["市级有关单位"]));
}

#[test]
fn a_full_stop_inside_the_content_does_not_end_it() {
    let tasks = tasks(
        "1
1.优化纳税服
务
为纳税人提供企业所得税纳税申
报“预填报”服务。
基本实现天津
市电子税务局申报界面自动提取
数据、自动计算税额、自动预填申
报，
纳税人缴费人确认或补正后即
可线上提交。
市税务局
—
2
2.提高合同执
行率
提高失联被告、
被执行人送达准确
率。通过司法查询、大数据修复或
第三方服务等方式，
查找失联当事
人的联系电话、
邮寄地址等个人信
息，
在依法保护公民个人信息安全
前提下，提高司法对合法债权人、
权利人的诉讼权利保护力度，
依法
防范恶意规避责任和承担义务的
行为。
市高级人民法
院
—
",
    );
    assert_eq!(
        cells(tasks.first()),
        (
            "为纳税人提供企业所得税纳税申报“预填报”服务。基本实现天津市电子税务局申报界面自动提取数据、自动计算税额、自动预填申报，纳税人缴费人确认或补正后即可线上提交。",
            vec!["市税务局"],
            vec![]
        )
    );
    assert_eq!(
        cells(tasks.get(1)),
        (
            "提高失联被告、被执行人送达准确率。通过司法查询、大数据修复或第三方服务等方式，查找失联当事人的联系电话、邮寄地址等个人信息，在依法保护公民个人信息安全前提下，提高司法对合法债权人、权利人的诉讼权利保护力度，依法防范恶意规避责任和承担义务的行为。",
            vec!["市高级人民法院"],
            vec![]
        )
    );
}

#[test]
fn department_names_broken_across_lines_are_joined() {
    let tasks = tasks(
        "1
1.提升企业获
得电力服务
持续开展“供电+能效服务”，向
高压客户推送电能能效账单，
精准
推荐能效服务产品。
国网天津市电
力公司
市工业和信息化局
2
以“金融支持乡村振兴示范点”
建设为契机，
推行“三专两示范”
建设，
更好满足乡村振兴多样化金
融需求。
人民银行天津
分行
—
3
推动地方法人银行加强业务流程
数字化、
标准化建设，
通过大数据、
云计算等金融科技手段，
加强信用
信息金融应用，
加快建设与数字化
转型相匹配的风险控制体系，
持续
提升地方法人银行数字化运营、
获
客和风控能力。
市金融局、人
民银行天津分
行、天津银保
监局
—
4
加快推进工程总承包方式招标投
标，减少招标投标层级。
市住房城乡建
设委、市发展
改革委
市政务服务办
5
结合案件情况，
在买卖合同纠纷等
民商事案件数量较多的法院，
打造
营商环境执行实施专业团队，
专门
负责相关案件的执行。
市高级人民法
院
—
",
    );
    assert_eq!(cells(tasks.first()).1, vec!["国网天津市电力公司"]);
    assert_eq!(cells(tasks.get(1)).1, vec!["人民银行天津分行"]);
    assert_eq!(cells(tasks.get(2)).1, vec!["市金融局", "人民银行天津分行", "天津银保监局"]);
    assert_eq!(
        cells(tasks.get(3)),
        (
            "加快推进工程总承包方式招标投标，减少招标投标层级。",
            vec!["市住房城乡建设委", "市发展改革委"],
            vec!["市政务服务办"]
        )
    );
    assert_eq!(cells(tasks.get(4)).1, vec!["市高级人民法院"]);
}

#[test]
fn a_quoted_name_keeps_its_enumeration_comma_across_lines() {
    let tasks = tasks(
        "1
1.完善市场监
管机制
推广全市“双随机、
一公开”监管
工作平台，
推动市、区两级监管部
门进驻使用，实现“双随机、一公
开”监管的全流程信息化管理。
市市场监管委
市“双随机、一公
开”监管联席会议有
关成员单位
2
持续推动不动产登记业务进驻区
级政务服务中心。
市规划资源局
有关区人民政府
",
    );
    assert_eq!(
        cells(tasks.first()),
        (
            "推广全市“双随机、一公开”监管工作平台，推动市、区两级监管部门进驻使用，实现“双随机、一公开”监管的全流程信息化管理。",
            vec!["市市场监管委"],
            vec!["市“双随机、一公开”监管联席会议有关成员单位"]
        )
    );
    assert_eq!(cells(tasks.get(1)).2, vec!["有关区人民政府"]);
}

#[test]
fn a_lead_cell_may_hold_several_names_over_several_lines() {
    let tasks = tasks(
        "1
1.提升政务服
务水平
推动全市一体化政务服务平台与
国家垂管系统融合对接，
提升跨层
级、跨业务、跨部门、跨地区应用
的支撑能力。
市委网信办、
市政务服务
办、市大数据
管理中心
市级有关单位
2
优化全市一体化政务服务平台功
能，深化电子证照、电子印章、电
子签名等功能应用范围，
进一步提
升全程电子化服务水平。
市政务服务
办、市委网信
办、市公安局、
市大数据管理
中心
市级有关单位
",
    );
    assert_eq!(cells(tasks.first()).1, vec!["市委网信办", "市政务服务办", "市大数据管理中心"]);
    assert_eq!(cells(tasks.first()).2, vec!["市级有关单位"]);
    assert_eq!(cells(tasks.get(1)).1, vec!["市政务服务办", "市委网信办", "市公安局", "市大数据管理中心"]);
}

#[test]
fn a_full_width_comma_separates_names_like_an_enumeration_comma() {
    let tasks = tasks(
        "1
1.着力培育和
发展数字经济
加快建设天津港口型、
空港型国家
物流枢纽和天津滨海新区中心渔
港国家骨干冷链物流基地，
积极推
动枢纽和基地内重大物流项目建
设，
为符合条件的项目争取资金支
持。
市发展改革
委，滨海新区
人民政府
—
2
深入开展我市中小微企业融资监
测工作，
向金融机构推介中小微企
业融资纾困名单，
支持企业获得融
资支持。
市发展改革委
人民银行天津分行、
天津银保监局，各区
人民政府
3
大力培育全过程工程咨询服务市
场主体，提升工程咨询服务能力。
市发展改革
委、市住房城
乡建设委
市市场监管委，各区
人民政府
",
    );
    assert_eq!(cells(tasks.first()).1, vec!["市发展改革委", "滨海新区人民政府"]);
    assert_eq!(cells(tasks.first()).2, Vec::<&str>::new());
    assert_eq!(cells(tasks.get(1)).2, vec!["人民银行天津分行", "天津银保监局", "各区人民政府"]);
    assert_eq!(
        cells(tasks.get(2)),
        (
            "大力培育全过程工程咨询服务市场主体，提升工程咨询服务能力。",
            vec!["市发展改革委", "市住房城乡建设委"],
            vec!["市市场监管委", "各区人民政府"]
        )
    );
}

#[test]
fn a_dash_means_no_department_in_either_department_cell() {
    let tasks = tasks(
        "1
1.深入推进法
治化营商环境
持续深化法治化营商环境专项行
动。
—
市委依法治市办
2
制定的惠企政策涉及多部门时，
明
确牵头部门、规定联合办理，切实
清除“中梗阻”，打通政策落实
“最后一公里”。
—
市级有关单位，各区
人民政府
3
持续推动开展行业信用分级分类
监管。
市发展改革委
各有关行业主管（监
管）单位
4
提升天津12345 政务服务便民热
线服务质量，
推进12345 政务服务
便民热线与110 报警服务台系统
对接，相关数据共享，扩充热线知
识库信息。
市政务服务办
—
",
    );
    assert_eq!(cells(tasks.first()), ("持续深化法治化营商环境专项行动。", vec![], vec!["市委依法治市办"]));
    assert_eq!(
        cells(tasks.get(1)),
        (
            "制定的惠企政策涉及多部门时，明确牵头部门、规定联合办理，切实清除“中梗阻”，打通政策落实“最后一公里”。",
            vec![],
            vec!["市级有关单位", "各区人民政府"]
        )
    );
    assert_eq!(cells(tasks.get(2)).2, vec!["各有关行业主管（监管）单位"]);
    assert_eq!(cells(tasks.get(3)).1, vec!["市政务服务办"]);
    assert_eq!(cells(tasks.get(3)).2, Vec::<&str>::new());
}

#[test]
fn unfinished_content_and_responsible_cells_continue_after_a_page_break() {
    let tasks = tasks(
        "1
1.提高项目开
工建设效率
持续实施轨道建设项目审批和重
大变更审批政策。执行《天津市轨
道交通和城市道路桥梁建设项目
市住房城乡建
设委、市发展
改革委
市规划资源局、市财
政局、市交通运输委、
市城市管理委、市水

<page break>
设计变更管理办法》
和轨道建设项
目审批优化措施，提升审批效率。
务局
2
建立工程建设项目审批管理长效
制度，
规范工程建设项目全流程审
批。
市住房城乡建
设委
市发展改革委、市规
划资源局、市政务服
务办等市工程建设项
目审批制度改革试点
工作领导小组有关成
员单位
",
    );
    assert_eq!(
        cells(tasks.first()),
        (
            "持续实施轨道建设项目审批和重大变更审批政策。执行《天津市轨道交通和城市道路桥梁建设项目设计变更管理办法》和轨道建设项目审批优化措施，提升审批效率。",
            vec!["市住房城乡建设委", "市发展改革委"],
            vec!["市规划资源局", "市财政局", "市交通运输委", "市城市管理委", "市水务局"]
        )
    );
    assert_eq!(
        cells(tasks.get(1)).2,
        vec!["市发展改革委", "市规划资源局", "市政务服务办", "市工程建设项目审批制度改革试点工作领导小组有关成员单位"]
    );
}

#[test]
fn a_category_short_first_content_line_and_responsible_cell_continue_after_a_page_break() {
    let text = format!(
        "{PREAMBLE}1
1.深化政府采
购和招标投标
运用大数据、
区块链等技术在公共
资源交易中的应用，实现交易、金
市政务服务办
市财政局、市住房城
乡建设委、市交通运
{PAGE_BREAK}改革
融、信用、监管数据共享和服务协
同。
输委、市规划资源局、
市水务局等市级有关
单位
2
大力培育全过程工程咨询服务市
场主体，提升工程咨询服务能力。
市发展改革
委、市住房城
乡建设委
市市场监管委，各区
人民政府
"
    );
    let document = parse_document(&text).expect("the excerpt parses");
    assert_eq!(document.categories.first().map(|c| c.name.as_str()), Some("深化政府采购和招标投标改革"));
    assert_eq!(
        cells(document.tasks.first()),
        (
            "运用大数据、区块链等技术在公共资源交易中的应用，实现交易、金融、信用、监管数据共享和服务协同。",
            vec!["市政务服务办"],
            vec!["市财政局", "市住房城乡建设委", "市交通运输委", "市规划资源局", "市水务局", "市级有关单位"]
        )
    );
}

#[test]
fn a_category_name_broken_over_several_short_lines_is_joined() {
    let text = format!(
        "{PREAMBLE}1
1.加强知识产
权创造、
保护和
运用
持续开展高质量专利创造试点工
作，大力培育高价值专利，我市有
效发明专利达到5.2 万件。
市知识产权局
—
2
2.加大对中小
投资者保护力
度
开展证券期货纠纷案件诉调对接
运行现状调研，
有针对性地解决诉
调对接中存在的问题，
加大工作成
果、典型案例提炼宣传力度，持续
营造“保护中小投资者”浓厚社
会氛围。
天津证监局、
市高级人民法
院
—
"
    );
    let document = parse_document(&text).expect("the excerpt parses");
    let names: Vec<&str> = document.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["加强知识产权创造、保护和运用", "加大对中小投资者保护力度"]);
    assert_eq!(
        cells(document.tasks.first()).0,
        "持续开展高质量专利创造试点工作，大力培育高价值专利，我市有效发明专利达到5.2 万件。"
    );
    assert_eq!(cells(document.tasks.get(1)).1, vec!["天津证监局", "市高级人民法院"]);
}

#[test]
fn a_short_first_content_line_before_a_book_title_is_content_not_category() {
    let tasks = tasks(
        "1
1.提升企业融
资便利度
实施
《关于加强信用信息共享应用
促进中小微企业融资发展的工作
方案》，大力推进信用信息共享应
用，
依托天津市中小企业融资综合
服务平台，有效提升信用贷款规
模。
市发展改革委
天津银保监局、市金
融局、市税务局、市
工商联，各区人民政
府
2
出台
《天津市公共体育设施布局规
划》，建设一批群众身边的体育场
地设施，
鼓励各级各类组织举办丰
富多彩的体育赛事活动。
市体育局
—
",
    );
    assert_eq!(
        cells(tasks.first()),
        (
            "实施《关于加强信用信息共享应用促进中小微企业融资发展的工作方案》，大力推进信用信息共享应用，依托天津市中小企业融资综合服务平台，有效提升信用贷款规模。",
            vec!["市发展改革委"],
            vec!["天津银保监局", "市金融局", "市税务局", "市工商联", "各区人民政府"]
        )
    );
    assert_eq!(
        cells(tasks.get(1)).0,
        "出台《天津市公共体育设施布局规划》，建设一批群众身边的体育场地设施，鼓励各级各类组织举办丰富多彩的体育赛事活动。"
    );
}

#[test]
fn numbers_split_across_lines_are_rejoined() {
    let tasks = tasks(
        "1
1.提升创新创
业活跃度
国家高新技术企业突破11000 家。
国家科技型中小企业评价入库105
00 家。
市科技局
—
2
推进大型科研仪器开放共享平台
建设，整合科研仪器资源，纳入共
享平台的大型科研仪器数量达到2
500 台（套）。
市科技局
—
3
实施《天津市公共信息目录（202
2 版）》，全面归集各类公共信用
市发展改革委
市级有关单位，各区
人民政府
<page break>
信息。
",
    );
    assert_eq!(cells(tasks.first()).0, "国家高新技术企业突破11000 家。国家科技型中小企业评价入库10500 家。");
    assert_eq!(
        cells(tasks.get(1)).0,
        "推进大型科研仪器开放共享平台建设，整合科研仪器资源，纳入共享平台的大型科研仪器数量达到2500 台（套）。"
    );
    assert_eq!(
        cells(tasks.get(2)),
        (
            "实施《天津市公共信息目录（2022 版）》，全面归集各类公共信用信息。",
            vec!["市发展改革委"],
            vec!["市级有关单位", "各区人民政府"]
        )
    );
}

#[test]
fn content_unfinished_at_a_page_break_after_complete_department_cells_goes_on_after_it() {
    let tasks = tasks(
        "1
1.提高公共服
务群众满意度
充分利用区、街镇、村居三级文化
设施网络，
办好天津市第八届市民
文化艺术节，
加大基层群众文化活
动开展力度，指导各区开展乡村
“村晚”、下基层演出等文化活
动，
持续推动文化资源向基层和农
村倾斜，
让广大群众共享文化发展
市文化和旅游
局
各区人民政府
<page break>
成果。
2
组织开展全市养老护理员线上培
训。
市民政局
—
",
    );
    assert_eq!(
        cells(tasks.first()),
        (
            "充分利用区、街镇、村居三级文化设施网络，办好天津市第八届市民文化艺术节，加大基层群众文化活动开展力度，指导各区开展乡村“村晚”、下基层演出等文化活动，持续推动文化资源向基层和农村倾斜，让广大群众共享文化发展成果。",
            vec!["市文化和旅游局"],
            vec!["各区人民政府"]
        )
    );
}

#[test]
fn column_widths_are_measured_on_the_document() {
    let text = include_str!("../../../data/tianjin-2023-responsibility-list.txt");
    let lines: Vec<&str> = text.lines().collect();
    let (_, end) = table::find_header(&lines, 0).expect("a header");
    let rows = table::split_rows(&lines, end).expect("rows");
    let widths = rows::measured_widths(&rows).expect("widths");
    // 13: "12.深化政府采"; 31: the widest content line; 14: "办、市公安局、"; 20: "输委、市规划资源局、".
    assert_eq!(
        widths,
        cells::Widths {
            category: Some(13),
            content: Some(31),
            lead: Some(14),
            responsible: Some(20),
            department_allowance: (0, 0)
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
