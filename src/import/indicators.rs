//! Quantitative targets (指标) in a task's text: "国家高新技术企业突破11000 家" is a target of
//! at least 11000 家.
//!
//! A target is a number followed by a unit (家, 个, 件, 名, 台（套）, %, 个工作日 …, optionally
//! scaled by 万 or 亿). Whether it is a target rather than context depends on the words around
//! it, read clause by clause (a clause ends at ，：。；):
//!
//! - A comparator word makes it a target: 达到/突破/超过/不少于/至少 … before it, or 以上
//!   after it, give AT_LEAST; 不超过/控制在/压缩至 … before it, or 以内/以下 after it, AT_MOST.
//!   A delivery verb may stand between the comparator and the number ("至少建成1 家"). A
//!   comparator governs only the number it touches: in "达到1500 家、专利快速预审2000 件" the
//!   second count is read as bare, since carrying 达到 across a 、 list would guess at the
//!   drafter's intent.
//! - A bare count is a target (EXACTLY) when it is what a delivery verb earlier in its clause
//!   produces (新增/建成/建设/培育/培训/修订/开展 …: "力争新增…企业50 家", "修订…方案200 个"),
//!   or when it closes its clause ("…入库10500 家。"). "力争" (strive to) is not a comparator.
//! - A count governed by a preposition after the last such verb is context, not a target: "对31
//!   个市级部门和16 个区开展…监测" counts whom the work covers, "依托19 个院校联盟推进…"
//!   names the means. A count that neither follows a verb nor closes its clause is context too:
//!   "下设…天津24365 大学生就业服务平台4 个子门户平台" restates how many portals it just listed.
//! - Numbers that are not quantities are never read: years and dates (2023 年, 2022 年度, 4 月10
//!   日), ordinals (第8 届), names and codes (12345 政务服务便民热线, 110 报警, 2.0 系统, 5G, 4
//!   号线, 1+X, （2022 版）). None of them is followed by a unit, and a number glued to a Latin
//!   letter or preceded by 第 is skipped. Ranges ("3-5 家") are skipped rather than guessed.
//!   Chinese numerals (十大产业, 三级医院, 一件事一次办) name things in these lists; only Arabic
//!   digits are read.

/// How the text bounds a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// The value is a floor (达到, 突破, 超过, 不少于, 至少, …以上).
    AtLeast,
    /// The value is a ceiling (不超过, 控制在, …以内, …以下).
    AtMost,
    /// A bare count (新增…50 家).
    Exactly,
}

impl Comparator {
    /// The stored and API spelling: "AT_LEAST", "AT_MOST" or "EXACTLY".
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::AtLeast => "AT_LEAST",
            Comparator::AtMost => "AT_MOST",
            Comparator::Exactly => "EXACTLY",
        }
    }
}

/// One quantitative target read from a task's text.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedIndicator {
    /// The number with 万/亿 applied: "超过6 万个" → 60000.0, "5.2 万件" → 52000.0.
    pub target_value: f64,
    /// The counting unit as written, without 万/亿: 家, 个, 件, 名, 台（套）, % ….
    pub unit: String,
    /// Whether the value is a floor, a ceiling or an exact count.
    pub comparator: Comparator,
    /// The phrase exactly as in the text, comparator included: "突破11000 家", "10 期以上".
    pub phrase: String,
    /// The sentence it came from (the text between 。/；), trimmed.
    pub sentence: String,
}

/// Comparator words written before the number that make it a floor. The longest word that
/// matches wins, so 不少于 is never read as 少于, nor 不超过 as 超过.
const AT_LEAST_WORDS: &str = "达到 突破 超过 不少于 至少 不低于 不小于 多于 高于 大于 增至 \
    提高到 提高至 提升到 提升至 增加到 增加至";

/// Comparator words written before the number that make it a ceiling.
const AT_MOST_WORDS: &str = "不超过 不高于 不多于 不大于 控制在 压缩至 压缩到 压减至 压减到 \
    缩短至 缩短到 减少至 减少到 降低至 降低到 降至 低于 少于";

/// Comparator words written after the unit ("10 期以上"); the longest that matches wins.
const SUFFIX_COMPARATORS: &[(&str, Comparator)] = &[
    ("及以上", Comparator::AtLeast),
    ("及以下", Comparator::AtMost),
    ("以上", Comparator::AtLeast),
    ("以内", Comparator::AtMost),
    ("以下", Comparator::AtMost),
];

