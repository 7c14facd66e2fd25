//! Golden test over the bundled Tianjin list: metadata, all categories, 69 rows written out
//! by hand from the text, and invariants over every row. Then errors on unreadable text and
//! a small list from another region in the same layout.

use chrono::NaiveDate;

use super::model::{ParseError, ParsedDocument, ParsedTask};
use super::read::parse_document;

const TIANJIN: &str = include_str!("../../data/tianjin-2023-responsibility-list.txt");

/// Rows read by hand: number | category | content | leads | responsible units, names
/// separated by " / ", an empty list for "—".
const PINNED: &str = "
1 | 1 | 推进电子营业执照在市公共资源交易平台中的应用。 | 市市场监管委 | 市政务服务办 / 市委网信办 / 市大数据管理中心
2 | 1 | 试点推动企业常用电子证照信息与电子营业执照相关联，拓展电子营业执照服务功能。 | 市市场监管委 | 市委网信办 / 市大数据管理中心 / 市政务服务办 / 东疆综合保税区管委会
4 | 2 | 持续实施轨道建设项目审批和重大变更审批政策。执行《天津市轨道交通和城市道路桥梁建设项目设计变更管理办法》和轨道建设项目审批优化措施，提升审批效率。 | 市住房城乡建设委 / 市发展改革委 | 市规划资源局 / 市财政局 / 市交通运输委 / 市城市管理委 / 市水务局
5 | 2 | 建立工程建设项目审批管理长效制度，规范工程建设项目全流程审批。 | 市住房城乡建设委 | 市发展改革委 / 市规划资源局 / 市政务服务办 / 市工程建设项目审批制度改革试点工作领导小组有关成员单位
6 | 2 | 提升工程建设项目审批系统运行效能和数据质量。会同市级有关单位进一步加强工程建设项目审批系统与相关审批业务系统、市政公用服务报装系统互联互通，不断完善信息推送、数据共享，确保项目信息、证照、办理结果等内容完整准确实时共享。 | 市政务服务办 / 市委网信办 / 市大数据管理中心 | 市发展改革委 / 市规划资源局 / 市住房城乡建设委 / 市水务局 / 市城市管理委 / 市公用事业局 / 国网天津市电力公司 / 天津水务集团 / 天津能源集团
7 | 2 | 试行建设工程规划许可全流程无纸化管理。探索“零跑动”取得建设工程规划许可证，实施“不见面审批”，提升审批效率。 | 市规划资源局 | 市政务服务办
8 | 3 | 推动全市一体化政务服务平台与国家垂管系统融合对接，提升跨层级、跨业务、跨部门、跨地区应用的支撑能力。 | 市委网信办 / 市政务服务办 / 市大数据管理中心 | 市级有关单位
9 | 3 | 优化全市一体化政务服务平台功能，深化电子证照、电子印章、电子签名等功能应用范围，进一步提升全程电子化服务水平。 | 市政务服务办 / 市委网信办 / 市公安局 / 市大数据管理中心 | 市级有关单位
10 | 3 | 持续推进“津心办”APP 便民服务事项按照国家统一标准与国家政务服务平台对接。推动更多“跨省通办”事项在“津心办”APP 办理，通过移动端为企业群众提供异地办事服务。 | 市委网信办 / 市政务服务办 | 市大数据管理中心 / 市级有关单位
11 | 3 | 落实国家关于高频事项“跨省通办”要求，进一步扩大高频事项范围，不断满足企业群众异地办理需求。 | 市政务服务办 | 市委网信办 / 市公安局 / 市人社局 / 市规划资源局 / 市住房城乡建设委 / 市交通运输委 / 市水务局 / 市医保局 / 市税务局 / 人民银行天津分行 / 天津海事局 / 市公积金管理中心 / 市级有关单位 / 各区人民政府
12 | 3 | 持续对接市级有关单位和各区，进一步扩大“津心办”平台旗舰店规模，持续提升移动政务服务效能。 | 市委网信办 | 市大数据管理中心 / 市级有关单位 / 各区人民政府
14 | 3 | 持续推进全市数据共享开放工作。 | 市委网信办 | 市大数据管理中心 / 市级有关单位
15 | 3 | 持续推动行政许可事项标准化。 | 市政务服务办 | 市级有关单位
16 | 3 | 提升天津12345 政务服务便民热线服务质量，推进12345 政务服务便民热线与110 报警服务台系统对接，相关数据共享，扩充热线知识库信息。 | 市政务服务办 |
19 | 4 | 开展个人存量房屋交易线上“带押过户”试点工作，通过信息共享、业务协同、集成办理，实现个人存量房屋交易线上“带押过户”，降低个人存量房屋交易资金和时间成本。 | 市规划资源局 | 人民银行天津分行 / 市住房城乡建设委 / 市金融局 / 天津银保监局
22 | 4 | 持续推动不动产登记业务进驻区级政务服务中心。 | 市规划资源局 | 有关区人民政府
23 | 5 | 推广全市“双随机、一公开”监管工作平台，推动市、区两级监管部门进驻使用，实现“双随机、一公开”监管的全流程信息化管理。 | 市市场监管委 | 市“双随机、一公开”监管联席会议有关成员单位
25 | 5 | 以“双随机、一公开”监管工作平台为支撑，加强对部门内部“双随机、一公开”监管和部门联合抽查常态化工作的量化考核。 | 市市场监管委 | 市“双随机、一公开”监管联席会议有关成员单位
26 | 5 | 持续完善市“互联网+监管”平台系统功能，深化交通运输、生态环境、安全生产、金融监管、化妆品监管等领域风险预警模型建设。 | 市委网信办 | 市交通运输委 / 市生态环境局 / 市应急局 / 市金融局 / 市药监局 / 市大数据管理中心 / 市级有关单位
29 | 7 | 为纳税人提供企业所得税纳税申报“预填报”服务。基本实现天津市电子税务局申报界面自动提取数据、自动计算税额、自动预填申报，纳税人缴费人确认或补正后即可线上提交。 | 市税务局 |
31 | 7 | 增加单位网上注销业务，建立面向市场主体的“线上线下一体化”审批机制，实现公积金重调、跳缴等业务场景全程线上办理。 | 市公积金管理中心 |
33 | 8 | 持续开展“供电+能效服务”，向高压客户推送电能能效账单，精准推荐能效服务产品。 | 国网天津市电力公司 | 市工业和信息化局
34 | 8 | 超前对接重点产业链企业用电需求，解决企业诉求，持续提升客户办电“获得感”。 | 国网天津市电力公司 | 市工业和信息化局
35 | 9 | 完善用水用气报装投诉监管、纠纷解决及回访机制。 | 市水务局 / 市城市管理委 | 市公用事业局 / 天津水务集团 / 天津能源集团
36 | 9 | 持续优化缴费、开具电子发票和财政电子票据、更名过户等供水供气业务网办功能。 | 市水务局 / 市城市管理委 | 市财政局 / 市公用事业局 / 市税务局 / 市大数据管理中心 / 市政务服务办 / 市规划资源局 / 各区人民政府
40 | 10 | 建立完善第三方评估工作机制，开展天津口岸跨境贸易便利化效果评估。 | 市商务局 | 天津海关 / 市发展改革委 / 市交通运输委 / 市市场监管委 / 天津港集团 / 天津滨海国际机场
44 | 11 | 实施《关于加强信用信息共享应用促进中小微企业融资发展的工作方案》，大力推进信用信息共享应用，依托天津市中小企业融资综合服务平台，有效提升信用贷款规模。 | 市发展改革委 | 天津银保监局 / 市金融局 / 市税务局 / 市工商联 / 各区人民政府
46 | 11 | 持续做好重点支持领域中长期贷款备选项目申报工作。 | 市发展改革委 | 市大数据管理中心 / 市级有关单位 / 各区人民政府
47 | 11 | 继续推动中征应收账款融资服务平台“政采贷”线上融资业务，加大对平台的宣传推介，支持有融资需求的中小微企业在平台注册并依托政府采购合同等信息开展融资。 | 人民银行天津分行 | 市财政局 / 市金融局
49 | 11 | 持续开展普惠小微金融智慧服务提升专项行动，引导商业银行继续扩大“天津普惠小微·智慧小二”金融服务平台用户辐射范围，特别是增加在农村地区的普及程度，通过应用“聚合收款码”技术，采集经营主体交易流水信息作为征信核心替代数据，为个体工商户提供更加高效、便捷、快速的金融服务。 | 人民银行天津分行 / 市金融局 |
50 | 11 | 积极推动、指导地方征信平台按照市场化原则组织专业运营机构做好企业征信机构备案工作。在市场化运营的基础上，逐步拓展平台信息的采集范围，推动涉企信息共享应用，充分发挥平台信息共享机制，帮助金融机构有效破解企业融资过程中信息不对称、不充分的问题。 | 人民银行天津分行 / 市金融局 | 市地方征信平台建设工作领导小组有关成员单位
53 | 11 | 发挥海河产业基金作用，围绕“串链、补链、强链”持续发力，服务我市战略新兴产业发展。 | 市财政局 | 海河产业基金管委会有关成员单位
54 | 11 | 持续发挥滨海产业基金作用，做好已设立的产业、区域母基金的投后管理工作，紧密围绕重点产业链开展资本招商，支持重点产业链项目落地。 | 滨海新区人民政府 | 滨海产业发展基金管委会有关成员单位
55 | 12 | 运用大数据、区块链等技术在公共资源交易中的应用，实现交易、金融、信用、监管数据共享和服务协同。 | 市政务服务办 | 市财政局 / 市住房城乡建设委 / 市交通运输委 / 市规划资源局 / 市水务局 / 市级有关单位
56 | 12 | 大力培育全过程工程咨询服务市场主体，提升工程咨询服务能力。 | 市发展改革委 / 市住房城乡建设委 | 市市场监管委 / 各区人民政府
59 | 12 | 完善招标投标信用监管制度，加强与市信用信息共享平台互联互通，构建信用评价和应用体系，实行信用保证金减免制度。持续推行保函（保险）替代现金保证金工作。 | 市政务服务办 | 市发展改革委 / 市住房城乡建设委 / 市财政局 / 市交通运输委 / 市规划资源局 / 市水务局 / 市级有关单位
67 | 13 | 国家高新技术企业突破11000 家。国家科技型中小企业评价入库10500 家。 | 市科技局 |
68 | 13 | 推进大型科研仪器开放共享平台建设，整合科研仪器资源，纳入共享平台的大型科研仪器数量达到2500 台（套）。 | 市科技局 |
69 | 14 | 持续推进城市基础设施智能化，支持基础电信企业加大5G 通信基础设施建设投入，累计建成5G 基站超过6 万个。 | 市工业和信息化局 | 市通信管理局
71 | 14 | 加快建设天津港口型、空港型国家物流枢纽和天津滨海新区中心渔港国家骨干冷链物流基地，积极推动枢纽和基地内重大物流项目建设，为符合条件的项目争取资金支持。 | 市发展改革委 / 滨海新区人民政府 |
72 | 14 | 加快推进我市巡游出租汽车行业数字化转型，助力巡游出租汽车提升运营效率，加快转型升级，实现出租汽车行业巡网融合发展。 | 市交通运输委 | 市道路运输局
73 | 14 | 推动地方法人银行加强业务流程数字化、标准化建设，通过大数据、云计算等金融科技手段，加强信用信息金融应用，加快建设与数字化转型相匹配的风险控制体系，持续提升地方法人银行数字化运营、获客和风控能力。 | 市金融局 / 人民银行天津分行 / 天津银保监局 |
76 | 15 | 发挥财政资金撬动作用，支持企业扩大肉类、乳品和粮油进口规模，鼓励企业开拓自“一带一路”国家进口渠道，巩固天津口岸肉类、乳品和粮油等进口优势。 | 市商务局 | 市发展改革委 / 市财政局 / 市工业和信息化局 / 市金融局 / 市农业农村委 / 天津海关
78 | 15 | 严格落实《进口冷链食品预防性全面消毒和相关从业人员健康管理工作指引》，筑牢天津口岸进口冷链防线，巩固天津口岸进口冻品优势。 | 市商务局 |
83 | 16 | 持续深化法治化营商环境专项行动。 | | 市委依法治市办
84 | 16 | 梳理涉及营商环境建设典型案例，纳入行政执法“典型差案”和“示范优案”，发挥典型案例的正反面激励作用。 | | 市委依法治市办
87 | 16 | 制定的惠企政策涉及多部门时，明确牵头部门、规定联合办理，切实清除“中梗阻”，打通政策落实“最后一公里”。 | | 市级有关单位 / 各区人民政府
89 | 17 | 实施《天津市公共信息目录（2022 版）》，全面归集各类公共信用信息。 | 市发展改革委 | 市级有关单位 / 各区人民政府
91 | 17 | 持续推动开展行业信用分级分类监管。 | 市发展改革委 | 各有关行业主管（监管）单位
92 | 17 | 持续对31 个市级部门和16 个区开展信用状况监测。 | 市发展改革委 | 市级有关单位 / 各区人民政府
94 | 18 | 持续开展高质量专利创造试点工作，大力培育高价值专利，我市有效发明专利达到5.2 万件。 | 市知识产权局 |
95 | 18 | 指导东丽区、滨海新区国家知识产权运营服务体系试点建设，提升区域知识产权综合运用服务能力和水平，顺利通过国家知识产权局评价验收。 | 市知识产权局 | 东丽区人民政府 / 滨海新区人民政府
98 | 18 | 深入推进知识产权民事、行政和刑事案件“三合一”审判机制改革，探索完善第一审知识产权刑事案件管辖机制，提升知识产权司法保护整体效能。 | 市高级人民法院 |
99 | 19 | 提高失联被告、被执行人送达准确率。通过司法查询、大数据修复或第三方服务等方式，查找失联当事人的联系电话、邮寄地址等个人信息，在依法保护公民个人信息安全前提下，提高司法对合法债权人、权利人的诉讼权利保护力度，依法防范恶意规避责任和承担义务的行为。 | 市高级人民法院 |
101 | 20 | 开展证券期货纠纷案件诉调对接运行现状调研，有针对性地解决诉调对接中存在的问题，加大工作成果、典型案例提炼宣传力度，持续营造“保护中小投资者”浓厚社会氛围。 | 天津证监局 / 市高级人民法院 |
106 | 22 | 完善服务保障体系，为人才提供安居、交通、医疗、子女入学等一揽子服务。 | 市人社局 | 市人才办 / 市住房城乡建设委 / 市交通运输委 / 市卫生健康委 / 市公安局 / 市教委 / 市委人才工作领导小组有关成员单位
107 | 22 | 持续推进十大产业人才创新创业联盟建设，不断优化人才发展环境，加快打造人才高峰高地。 | 市人才办 | 市人社局 / 市委人才工作领导小组有关成员单位
110 | 23 | 充分利用区、街镇、村居三级文化设施网络，办好天津市第八届市民文化艺术节，加大基层群众文化活动开展力度，指导各区开展乡村“村晚”、下基层演出等文化活动，持续推动文化资源向基层和农村倾斜，让广大群众共享文化发展成果。 | 市文化和旅游局 | 各区人民政府
111 | 23 | 出台《天津市公共体育设施布局规划》，建设一批群众身边的体育场地设施，鼓励各级各类组织举办丰富多彩的体育赛事活动。 | 市体育局 |
114 | 23 | 加强基层医疗卫生机构与二、三级医院联动，通过带教、培训等方式，提升基层医疗卫生机构慢病诊疗及管理能力。持续推进基层医疗卫生机构慢病管理中心建设，实现各区至少建成1 家示范慢病管理中心。 | 市卫生健康委 |
117 | 23 | 建设天津智慧教育平台，下设天津中小学智慧教育平台、天津智慧职教平台、天津智慧高教平台、天津24365 大学生就业服务平台4 个子门户平台。 | 市教委 |
121 | 23 | 持续开展“寸草心，手足情”公益创投项目，培训失能老人家庭照护者1000 人。 | 市民政局 |
122 | 24 | 持续推进建设用地土壤污染状况调查、风险评估、风险管控及修复效果评估报告评审。 | 市生态环境局 | 市规划资源局
123 | 24 | 深入开展氮氧化物和挥发性有机物总量减排，持续发挥钢铁行业超低排放改造效益。组织开展企业绩效分级申报、评审、复核等工作，结合绩效分级结果，动态更新应急减排清单。加强重污染天气预测预报，妥善应对重污染天气。 | 市生态环境局 | 各区人民政府
125 | 25 | 优化公交线网，按地铁线路开通运营情况，推进公交轨道便捷换乘。 | 市交通运输委 | 市道路运输局
126 | 25 | 加快建设地铁4 号线北段，7、8、11 号线一期工程，8、11 号线延伸线工程。 | 市住房城乡建设委 | 市级有关单位 / 各区人民政府
127 | 25 | 全力打造“轨道上的京津冀”，建成津兴城际，加快津潍高铁、京滨城际南段、津静线市域（郊）铁路建设。 | 市交通运输委 | 市发展改革委
128 | 25 | 组织编制天津市轨道交通线网规划，推进干线铁路、城际铁路、市域郊铁路、城市轨道交通融合发展，支撑和引导轨道交通与城市空间互动协调发展。 | 市规划资源局 | 市发展改革委 / 市交通运输委
129 | 25 | 推进天津港集疏运专用货运通道建设，加快全线征地拆迁相关工作，推动项目扩大开工面。 | 滨海新区人民政府 / 市交通运输委 | 市发展改革委 / 市规划资源局 / 天津港集团 / 东丽区人民政府
";

