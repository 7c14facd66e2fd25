//! The targets of the bundled document (data/tianjin-2023-responsibility-list.txt), read by
//! hand. The task texts are copied from the document with the line breaks removed (split
//! numbers rejoined, PDF spaces kept), so this test does not depend on the document parser.
//! Every task whose text holds an Arabic digit is here (16 with targets, 7 without), plus
//! task 110, whose numbers are Chinese numerals.

use super::Comparator::{AtLeast, Exactly};
use super::*;

/// (task number, task text, expected (value, unit, comparator, phrase) in text order).
type Case = (u32, &'static str, &'static [(f64, &'static str, Comparator, &'static str)]);

/// Every task of the bundled document that has a quantitative target.
const TASKS_WITH_TARGETS: &[Case] = &[
    (
        41,
        "扩大“津心融”平台覆盖面，争取接入平台金融机构达到90 家，推动开设特色服务专区，持续组织常态化对接，提升对接服务精准性。",
        &[(90.0, "家", AtLeast, "达到90 家")],
    ),
    (
        43,
        "发挥直接融资作用，支持企业抢抓科创板、创业板、北交所注册制改革机遇，利用多层次资本市场助力企业做强做优做大，争取实现境内外上市公司达到99 家。",
        &[(99.0, "家", AtLeast, "达到99 家")],
    ),
    (
        61,
        "加大对“专精特新”中小企业的服务指导，力争新增国家专精特新“小巨人”企业50 家。",
        &[(50.0, "家", Exactly, "50 家")],
    ),
    (63, "推动创业创新服务载体建设，培育国家小型微型企业创业创新示范基地4 家。", &[(4.0, "家", Exactly, "4 家")]),
    (
        66,
        "推进孵化机构高质量发展，加强调研帮扶和分类指导，开展专题培训活动10 期以上，提升孵化机构从业人员专业能力。",
        &[(10.0, "期", AtLeast, "10 期以上")],
    ),
    (
        67,
        "国家高新技术企业突破11000 家。国家科技型中小企业评价入库10500 家。",
        &[(11000.0, "家", AtLeast, "突破11000 家"), (10500.0, "家", Exactly, "10500 家")],
    ),
    (
        68,
        "推进大型科研仪器开放共享平台建设，整合科研仪器资源，纳入共享平台的大型科研仪器数量达到2500 台（套）。",
        &[(2500.0, "台（套）", AtLeast, "达到2500 台（套）")],
    ),
    (
        69,
        "持续推进城市基础设施智能化，支持基础电信企业加大5G 通信基础设施建设投入，累计建成5G 基站超过6 万个。",
        &[(60000.0, "个", AtLeast, "超过6 万个")],
    ),
    (
        94,
        "持续开展高质量专利创造试点工作，大力培育高价值专利，我市有效发明专利达到5.2 万件。",
        &[(52000.0, "件", AtLeast, "达到5.2 万件")],
    ),
    (
        96,
        "推动新一代信息技术和新材料领域专利快速预审、快速维权，保护中心备案企业达到1500 家、专利快速预审2000 件、知识产权维权案件200 件、开展专利导航3 项。",
        &[
            (1500.0, "家", AtLeast, "达到1500 家"),
            (2000.0, "件", Exactly, "2000 件"),
            (200.0, "件", Exactly, "200 件"),
            (3.0, "项", Exactly, "3 项"),
        ],
    ),
    (
        109,
        "实施专业技术人才知识更新工程，全年培训高层次、急需紧缺和骨干专业技术人才1 万名。",
        &[(10000.0, "名", Exactly, "1 万名")],
    ),
    (
        114,
        "加强基层医疗卫生机构与二、三级医院联动，通过带教、培训等方式，提升基层医疗卫生机构慢病诊疗及管理能力。持续推进基层医疗卫生机构慢病管理中心建设，实现各区至少建成1 家示范慢病管理中心。",
        &[(1.0, "家", AtLeast, "至少建成1 家")],
    ),
    (115, "全市新增10 家基层医疗卫生机构成为国家验收合格的胸痛救治单元。", &[(10.0, "家", Exactly, "10 家")]),
    (
        116,
        "依托19 个院校联盟推进1+X 证书制度试点工作，组织院校联盟成员单位修订人才培养方案200 个。",
        &[(200.0, "个", Exactly, "200 个")],
    ),
    (120, "建设30 个养老服务综合体（含嵌入式养老服务机构），提高乡镇级覆盖率。", &[(30.0, "个", Exactly, "30 个")]),
    (
        121,
        "持续开展“寸草心，手足情”公益创投项目，培训失能老人家庭照护者1000 人。",
        &[(1000.0, "人", Exactly, "1000 人")],
    ),
];