/// Verbs whose object is something delivered, so that a count after them is a target.
const DELIVERY_VERBS: &str = "新增 新建 建成 建设 建立 设立 培育 培训 培养 修订 制定 开展 举办 \
    组织 完成 打造 创建 认定 评定 遴选 引进 招引 入库 发放 改造 推出 实施 签约 开通 接入 吸引 \
    增加 办理";

/// Prepositions that make the count after them the scope or means of the work.
const PREPOSITIONS: &str = "依托 针对 面向 围绕 依据 按照 根据 通过 对于";

/// Counting and measuring units; the longest that matches wins (个工作日 over 个).
const UNITS: &str = "家 个 件 名 期 项 人 所 台 套 台（套） 台(套) 台套 户 座 条 次 场 批 类 份 \
    张 笔 支 种 人次 户次 件次 场次 个月 天 个工作日 工作日 小时 分钟 个百分点 % ％ 元 吨 辆 亩 \
    米 公里 千米 平方米 平方公里";

/// Words that begin with a unit's character but are not units ("12345 人民热线").
const NOT_UNITS: &str = "人民 家庭 家属 个人 个体 名单 名称 名义 名录 期间 期限 项目 所有 所在 \
    所属 台账 户籍 户口 座谈 条件 条例 次要 场所 场景 场地 批准 批复 类型 类别 份额 支持 支付 \
    种植 天津 天然 元素";

/// Every quantitative target in `content` (a task's text, line breaks removed), in text order.
pub fn extract_indicators(content: &str) -> Vec<ParsedIndicator> {
    let mut found = Vec::new();
    for sentence in content.split(['。', '；', ';', '！', '？', '!', '?']) {
        let sentence = sentence.trim();
        for clause in sentence.split(['，', '：', ':']) {
            let mut from = 0;
            while let Some((start, end)) = next_number(clause, from) {
                from = end;
                if let Some(indicator) = read_target(clause, start, end, sentence) {
                    found.push(indicator);
                }
            }
        }
    }
    found
}

/// Byte range of the next number at or after `from`: digits, an optional "," thousands group
/// of three, an optional decimal part. Only ASCII bytes are inspected, and they never occur
/// inside a multi-byte character, so every index returned is a character boundary.
fn next_number(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let digits_from = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let start = from + bytes.get(from..)?.iter().position(u8::is_ascii_digit)?;
    let mut end = digits_from(start);
    while bytes.get(end) == Some(&b',') && digits_from(end + 1) == end + 4 {
        end += 4;
    }
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits_from(end + 1);
    }
    Some((start, end))
}

/// The target whose number is `clause[start..end]`, if the words around it make it one.
fn read_target(clause: &str, start: usize, end: usize, sentence: &str) -> Option<ParsedIndicator> {
    let before = clause.get(..start)?;
    // 第8 届, G20, PM2.5, 1+X, 3-5 家: ordinals, codes and ranges, not counts.
    if before.trim_end().chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || "第.,+-－/~～—".contains(c))
    {
        return None;
    }
    let mut cursor = skip_spaces(clause, end);
    let multiplier = clause.get(cursor..)?.chars().next();
    let exponent = match multiplier {
        Some('万') => 4,
        Some('亿') => 8,
        _ => 0,
    };
    if let Some(c) = multiplier.filter(|_| exponent > 0) {
        cursor = skip_spaces(clause, cursor + c.len_utf8());
    }
    let after_number = clause.get(cursor..)?;
    if NOT_UNITS.split_whitespace().any(|word| after_number.starts_with(word)) {
        return None;
    }
    let unit = longest_prefix(after_number, UNITS.split_whitespace().map(|unit| (unit, ())))?.0;
    let mut phrase_end = cursor + unit.len();
    let after_unit = skip_spaces(clause, phrase_end);
    let suffix = longest_prefix(clause.get(after_unit..)?, SUFFIX_COMPARATORS.iter().copied());
    if let Some((word, _)) = suffix {
        phrase_end = after_unit + word.len();
    }
    let prefix = prefix_comparator(before);
    let comparator = match (prefix, suffix) {
        (Some((comparator, _)), _) | (None, Some((_, comparator))) => comparator,
        (None, None) => {
            let closes_clause =
                clause.get(phrase_end..)?.trim_start().chars().next().is_none_or(|c| "、）)”’".contains(c));
            let verb_end = last_verb_end(before);
            let scope = before.get(verb_end.unwrap_or(0)..)?;
            if !(verb_end.is_some() || closes_clause) || has_preposition(scope) {
                return None;
            }
            Comparator::Exactly
        }
    };
    let phrase_start = prefix.map_or(start, |(_, at)| at);
    Some(ParsedIndicator {
        target_value: scaled_value(clause.get(start..end)?, exponent)?,
        unit: unit.to_string(),
        comparator,
        phrase: clause.get(phrase_start..phrase_end)?.to_string(),
        sentence: sentence.to_string(),
    })
}

