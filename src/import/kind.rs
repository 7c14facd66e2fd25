//! The kind of a department, read from its name.
//!
//! Responsibility lists name departments by their usual short names (市发展改革委, 天津海关,
//! 各区人民政府), and the naming conventions of Chinese public bodies are regular enough that a
//! few ordered rules classify them; the rules are written for any region, not for Tianjin.
//! Names whose kind the wording does not reveal go in [`OVERRIDES`], each with its reason.
//!
//! Judgement calls, kept here so the next reader does not redo them:
//! - Zone administrative committees (东疆综合保税区管委会) are GOVERNMENT_AGENCY: a 管委会 is
//!   an agency the government sends to run a zone; it is not a level of government with its
//!   own people's congress, which is what DISTRICT_GOVERNMENT stands for.
//! - People's organizations the government works through (市工商联, 市贸促会) are
//!   GOVERNMENT_AGENCY: the model has no kind for them, they report like agencies, and calling
//!   them PARTY_ORGAN or COLLECTIVE would be wrong in a way that changes who reports.
//! - Drug regulators (市药监局) stay GOVERNMENT_AGENCY: since 2018 provincial drug
//!   administrations are municipal/provincial bodies, not branches of 国家药监局, so 药监局 is
//!   deliberately absent from the vertical suffixes below.

use entity::DepartmentKind;

/// Names whose kind their wording does not give away; exact names, with the reason for each.
const OVERRIDES: &[(&str, DepartmentKind)] = &[
    // 市委人才工作领导小组办公室: the short name drops the 市委 that the rules look for.
    ("市人才办", DepartmentKind::PartyOrgan),
];

/// Suffixes of central-government branches in a region (垂直管理): customs, the securities,
/// banking and maritime regulators, tax (国家税务总局 has run every tax bureau since 2018),
/// telecoms and postal regulators, meteorology, the statistics survey teams, border control.
const VERTICAL_SUFFIXES: &[&str] = &[
    "海关",
    "证监局",
    "银保监局",
    "银保监分局",
    "银监局",
    "保监局",
    "海事局",
    "税务局",
    "通信管理局",
    "邮政管理局",
    "气象局",
    "调查总队",
    "调查队",
    "边防检查总站",
];

/// Words that name a central bank or regulator branch wherever they occur in the name.
const VERTICAL_INFIXES: &[&str] = &["人民银行", "外汇管理局", "金融监管总局", "金融监督管理总局"];

/// Endings of enterprises. Banks other than the central bank are enterprises too, and the
/// model has a single enterprise kind, so they land here.
const ENTERPRISE_SUFFIXES: &[&str] = &["集团", "公司", "机场", "银行", "分行", "支行"];

/// Words that only Party bodies carry (the 市委/区委 prefix is handled by [`is_party_prefix`]).
const PARTY_INFIXES: &[&str] = &["党委", "党组", "纪委", "组织部", "宣传部", "统战部", "政法委"];

/// Administrative levels that come right before 委 in a Party committee's name (市委, 区委).
const LEVELS: &[char] = &['省', '市', '区', '县', '州', '旗'];

/// Characters that end an institution's name; a place name before 市委 never contains them,
/// so "天津市委网信办" is a Party organ and a body merely containing 市委 later is not.
const INSTITUTION_CHARS: &[char] = &['委', '局', '办', '厅', '部', '会', '院', '司', '心', '团'];

/// The kind of the department called `name` (whitespace in the name is ignored).
///
/// Rules, first match wins: override table, collective placeholder, court or procuratorate,
/// central-government branch, enterprise, Party organ, named local government, other
/// 国家… body (a central body), and otherwise a government agency.
pub fn department_kind(name: &str) -> DepartmentKind {
    let name: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    let name = name.as_str();
    if let Some((_, kind)) = OVERRIDES.iter().find(|(n, _)| *n == name) {
        return *kind;
    }
    if is_collective_name(name) {
        DepartmentKind::Collective
    } else if ["法院", "检察院", "法庭"].iter().any(|s| name.ends_with(s)) {
        DepartmentKind::JudicialOrgan
    } else if VERTICAL_SUFFIXES.iter().any(|s| name.ends_with(s)) || VERTICAL_INFIXES.iter().any(|s| name.contains(s)) {
        DepartmentKind::VerticalAgency
    } else if ENTERPRISE_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        DepartmentKind::StateEnterprise
    } else if name.starts_with("中共")
        || name.starts_with("中国共产党")
        || PARTY_INFIXES.iter().any(|s| name.contains(s))
        || is_party_prefix(name)
    {
        DepartmentKind::PartyOrgan
    } else if is_named_local_government(name) {
        DepartmentKind::DistrictGovernment
    } else if name.starts_with("国家") {
        // 国家统计局天津调查总队, 国家外汇管理局天津市分局 …: branches of central bodies whose
        // suffix the list above does not know. Enterprises (国家电网…公司) were caught earlier.
        DepartmentKind::VerticalAgency
    } else {
        DepartmentKind::GovernmentAgency
    }
}