/// The 25 categories: number, name, first task.
const CATEGORIES: [(i32, &str, i32); 25] = [
    (1, "优化企业开办服务", 1),
    (2, "提高项目开工建设效率", 4),
    (3, "提升政务服务水平", 8),
    (4, "提高不动产登记效率", 18),
    (5, "完善市场监管机制", 23),
    (6, "加强劳动力市场监管", 27),
    (7, "优化纳税服务", 29),
    (8, "提升企业获得电力服务", 33),
    (9, "提高获得用水用气效率", 35),
    (10, "提升跨境贸易便利度", 37),
    (11, "提升企业融资便利度", 41),
    (12, "深化政府采购和招标投标改革", 55),
    (13, "提升创新创业活跃度", 60),
    (14, "着力培育和发展数字经济", 69),
    (15, "持续提升市场开放度", 75),
    (16, "深入推进法治化营商环境", 83),
    (17, "完善信用体系建设", 88),
    (18, "加强知识产权创造、保护和运用", 94),
    (19, "提高合同执行率", 99),
    (20, "加大对中小投资者保护力度", 101),
    (21, "提高办理企业破产便利度", 104),
    (22, "加大人才引育力度", 106),
    (23, "提高公共服务群众满意度", 110),
    (24, "持续加强生态环境保护", 122),
    (25, "提升城市综合立体交通便利度", 125),
];