/// The byte index after any whitespace at `at` (the PDF keeps spaces: "达到90 家").
fn skip_spaces(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or_default();
    at + rest.len() - rest.trim_start().len()
}

/// Every prefix comparator word with the comparator it gives.
fn comparator_words() -> impl Iterator<Item = (&'static str, Comparator)> {
    let at_least = AT_LEAST_WORDS.split_whitespace().map(|w| (w, Comparator::AtLeast));
    at_least.chain(AT_MOST_WORDS.split_whitespace().map(|w| (w, Comparator::AtMost)))
}

/// The comparator that `before` ends with and where its word starts, allowing one delivery
/// verb between it and the number ("至少建成1 家").
fn prefix_comparator(before: &str) -> Option<(Comparator, usize)> {
    let ending = |text: &str| {
        let text = text.trim_end();
        let (word, comparator) =
            comparator_words().filter(|(word, _)| text.ends_with(word)).max_by_key(|(word, _)| word.len())?;
        Some((comparator, text.len() - word.len()))
    };
    ending(before).or_else(|| {
        let trimmed = before.trim_end();
        let mut verbs = DELIVERY_VERBS.split_whitespace();
        ending(verbs.find_map(|verb| trimmed.strip_suffix(verb))?)
    })
}

/// The longest of `words` that `text` starts with, with its payload.
fn longest_prefix<T>(text: &str, words: impl Iterator<Item = (&'static str, T)>) -> Option<(&'static str, T)> {
    words.filter(|(word, _)| text.starts_with(word)).max_by_key(|(word, _)| word.len())
}

/// Byte index just after the last delivery verb or comparator word in `before`.
fn last_verb_end(before: &str) -> Option<usize> {
    DELIVERY_VERBS
        .split_whitespace()
        .chain(comparator_words().map(|(word, _)| word))
        .filter_map(|word| before.rfind(word).map(|at| at + word.len()))
        .max()
}

/// Whether `scope` (the text between the governing verb and the number) holds a preposition.
/// A lone 对 counts unless it is part of a word such as 对接, 对标, 针对 or 面对.
fn has_preposition(scope: &str) -> bool {
    if PREPOSITIONS.split_whitespace().any(|word| scope.contains(word)) {
        return true;
    }
    let chars: Vec<char> = scope.chars().collect();
    chars.iter().enumerate().any(|(i, c)| {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p));
        let next = chars.get(i + 1);
        *c == '对'
            && !prev.is_some_and(|p| "应面针相绝核反".contains(*p))
            && !next.is_some_and(|n| "接标外口象话比照应称".contains(*n))
    })
}

/// `number` ("5.2", "11,000") times 10^`exponent`, by moving the decimal point in the digits
/// so that 5.2 万 is exactly 52000.0 rather than 5.2 × 10000 in floating point.
fn scaled_value(number: &str, exponent: usize) -> Option<f64> {
    let number = number.replace(',', "");
    let (whole, fraction) = number.split_once('.').unwrap_or((&number, ""));
    let shift = exponent.min(fraction.len());
    let mut digits = format!("{whole}{}", fraction.get(..shift)?);
    digits.extend(std::iter::repeat_n('0', exponent - shift));
    let rest = fraction.get(shift..)?;
    if !rest.is_empty() {
        digits = format!("{digits}.{rest}");
    }
    digits.parse::<f64>().ok().filter(|value| value.is_finite())
}