/// Whether `name` is a collective placeholder (市级有关单位, 各区人民政府, "…有关成员单位"):
/// a group of departments that appears in views but never reports and never signs in.
pub fn is_collective(name: &str) -> bool {
    department_kind(name) == DepartmentKind::Collective
}

/// 各… and 有关…/相关… name groups, not bodies; "…成员单位" are the members of a committee.
fn is_collective_name(name: &str) -> bool {
    name.starts_with('各')
        || name.starts_with("相关")
        || name.contains("有关")
        || name.ends_with("成员单位")
        || name.ends_with("相关单位")
        || name.ends_with("相关部门")
}

/// 市委…, 区委…, "天津市委…", "滨海新区委…": a level character followed by 委 (and not by
/// 委员会, which ends government committees too), preceded only by a place name.
fn is_party_prefix(name: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    chars.windows(2).enumerate().any(|(i, pair)| {
        matches!(pair, [level, '委'] if LEVELS.contains(level))
            && chars.get(i + 2) != Some(&'员')
            && !chars.iter().take(i).any(|c| INSTITUTION_CHARS.contains(c))
    })
}

/// "滨海新区人民政府", "浦东新区政府", "某县人民政府": the government of a named place below
/// the list's issuer. A bare "市人民政府" names no place and stays a government agency.
fn is_named_local_government(name: &str) -> bool {
    let Some(place) = name.strip_suffix("人民政府").or_else(|| name.strip_suffix("政府")) else {
        return false;
    };
    let mut chars = place.chars().rev();
    matches!(chars.next(), Some('区' | '县' | '市' | '旗' | '州' | '盟')) && chars.next().is_some()
}

/// Every department named in the lead (牵头部门) and responsible (责任单位) cells of
/// data/tianjin-2023-responsibility-list.txt, rejoined across line and page breaks, with
/// "X等Y有关单位" read as X and Y. The parser's tests check that it finds exactly these.
#[cfg(test)]
pub(crate) const BUNDLED_DEPARTMENT_KINDS: &[(&str, DepartmentKind)] = &[
    ("市市场监管委", DepartmentKind::GovernmentAgency),
    ("市政务服务办", DepartmentKind::GovernmentAgency),
    ("市大数据管理中心", DepartmentKind::GovernmentAgency),
    ("市人社局", DepartmentKind::GovernmentAgency),
    ("市住房城乡建设委", DepartmentKind::GovernmentAgency),
    ("市发展改革委", DepartmentKind::GovernmentAgency),
    ("市规划资源局", DepartmentKind::GovernmentAgency),
    ("市财政局", DepartmentKind::GovernmentAgency),
    ("市交通运输委", DepartmentKind::GovernmentAgency),
    ("市城市管理委", DepartmentKind::GovernmentAgency),
    ("市水务局", DepartmentKind::GovernmentAgency),
    ("市公用事业局", DepartmentKind::GovernmentAgency),
    ("市公安局", DepartmentKind::GovernmentAgency),
    ("市医保局", DepartmentKind::GovernmentAgency),
    ("市公积金管理中心", DepartmentKind::GovernmentAgency),
    ("市金融局", DepartmentKind::GovernmentAgency),
    ("市生态环境局", DepartmentKind::GovernmentAgency),
    ("市应急局", DepartmentKind::GovernmentAgency),
    ("市药监局", DepartmentKind::GovernmentAgency),
    ("市工业和信息化局", DepartmentKind::GovernmentAgency),
    ("市商务局", DepartmentKind::GovernmentAgency),
    ("市工商联", DepartmentKind::GovernmentAgency),
    ("市农业农村委", DepartmentKind::GovernmentAgency),
    ("市科技局", DepartmentKind::GovernmentAgency),
    ("市道路运输局", DepartmentKind::GovernmentAgency),
    ("市司法局", DepartmentKind::GovernmentAgency),
    ("市知识产权局", DepartmentKind::GovernmentAgency),
    ("市贸促会", DepartmentKind::GovernmentAgency),
    ("市卫生健康委", DepartmentKind::GovernmentAgency),
    ("市教委", DepartmentKind::GovernmentAgency),
    ("市文化和旅游局", DepartmentKind::GovernmentAgency),
    ("市体育局", DepartmentKind::GovernmentAgency),
    ("市民政局", DepartmentKind::GovernmentAgency),
    ("东疆综合保税区管委会", DepartmentKind::GovernmentAgency),
    ("市委网信办", DepartmentKind::PartyOrgan),
    ("市委依法治市办", DepartmentKind::PartyOrgan),
    ("市人才办", DepartmentKind::PartyOrgan),
    ("滨海新区人民政府", DepartmentKind::DistrictGovernment),
    ("东丽区人民政府", DepartmentKind::DistrictGovernment),
    ("市税务局", DepartmentKind::VerticalAgency),
    ("人民银行天津分行", DepartmentKind::VerticalAgency),
    ("天津海事局", DepartmentKind::VerticalAgency),
    ("天津银保监局", DepartmentKind::VerticalAgency),
    ("天津证监局", DepartmentKind::VerticalAgency),
    ("天津海关", DepartmentKind::VerticalAgency),
    ("市通信管理局", DepartmentKind::VerticalAgency),
    ("国网天津市电力公司", DepartmentKind::StateEnterprise),
    ("天津水务集团", DepartmentKind::StateEnterprise),
    ("天津能源集团", DepartmentKind::StateEnterprise),
    ("天津港集团", DepartmentKind::StateEnterprise),
    ("天津滨海国际机场", DepartmentKind::StateEnterprise),
    ("市高级人民法院", DepartmentKind::JudicialOrgan),
    ("市级有关单位", DepartmentKind::Collective),
    ("各区人民政府", DepartmentKind::Collective),
    ("有关区人民政府", DepartmentKind::Collective),
    ("各有关行业主管（监管）单位", DepartmentKind::Collective),
    ("市“双随机、一公开”监管联席会议有关成员单位", DepartmentKind::Collective),
    ("市工程建设项目审批制度改革试点工作领导小组有关成员单位", DepartmentKind::Collective),
    ("市地方征信平台建设工作领导小组有关成员单位", DepartmentKind::Collective),
    ("海河产业基金管委会有关成员单位", DepartmentKind::Collective),
    ("滨海产业发展基金管委会有关成员单位", DepartmentKind::Collective),
    ("市委人才工作领导小组有关成员单位", DepartmentKind::Collective),
];