const HEADER_WORDS: [&str; 5] = ["序号", "重点任务", "主要内容", "牵头部门", "责任单位"];

fn tianjin() -> ParsedDocument {
    parse_document(TIANJIN).expect("the bundled list parses")
}

fn names(list: &str) -> Vec<String> {
    list.split('/').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned).collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

#[test]
fn the_bundled_list_reads_its_metadata_and_schedule() {
    let doc = tianjin();
    assert_eq!(doc.region, "天津");
    assert_eq!(doc.title, "天津市2023年优化营商环境责任清单");
    assert_eq!(doc.issuer, "天津市政务服务办");
    assert_eq!(doc.issued_on, date(2023, 1, 6));
    assert_eq!(doc.year, 2023);
    let schedule: Vec<(u8, &str, NaiveDate)> =
        doc.schedule.iter().map(|d| (d.quarter, d.label.as_str(), d.due_on)).collect();
    assert_eq!(
        schedule,
        vec![
            (1, "一季度", date(2023, 4, 10)),
            (2, "二季度（半年）", date(2023, 7, 10)),
            (3, "三季度", date(2023, 10, 10)),
            (4, "四季度（全年）", date(2024, 1, 10)),
        ]
    );
}

#[test]
fn the_bundled_list_has_25_categories_with_their_names_and_first_tasks() {
    let doc = tianjin();
    let read: Vec<(i32, &str)> = doc.categories.iter().map(|c| (c.number, c.name.as_str())).collect();
    let expected: Vec<(i32, &str)> = CATEGORIES.iter().map(|(n, name, _)| (*n, *name)).collect();
    assert_eq!(read, expected);
    for (number, _, first_task) in CATEGORIES {
        let first = doc.tasks.iter().find(|t| t.category_number == number).map(|t| t.number);
        assert_eq!(first, Some(first_task), "first task of category {number}");
    }
}