/// Tasks whose digits are names, years, ordinals or counts of scope, not targets.
const TASKS_WITHOUT_TARGETS: &[(u32, &str)] = &[
    (
        16,
        "提升天津12345 政务服务便民热线服务质量，推进12345 政务服务便民热线与110 报警服务台系统对接，相关数据共享，扩充热线知识库信息。",
    ),
    (30, "围绕智慧税务建设，开发完善货劳监控管理2.0 系统功能模块，优化发票服务举措。"),
    (89, "实施《天津市公共信息目录（2022 版）》，全面归集各类公共信用信息。"),
    // 31 个市级部门 and 16 个区 are whom the monitoring covers, not a number to reach.
    (92, "持续对31 个市级部门和16 个区开展信用状况监测。"),
    (93, "对各区开展2022 年度政务诚信建设情况第三方评价。"),
    // The four sub-portals are the four just listed: a description of the platform.
    (
        117,
        "建设天津智慧教育平台，下设天津中小学智慧教育平台、天津智慧职教平台、天津智慧高教平台、天津24365 大学生就业服务平台4 个子门户平台。",
    ),
    (126, "加快建设地铁4 号线北段，7、8、11 号线一期工程，8、11 号线延伸线工程。"),
    // Chinese numerals only (三级, 第八届): not read.
    (
        110,
        "充分利用区、街镇、村居三级文化设施网络，办好天津市第八届市民文化艺术节，加大基层群众文化活动开展力度，指导各区开展乡村“村晚”、下基层演出等文化活动，持续推动文化资源向基层和农村倾斜，让广大群众共享文化发展成果。",
    ),
];

#[test]
fn every_target_of_the_bundled_document_is_found_as_read_by_hand() {
    let mut total = 0;
    for (number, text, expected) in TASKS_WITH_TARGETS {
        let found = extract_indicators(text);
        let found: Vec<_> =
            found.iter().map(|i| (i.target_value, i.unit.as_str(), i.comparator, i.phrase.as_str())).collect();
        assert_eq!(found, expected.to_vec(), "task {number}");
        total += found.len();
    }
    assert_eq!((TASKS_WITH_TARGETS.len(), total), (16, 20));
}

#[test]
fn each_target_of_the_bundled_document_keeps_its_sentence() {
    let sentence_of = |task: u32, at: usize| {
        let text = TASKS_WITH_TARGETS.iter().find(|case| case.0 == task).map_or("", |case| case.1);
        extract_indicators(text).get(at).map(|i| i.sentence.clone())
    };
    assert_eq!(sentence_of(67, 1).as_deref(), Some("国家科技型中小企业评价入库10500 家"));
    assert_eq!(
        sentence_of(96, 3).as_deref(),
        Some(
            "推动新一代信息技术和新材料领域专利快速预审、快速维权，保护中心备案企业达到1500 家、专利快速预审2000 件、知识产权维权案件200 件、开展专利导航3 项"
        )
    );
    assert_eq!(
        sentence_of(114, 0).as_deref(),
        Some("持续推进基层医疗卫生机构慢病管理中心建设，实现各区至少建成1 家示范慢病管理中心")
    );
}

#[test]
fn tasks_of_the_bundled_document_with_only_non_target_numbers_give_none() {
    for (number, text) in TASKS_WITHOUT_TARGETS {
        assert_eq!(extract_indicators(text), Vec::new(), "task {number}");
    }
}