#[cfg(test)]
mod tests {
    use super::*;
    use DepartmentKind::*;

    #[test]
    fn every_department_of_the_bundled_document_has_its_pinned_kind() {
        assert_eq!(BUNDLED_DEPARTMENT_KINDS.len(), 62);
        for (name, kind) in BUNDLED_DEPARTMENT_KINDS {
            assert_eq!(department_kind(name), *kind, "{name}");
            assert_eq!(is_collective(name), *kind == Collective, "{name}");
        }
    }

    fn assert_kinds(cases: &[(&str, DepartmentKind)]) {
        for (name, kind) in cases {
            assert_eq!(department_kind(name), *kind, "{name}");
        }
    }

    #[test]
    fn branches_of_central_bodies_in_other_regions_are_vertical() {
        assert_kinds(&[
            ("上海海关", VerticalAgency),
            ("北京证监局", VerticalAgency),
            ("江苏银保监局", VerticalAgency),
            ("人民银行上海分行", VerticalAgency),
            ("中国人民银行广州分行", VerticalAgency),
            ("国家税务总局上海市税务局", VerticalAgency),
            ("广东省通信管理局", VerticalAgency),
            ("国家统计局北京调查总队", VerticalAgency),
            ("国家外汇管理局上海市分局", VerticalAgency),
            ("上海市药品监管局", GovernmentAgency),
            ("上海市市场监管局", GovernmentAgency),
        ]);
    }

    #[test]
    fn named_local_governments_are_district_governments_and_groups_are_collective() {
        assert_kinds(&[
            ("浦东新区人民政府", DistrictGovernment),
            ("海淀区政府", DistrictGovernment),
            ("崇明区 人民政府", DistrictGovernment),
            ("昆山市人民政府", DistrictGovernment),
            ("市人民政府", GovernmentAgency),
            ("各区政府", Collective),
            ("各区县人民政府", Collective),
            ("有关区政府", Collective),
            ("市有关部门", Collective),
            ("相关单位", Collective),
            ("市优化营商环境工作领导小组成员单位", Collective),
        ]);
    }

    #[test]
    fn party_courts_and_enterprises_are_told_apart_from_agencies() {
        assert_kinds(&[
            ("中共上海市委宣传部", PartyOrgan),
            ("北京市委网信办", PartyOrgan),
            ("浦东新区区委组织部", PartyOrgan),
            ("市纪委监委", PartyOrgan),
            ("区委", PartyOrgan),
            ("天津市委", PartyOrgan),
            ("市农业农村委", GovernmentAgency),
            ("市经济和信息化委员会", GovernmentAgency),
            ("上海市高级人民法院", JudicialOrgan),
            ("北京市人民检察院", JudicialOrgan),
            ("上海海事法院", JudicialOrgan),
            ("上海机场集团", StateEnterprise),
            ("国网上海市电力公司", StateEnterprise),
            ("北京首都国际机场", StateEnterprise),
            ("国家开发银行上海分行", StateEnterprise),
            ("上海市贸促会", GovernmentAgency),
            ("", GovernmentAgency),
        ]);
    }
}