#[test]
fn the_bundled_list_matches_the_rows_read_by_hand() {
    let doc = tianjin();
    let mut pinned = 0;
    for line in PINNED.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        let [number, category, content, leads, responsible] = fields.as_slice() else {
            panic!("a pinned row has five fields: {line}");
        };
        let number: i32 = number.parse().expect("a task number");
        let task = doc.tasks.iter().find(|t| t.number == number).expect("the pinned task exists");
        assert_eq!(task.category_number, category.parse::<i32>().expect("a category number"), "task {number}");
        assert_eq!(task.content, *content, "content of task {number}");
        assert_eq!(task.leads, names(leads), "leads of task {number}");
        assert_eq!(task.responsible, names(responsible), "responsible units of task {number}");
        pinned += 1;
    }
    assert_eq!(pinned, 69);
}

#[test]
fn every_row_of_the_bundled_list_keeps_the_invariants() {
    let doc = tianjin();
    let numbers: Vec<i32> = doc.tasks.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (1..=129).collect::<Vec<_>>());

    let raw: String = TIANJIN.lines().collect();
    let mut last_category = 0;
    for task in &doc.tasks {
        let n = task.number;
        assert!(task.category_number >= last_category, "task {n}: categories never go back");
        if task.category_number != last_category {
            assert_eq!(task.category_number, last_category + 1, "task {n} opens the next category");
        }
        last_category = task.category_number;
        assert!(!task.content.trim().is_empty(), "task {n} has content");
        assert!(!task.leads.is_empty() || !task.responsible.is_empty(), "task {n} names a department");
        assert!(TIANJIN.lines().nth(task.line - 1).is_some_and(|l| l.trim() == n.to_string()), "task {n}: line");
        for cell in cells_of(task) {
            assert!(!cell.contains("# Page"), "task {n}: no page marker in {cell}");
            // Header words may occur in prose (task 87 says 明确牵头部门), but a header that
            // leaked through a page break shows as two header words in a row.
            for pair in HEADER_WORDS.windows(2) {
                assert!(!cell.contains(&pair.concat()), "task {n}: no header in {cell}");
            }
        }
        for name in task.leads.iter().chain(&task.responsible) {
            assert!(raw.contains(name.as_str()), "task {n}: {name} is text of the document");
            assert!(!HEADER_WORDS.contains(&name.as_str()), "task {n}: {name} is not a header word");
            assert!(!separator_outside_quotes(name), "task {n}: {name} is one name");
            assert!(!name.is_empty() && name.trim() == name, "task {n}: “{name}” is trimmed");
        }
    }
    assert_eq!(last_category, 25);
}

