//! Cells (category, content, lead, responsible) that go on after a page break, category
//! cells, numbers broken across lines.

use super::{PAGE_BREAK, PREAMBLE, cells, tasks};
use crate::import::parse_document;

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
fn an_unfinished_lead_cell_continues_after_a_page_break() {
    let tasks = tasks(
        "1
1.着力培育和
发展数字经济
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
市金融局、人
民银行天津分
—
<page break>
提升地方法人银行数字化运营、
获
客和风控能力。
行、天津银保
监局
2
推进产业数字化转型，
加快创建智
能工厂和数字化车间，
培育行业级
和区域级工业互联网平台，
打造一
批数字化集聚区、园区和主题楼
宇。
市发展改革委
市工业和信息化局
",
    );
    assert_eq!(
        cells(tasks.first()),
        (
            "推动地方法人银行加强业务流程数字化、标准化建设，通过大数据、云计算等金融科技手段，加强信用信息金融应用，加快建设与数字化转型相匹配的风险控制体系，持续提升地方法人银行数字化运营、获客和风控能力。",
            vec!["市金融局", "人民银行天津分行", "天津银保监局"],
            vec![]
        )
    );
}
