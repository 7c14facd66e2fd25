//! The part before the table: the compilation's region heading ("（二）天津"), the notice
//! title ("1. 天津市政务服务办关于印发…的通知（2023 年1 月6 日）") and the reporting schedule in
//! its body ("请于2023 年4 月10 日、7 月10 日…前…报送一季度、二季度（半年）…").
//!
//! The notice is read with its line breaks removed (the PDF breaks "2023" / " 年优化…" and
//! "和2024" / "年1 月10 日"), keeping a map back to line numbers for errors.

use chrono::NaiveDate;

use super::table::is_page_marker;
use super::{ParseError, ParsedDeadline, error};

const CHINESE_NUMERALS: &str = "一二三四五六七八九十百零";

/// The region heading: its line index (0-based) and the region's name.
pub(super) struct Heading {
    pub index: usize,
    pub region: String,
}

/// "（二）天津" → 天津: a short line that is only a Chinese ordinal in brackets and a name.
pub(super) fn find_region_heading(lines: &[&str]) -> Option<Heading> {
    lines.iter().enumerate().find_map(|(index, line)| {
        let rest = line.trim().strip_prefix('（')?;
        let close = rest.find('）')?;
        let ordinal = rest.get(..close)?;
        let region = rest.get(close + '）'.len_utf8()..)?.trim();
        let is_ordinal = !ordinal.is_empty() && ordinal.chars().all(|c| CHINESE_NUMERALS.contains(c));
        let is_name = (1..=12).contains(&region.chars().count())
            && region.chars().all(|c| !c.is_ascii_punctuation() && !"，。、；：（）".contains(c));
        (is_ordinal && is_name).then(|| Heading { index, region: region.to_owned() })
    })
}

/// The year of the list, from its title ("天津市2023年优化营商环境责任清单" → 2023).
pub(crate) fn year_of_title(title: &str) -> Option<i32> {
    let mut digits = String::new();
    for c in title.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if digits.len() == 4 {
            return digits.parse().ok().filter(|y| (1900..=2200).contains(y));
        } else {
            digits.clear();
        }
    }
    None
}

/// What the notice says about the document.
pub(super) struct Notice {
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub schedule: Vec<ParsedDeadline>,
}

/// The notice lines joined without line breaks, with the line each byte came from.
struct Joined {
    text: String,
    /// (byte offset where a source line starts in `text`, 1-based line number).
    starts: Vec<(usize, usize)>,
}

impl Joined {
    fn new(lines: &[&str], first: usize) -> Self {
        let mut text = String::new();
        let mut starts = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() || is_page_marker(line) {
                continue;
            }
            starts.push((text.len(), first + i + 1));
            text.push_str(line);
        }
        Joined { text, starts }
    }

    /// 1-based line of the byte at `offset`.
    fn line_at(&self, offset: usize) -> usize {
        self.starts.iter().take_while(|(start, _)| *start <= offset).last().map_or(1, |(_, line)| *line)
    }
}

/// Read issuer, issue date and schedule from the notice lines (`lines` are the lines between
/// the region heading and the list title; `first` is the index of the first of them).
pub(super) fn read_notice(lines: &[&str], first: usize, year: i32) -> Result<Notice, ParseError> {
    let joined = Joined::new(lines, first);
    let text = joined.text.as_str();
    let title_line = joined.line_at(0);
    let expected_title = "expected the notice title (“…关于印发…的通知（date）”)";
    let Some(about) = text.find("关于") else {
        return Err(error(title_line, format!("{expected_title}, found “{}”", preview(text))));
    };
    let Some(notice_word) = text.get(about..).and_then(|t| t.find("通知")).map(|i| about + i) else {
        return Err(error(title_line, format!("{expected_title}, found “{}”", preview(text))));
    };
    let issuer = strip_ordinal(text.get(..about).unwrap_or_default()).trim().to_owned();
    if issuer.is_empty() {
        return Err(error(title_line, format!("{expected_title}: no issuer before 关于")));
    }

    // The date in brackets right after 通知, else a signature line that is just a date.
    let after_title = notice_word + "通知".len();
    let rest = text.get(after_title..).unwrap_or_default();
    let bracketed = rest.trim_start().strip_prefix(['（', '(']).and_then(|r| {
        let close = r.find(['）', ')'])?;
        Some((r.get(..close)?, r.get(close..)?))
    });
    let (issued, body_start) = match bracketed {
        Some((inside, tail)) => {
            let date = find_dates(inside).into_iter().find(|d| d.year.is_some());
            (date, text.len() - tail.len())
        }
        None => (None, after_title),
    };
    let issued = issued.or_else(|| {
        lines.iter().find_map(|l| {
            let dates = find_dates(l.trim());
            match dates.as_slice() {
                [d] if d.year.is_some() && d.start == 0 && d.end == l.trim().len() => Some(d.clone()),
                _ => None,
            }
        })
    });
    let Some(issued) = issued else {
        return Err(error(
            title_line,
            "no issue date in the notice: expected “（2023 年1 月6 日）” after its title or a dated signature line",
        ));
    };
    let issued_on = to_date(&issued, year)
        .ok_or_else(|| error(title_line, format!("the notice's date “{}” is not a valid date", issued.text)))?;

    let body = text.get(body_start..).unwrap_or_default();
    let schedule = read_schedule(body, year, |offset| joined.line_at(body_start + offset))?;
    Ok(Notice { issuer, issued_on, schedule })
}