fn cells_of(task: &ParsedTask) -> Vec<&str> {
    let mut cells = vec![task.content.as_str()];
    cells.extend(task.leads.iter().chain(&task.responsible).map(String::as_str));
    cells
}

/// Whether a name holds 、 or ， outside “…” and （…）.
fn separator_outside_quotes(name: &str) -> bool {
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '“' | '（' => depth += 1,
            '”' | '）' => depth = depth.saturating_sub(1),
            '、' | '，' if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

// ---- Errors: a line number and what was expected. ----

/// A small, valid list; tests break it in one place.
const SMALL: &str = "# Page 1:
（二）天津
1. 天津市政务服务办关于印发天津市2023 年优化营商环境责任清单的通知（2023 年1 月6 日）
各区人民政府：现将清单印发给你们，请遵照执行。
天津市2023 年优化营商环境责任清单
序号
重点任务
主要内容
牵头部门
责任单位
1
1.优化企业开
办服务
推进电子营业执照在市公共资源
交易平台中的应用。
市市场监管委
市政务服务办、市委
网信办
2
优化“企业注销一窗通”平台功
能，加强部门间数据互通共享。
市市场监管委
市人社局、市委网信
办
3
持续推动行政许可事项标准化。
市政务服务办
市级有关单位
";

fn error_of(text: &str) -> ParseError {
    parse_document(text).expect_err("the text is not a list")
}

#[test]
fn the_small_list_used_by_the_error_tests_parses() {
    let doc = parse_document(SMALL).expect("the small list parses");
    assert_eq!(doc.tasks.len(), 3);
    assert_eq!(doc.tasks.get(1).map(|t| t.responsible.clone()), Some(vec!["市人社局".into(), "市委网信办".into()]));
    assert!(doc.schedule.is_empty());
}

#[test]
fn empty_text_is_an_error_at_line_1() {
    let error = error_of("");
    assert_eq!(error.line, 1);
    assert!(error.message.contains("empty"), "{error}");
    assert_eq!(error_of("\n  \n").line, 1);
}

#[test]
fn garbage_is_an_error_naming_the_missing_region_heading() {
    let error = error_of("lorem ipsum\ndolor sit amet");
    assert_eq!(
        error,
        ParseError {
            line: 1,
            message: "expected the compilation's region heading (e.g. “（二）天津”), found “lorem ipsum”".into()
        }
    );
}

#[test]
fn a_notice_without_a_table_is_an_error() {
    let notice: String = SMALL.lines().take(5).map(|l| format!("{l}\n")).collect();
    assert_eq!(
        error_of(&notice),
        ParseError {
            line: 5, message: "no table header (序号 重点任务 主要内容 牵头部门 责任单位) found".into()
        }
    );
}

#[test]
fn a_gap_in_task_numbers_is_an_error_at_the_wrong_number() {
    let text = SMALL.replace("\n3\n", "\n4\n");
    assert_eq!(error_of(&text), ParseError { line: 25, message: "expected task number 3, found 4".into() });
}

#[test]
fn a_table_not_starting_at_task_1_is_an_error() {
    let text = SMALL.replace("责任单位\n1\n", "责任单位\n2\n");
    assert_eq!(error_of(&text), ParseError { line: 11, message: "expected task number 1, found 2".into() });
}

#[test]
fn a_row_without_a_lead_cell_is_an_error() {
    let text = SMALL.replace("市政务服务办\n市级有关单位\n", "市级有关单位\n");
    assert_eq!(
        error_of(&text),
        ParseError {
            line: 25,
            message: "task 3 has no lead-department cell (牵头部门): after its content there is only one department cell (lines 26-27)".into()
        }
    );
}

#[test]
fn a_category_out_of_order_is_an_error() {
    let text = SMALL.replace("2\n优化“企业注销", "2\n3.优化营商\n环境\n优化“企业注销");
    assert_eq!(
        error_of(&text),
        ParseError {
            line: 20,
            message: "expected key-task category 2 (“2.…”) or a task of category 1, found category 3".into()
        }
    );
}

#[test]
fn a_broken_header_after_a_page_break_is_an_error() {
    let text = SMALL.replace("\n3\n", "\n\n# Page 2:\n重点任务\n主要内容\n3\n");
    assert_eq!(
        error_of(&text),
        ParseError {
            line: 27,
            message: "broken table header: expected 序号 重点任务 主要内容 牵头部门 责任单位 on consecutive lines, found “重点任务”"
                .into()
        }
    );
}

#[test]
fn a_list_title_without_a_year_is_an_error() {
    let text = SMALL.replace("天津市2023 年优化营商环境责任清单\n序号", "天津市优化营商环境责任清单\n序号");
    let error = error_of(&text);
    assert_eq!(error.line, 5);
    assert!(error.message.starts_with("expected the list title with its year"), "{error}");
}

// ---- Another region, issuer and year in the same layout. ----

const SHANGHAI: &str = "
# Page 160:
（三）上海
2. 上海市发展改革委关于印发上海
市2024 年优化营商环境重点任
务清单的通知（2024 年2 月1 日）
各区人民政府，市政府各委、办、局：
现将《上海市2024 年优化营商环境重点任务清单》印发给你们，请认真
贯彻执行。
2024 年2 月1 日
（此件主动公开）
上海市2024 年优化营商环境重点任务清单
序号
重点任务
主要内容
牵头部门
责任单位
1
1.提升企业开
办便利度
全面推行企业开办“一网通办”，
实现营业执照和公章同步发放。
市市场监管局
市公安局、市大数据
中心
2
推进电子营业执照在银行开户等
场景中的应用。
市市场监管局、
人民银行上海
总部
—
3
2.优化跨境贸
易服务
深化“两步申报”改革，推广“提
前申报”模式，压缩货物通关时
上海海关
市商务委、市交通委
等市级有关单位，浦

# Page 161:
序号
重点任务
主要内容
牵头部门
责任单位
间。
东新区人民政府
4
建设国际贸易“单一窗口”4.0
版，新增服务功能20 项。
市商务委
—
";

/// number, category, content, leads, responsible units.
type Row<'a> = (i32, i32, &'a str, Vec<&'a str>, Vec<&'a str>);