#[cfg(test)]
#[path = "indicators_table.rs"]
mod bundled_document_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use Comparator::*;

    /// (value, unit, comparator, phrase) of each indicator found in `text`.
    fn read(text: &str) -> Vec<(f64, String, Comparator, String)> {
        extract_indicators(text).into_iter().map(|i| (i.target_value, i.unit, i.comparator, i.phrase)).collect()
    }

    fn one(value: f64, unit: &str, comparator: Comparator, phrase: &str) -> Vec<(f64, String, Comparator, String)> {
        vec![(value, unit.to_string(), comparator, phrase.to_string())]
    }

    #[test]
    fn comparator_words_before_the_number_give_floors_and_ceilings() {
        assert_eq!(read("金融机构达到90 家"), one(90.0, "家", AtLeast, "达到90 家"));
        assert_eq!(read("企业突破11000 家。"), one(11000.0, "家", AtLeast, "突破11000 家"));
        assert_eq!(read("办理时间不超过3 个工作日"), one(3.0, "个工作日", AtMost, "不超过3 个工作日"));
        assert_eq!(read("压缩至2 天"), one(2.0, "天", AtMost, "压缩至2 天"));
        assert_eq!(read("覆盖率不低于 95%"), one(95.0, "%", AtLeast, "不低于 95%"));
    }

    #[test]
    fn a_comparator_word_after_the_unit_counts_too() {
        assert_eq!(read("开展专题培训活动10 期以上，提升"), one(10.0, "期", AtLeast, "10 期以上"));
        assert_eq!(read("控制在5 家以内"), one(5.0, "家", AtMost, "控制在5 家以内"));
    }

    #[test]
    fn a_delivery_verb_may_stand_between_comparator_and_number() {
        assert_eq!(read("实现各区至少建成1 家示范中心"), one(1.0, "家", AtLeast, "至少建成1 家"));
    }

    #[test]
    fn wan_and_yi_scale_the_value_exactly() {
        assert_eq!(read("建成5G 基站超过6 万个"), one(60000.0, "个", AtLeast, "超过6 万个"));
        assert_eq!(read("专利达到5.2 万件"), one(52000.0, "件", AtLeast, "达到5.2 万件"));
        assert_eq!(read("全年培训人才1 万名。"), one(10000.0, "名", Exactly, "1 万名"));
        assert_eq!(read("新增贷款1.25 亿元"), one(125_000_000.0, "元", Exactly, "1.25 亿元"));
        assert_eq!(read("新增企业11,000 家"), one(11000.0, "家", Exactly, "11,000 家"));
    }

    #[test]
    fn bare_counts_after_a_delivery_verb_are_exact_targets() {
        assert_eq!(read("力争新增“小巨人”企业50 家"), one(50.0, "家", Exactly, "50 家"));
        assert_eq!(read("建设30 个养老服务综合体"), one(30.0, "个", Exactly, "30 个"));
        assert_eq!(read("全市新增10 家机构成为单元"), one(10.0, "家", Exactly, "10 家"));
        assert_eq!(read("设备数量2500 台（套）。"), one(2500.0, "台（套）", Exactly, "2500 台（套）"));
    }

    #[test]
    fn a_comparator_governs_only_its_own_number_in_a_list() {
        let found = read("企业达到1500 家、专利快速预审2000 件、开展专利导航3 项");
        assert_eq!(found.len(), 3);
        assert_eq!(found[0], (1500.0, "家".to_string(), AtLeast, "达到1500 家".to_string()));
        assert_eq!(found[1], (2000.0, "件".to_string(), Exactly, "2000 件".to_string()));
        assert_eq!(found[2], (3.0, "项".to_string(), Exactly, "3 项".to_string()));
    }

    #[test]
    fn counts_of_scope_or_means_are_not_targets() {
        assert!(read("持续对31 个市级部门和16 个区开展信用状况监测").is_empty());
        assert!(read("依托19 个院校联盟推进1+X 证书制度试点工作").is_empty());
        assert!(read("开展对10 家企业的走访").is_empty());
        assert!(read("下设甲平台、乙平台4 个子门户平台").is_empty());
    }

    #[test]
    fn years_ordinals_names_and_codes_are_not_targets() {
        for text in [
            "对各区开展2022 年度评价",
            "请于2023 年4 月10 日前报送",
            "办好第8 届艺术节",
            "推进12345 政务服务便民热线与110 报警服务台系统对接",
            "开发货劳监控管理2.0 系统",
            "加大5G 通信基础设施建设投入",
            "加快建设地铁4 号线北段，7、8、11 号线一期工程",
            "实施《目录（2022 版）》",
            "建设天津24365 大学生就业服务平台",
            "新增3-5 家",
            "PM2.5 浓度",
        ] {
            assert!(read(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn the_sentence_is_the_text_between_full_stops() {
        let found = extract_indicators("甲。 国家高新技术企业突破11000 家；乙");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].sentence, "国家高新技术企业突破11000 家");
    }

    #[test]
    fn odd_input_yields_nothing_and_never_panics() {
        for text in [
            "",
            "9",
            "达到",
            "达到9",
            "9 万",
            "9.",
            "9,",
            "1,2345 家",
            "万家",
            "，。；",
            "99999999999999999999999999999999 家",
        ] {
            let _ = extract_indicators(text);
        }
        assert!(read("达到9").is_empty());
        assert_eq!(Comparator::AtMost.as_str(), "AT_MOST");
    }
}