/// The reporting schedule: the first sentence naming both quarters (一季度, 二季度（半年）…)
/// and dates. Dates and quarters pair up in order; a date without a year takes the year of
/// the date before it (the first one, the list's year). No such sentence: no schedule.
pub(crate) fn read_schedule(
    body: &str,
    year: i32,
    line_at: impl Fn(usize) -> usize,
) -> Result<Vec<ParsedDeadline>, ParseError> {
    let mut offset = 0;
    for sentence in body.split_inclusive('。') {
        let start = offset;
        offset += sentence.len();
        let quarters = find_quarters(sentence);
        let dates = find_dates(sentence);
        if quarters.is_empty() || dates.is_empty() {
            continue;
        }
        let line = line_at(start + dates.first().map_or(0, |d| d.start));
        if quarters.len() != dates.len() {
            return Err(error(
                line,
                format!(
                    "the reporting schedule names {} quarters but {} dates: expected one date per quarter",
                    quarters.len(),
                    dates.len()
                ),
            ));
        }
        let mut current_year = year;
        let mut schedule = Vec::new();
        for ((quarter, label), date) in quarters.into_iter().zip(dates) {
            current_year = date.year.unwrap_or(current_year);
            let due_on = to_date(&date, current_year)
                .ok_or_else(|| error(line, format!("the reporting deadline “{}” is not a valid date", date.text)))?;
            schedule.push(ParsedDeadline { quarter, label, due_on });
        }
        return Ok(schedule);
    }
    Ok(Vec::new())
}

/// "一季度", "二季度（半年）", "第三季度": quarter number and label as written.
fn find_quarters(sentence: &str) -> Vec<(u8, String)> {
    let mut found = Vec::new();
    let mut search = 0;
    while let Some(at) = sentence.get(search..).and_then(|s| s.find("季度")).map(|i| search + i) {
        search = at + "季度".len();
        let before = sentence.get(..at).unwrap_or_default();
        let Some(numeral) = before.chars().last() else { continue };
        let quarter = match numeral {
            '一' | '1' => 1,
            '二' | '2' => 2,
            '三' | '3' => 3,
            '四' | '4' => 4,
            _ => continue,
        };
        let mut label_start = at - numeral.len_utf8();
        if before.get(..label_start).is_some_and(|b| b.ends_with('第')) {
            label_start -= '第'.len_utf8();
        }
        let mut label_end = search;
        let bracket = sentence.get(label_end..).and_then(|r| r.strip_prefix('（')).and_then(|r| r.find('）'));
        if let Some(close) = bracket {
            label_end += '（'.len_utf8() + close + '）'.len_utf8();
        }
        if let Some(label) = sentence.get(label_start..label_end) {
            found.push((quarter, label.to_owned()));
        }
        search = search.max(label_end);
    }
    found
}

/// A date as written ("2023 年4 月10 日", "7 月10 日"), spaces allowed anywhere.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DateMention {
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Number(u32, usize),
    Char(char),
}

/// All dates in `text`, in order.
pub(crate) fn find_dates(text: &str) -> Vec<DateMention> {
    // Tokens: digit runs and single characters, whitespace dropped, with byte spans.
    let mut tokens: Vec<(Token, usize, usize)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_digit() {
            let mut end = i + 1;
            while let Some((j, d)) = chars.peek().copied().filter(|(_, d)| d.is_ascii_digit()) {
                end = j + d.len_utf8();
                chars.next();
            }
            let digits = text.get(i..end).unwrap_or_default();
            if let Ok(value) = digits.parse::<u32>() {
                tokens.push((Token::Number(value, digits.len()), i, end));
            }
        } else if !c.is_whitespace() {
            tokens.push((Token::Char(c), i, i + c.len_utf8()));
        }
    }
    let mut dates = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let kinds: Vec<Token> = tokens.iter().skip(i).take(6).map(|t| t.0).collect();
        let (year, month_at) = match kinds.as_slice() {
            [Token::Number(y, 4), Token::Char('年'), ..] => (i32::try_from(*y).ok(), i + 2),
            _ => (None, i),
        };
        let month_day: Vec<Token> = tokens.iter().skip(month_at).take(4).map(|t| t.0).collect();
        if let [Token::Number(m, 1..=2), Token::Char('月'), Token::Number(d, 1..=2), Token::Char('日')] =
            month_day.as_slice()
        {
            let start = tokens.get(i).map_or(0, |t| t.1);
            let end = tokens.get(month_at + 3).map_or(text.len(), |t| t.2);
            dates.push(DateMention {
                year,
                month: *m,
                day: *d,
                text: text.get(start..end).unwrap_or_default().to_owned(),
                start,
                end,
            });
            i = month_at + 4;
        } else {
            i += 1;
        }
    }
    dates
}

pub(crate) fn to_date(date: &DateMention, default_year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(date.year.unwrap_or(default_year), date.month, date.day)
}

/// "1. 天津市政务服务办" → "天津市政务服务办": the notice's number within the compilation.
fn strip_ordinal(title: &str) -> &str {
    let t = title.trim_start();
    let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
    match rest.strip_prefix(['.', '．', '、']) {
        Some(r) if rest.len() < t.len() => r,
        _ => t,
    }
}

/// The start of a text, for error messages.
pub(crate) fn preview(text: &str) -> String {
    let mut p: String = text.trim().chars().take(30).collect();
    if text.trim().chars().count() > 30 {
        p.push('…');
    }
    p
}