#[test]
fn a_list_from_another_region_in_the_same_layout_parses() {
    let doc = parse_document(SHANGHAI).expect("the Shanghai list parses");
    assert_eq!(doc.region, "上海");
    assert_eq!(doc.title, "上海市2024年优化营商环境重点任务清单");
    assert_eq!(doc.issuer, "上海市发展改革委");
    assert_eq!(doc.issued_on, date(2024, 2, 1));
    assert_eq!(doc.year, 2024);
    assert!(doc.schedule.is_empty());
    let categories: Vec<(i32, &str)> = doc.categories.iter().map(|c| (c.number, c.name.as_str())).collect();
    assert_eq!(categories, vec![(1, "提升企业开办便利度"), (2, "优化跨境贸易服务")]);
    let rows: Vec<Row<'_>> = doc
        .tasks
        .iter()
        .map(|t| {
            (
                t.number,
                t.category_number,
                t.content.as_str(),
                t.leads.iter().map(String::as_str).collect(),
                t.responsible.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                1,
                1,
                "全面推行企业开办“一网通办”，实现营业执照和公章同步发放。",
                vec!["市市场监管局"],
                vec!["市公安局", "市大数据中心"]
            ),
            (2, 1, "推进电子营业执照在银行开户等场景中的应用。", vec!["市市场监管局", "人民银行上海总部"], vec![]),
            (
                3,
                2,
                "深化“两步申报”改革，推广“提前申报”模式，压缩货物通关时间。",
                vec!["上海海关"],
                vec!["市商务委", "市交通委", "市级有关单位", "浦东新区人民政府"]
            ),
            (4, 2, "建设国际贸易“单一窗口”4.0版，新增服务功能20 项。", vec!["市商务委"], vec![]),
        ]
    );
}

#[test]
fn the_parser_finds_exactly_the_departments_whose_kinds_are_pinned() {
    use std::collections::BTreeSet;
    let parsed: BTreeSet<String> =
        tianjin().tasks.iter().flat_map(|t| t.leads.iter().chain(&t.responsible)).cloned().collect();
    let pinned: BTreeSet<String> =
        crate::import::kind::BUNDLED_DEPARTMENT_KINDS.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(parsed, pinned, "parsed department names differ from the pinned kind table");
    for (name, kind) in crate::import::kind::BUNDLED_DEPARTMENT_KINDS {
        assert_eq!(crate::import::kind::department_kind(name), *kind, "{name}");
    }
}
