//! The document's metadata from the text around its list (SPEC §11): the title (a notice's
//! 《…》, else the paragraph naming a 清单/方案 with a year), year and region from the title,
//! issuer and date from the notice ("X关于印发…的通知", a signature and its date), the reporting
//! schedule from the notice's body; `--issuer`, `--issued-on` and `--schedule` where it says
//! nothing.

use chrono::NaiveDate;

use super::{LayoutError, Options};
use crate::import::model::ParsedDeadline;
use crate::import::parse::notice::{find_dates, read_schedule, to_date, year_of_title};
use crate::import::source::Place;

/// What the text around the list says.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub title: String,
    pub year: i32,
    pub region: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    /// What the reader had to assume (no date of issue anywhere: January 1 of the list's year).
    pub warnings: Vec<String>,
    pub schedule: Vec<ParsedDeadline>,
}

const TITLE_WORDS: [&str; 6] = ["清单", "方案", "任务分工", "责任分工", "任务台账", "工作要点"];
const PROVINCIAL_SUFFIXES: [&str; 5] = ["特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区"];

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The title: inside a notice's 《》, else the first short paragraph naming a list and a year,
/// else the first short paragraph with a year.
fn title_of(texts: &[String]) -> Option<String> {
    let quoted = texts.iter().find_map(|t| {
        let open = t.find('《')?;
        let rest = t.get(open + '《'.len_utf8()..)?;
        let inner = rest.get(..rest.find('》')?)?;
        TITLE_WORDS.iter().any(|w| inner.contains(w)).then(|| compact(inner))
    });
    quoted
        .or_else(|| {
            texts.iter().map(|t| compact(t)).find(|t| {
                t.chars().count() <= 80 && TITLE_WORDS.iter().any(|w| t.contains(w)) && year_of_title(t).is_some()
            })
        })
        .or_else(|| texts.iter().map(|t| compact(t)).find(|t| t.chars().count() <= 80 && year_of_title(t).is_some()))
}

/// "河北省2024年…" → 河北; "2024年石家庄市…" → 石家庄; "天津市…" → 天津.
fn region_of(title: &str, year: i32) -> Option<String> {
    let year_text = year.to_string();
    let at = title.find(&year_text)?;
    let before = title.get(..at).unwrap_or_default();
    let name = if before.chars().count() >= 2 {
        before.to_owned()
    } else {
        // After "2024年": up to the first 省, 市, 区, 县, 州 or 盟 within ten characters.
        let after = title.get(at + year_text.len()..)?.strip_prefix('年')?;
        let end = after.char_indices().take(10).find(|(_, c)| "省市区县州盟".contains(*c))?;
        after.get(..end.0 + end.1.len_utf8())?.to_owned()
    };
    let name = name.trim_start_matches("中共").to_owned();
    let mut region = name.as_str();
    if let Some(stripped) = PROVINCIAL_SUFFIXES.iter().find_map(|s| region.strip_suffix(s)) {
        region = stripped;
    } else if let Some(stripped) = region.strip_suffix(['省', '市']) {
        region = stripped;
    }
    (region.chars().count() >= 2).then(|| region.to_owned())
}

/// The issuer before 关于 in a notice title ("河北省人民政府办公厅关于印发…的通知").
fn issuer_of(texts: &[String]) -> Option<String> {
    texts.iter().find_map(|t| {
        let about = t.find("关于")?;
        t.get(about..)?.contains("通知").then_some(())?;
        let issuer = compact(t.get(..about)?);
        let issuer = issuer.trim_start_matches(|c: char| c.is_ascii_digit() || ".．、".contains(c));
        (!issuer.is_empty() && issuer.chars().count() <= 40).then(|| issuer.to_owned())
    })
}

/// A signature: a short paragraph followed by one that is only a date.
fn signature_of(texts: &[String]) -> Option<(String, NaiveDate)> {
    texts.windows(2).find_map(|w| {
        let [name, date] = w else { return None };
        let date_text = compact(date);
        let dates = find_dates(&date_text);
        let [d] = dates.as_slice() else { return None };
        let whole = d.start == 0 && date_text.get(d.end..).is_none_or(|rest| rest.trim().is_empty());
        let name = compact(name);
        let agency = name.chars().count() <= 30
            && ["办公厅", "办公室", "政府", "委员会", "局", "办", "厅"].iter().any(|e| name.ends_with(e));
        (whole && agency && d.year.is_some()).then(|| to_date(d, 0).map(|date| (name, date))).flatten()
    })
}

/// Reads the metadata from the texts above the list (`front`) and below it (`back`).
pub fn read_meta(front: &[String], back: &[String], place: &Place, opts: &Options) -> Result<Meta, LayoutError> {
    let all: Vec<String> = front.iter().chain(back).cloned().collect();
    let title = title_of(front).or_else(|| title_of(back)).ok_or_else(|| {
        LayoutError::new(
            place.clone(),
            None,
            "no title with the list's year above the list (e.g. “河北省2024年优化营商环境责任清单”)",
        )
    })?;
    let year = year_of_title(&title)
        .ok_or_else(|| LayoutError::new(place.clone(), None, format!("the title “{title}” names no year")))?;
    let signature = signature_of(&all);
    let issuer = opts
        .issuer
        .clone()
        .or_else(|| issuer_of(&all))
        .or_else(|| signature.as_ref().map(|s| s.0.clone()))
        .ok_or_else(|| {
            LayoutError::new(
                place.clone(),
                None,
                "the document names no issuer (no notice “…关于印发…的通知” and no signature): pass --issuer NAME",
            )
        })?;
    let region = region_of(&title, year).or_else(|| region_of(&format!("{issuer}{year}"), year)).ok_or_else(|| {
        LayoutError::new(place.clone(), None, format!("cannot tell the region from the title “{title}” or the issuer"))
    })?;
    let notice_date = front.iter().find_map(|t| {
        let t = compact(t);
        let about = t.find("通知")?;
        let after = t.get(about..)?;
        find_dates(after).into_iter().find(|d| d.year.is_some()).and_then(|d| to_date(&d, year))
    });
    let mut warnings = Vec::new();
    let found = opts.issued_on.or(notice_date).or(signature.map(|s| s.1)).or_else(|| {
        all.iter().find_map(|t| {
            find_dates(&compact(t)).into_iter().find(|d| d.year.is_some()).and_then(|d| to_date(&d, year))
        })
    });
    let issued_on = match found {
        Some(date) => date,
        None => {
            warnings.push(format!(
                "the document carries no date of issue: recorded as {year}-01-01 (pass --issued-on YYYY-MM-DD)"
            ));
            NaiveDate::from_ymd_opt(year, 1, 1)
                .ok_or_else(|| LayoutError::new(place.clone(), None, format!("{year} is not a year")))?
        }
    };
    let schedule = match &opts.schedule {
        Some(s) => s.deadlines(year),
        None => {
            let body: String = all.iter().map(|t| compact(t)).collect();
            read_schedule(&body, year, |_| 0).unwrap_or_default()
        }
    };
    Ok(Meta { title, year, region, issuer, issued_on, warnings, schedule })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_comes_from_the_title() {
        assert_eq!(region_of("河北省2024年优化营商环境责任清单", 2024).as_deref(), Some("河北"));
        assert_eq!(region_of("天津市2023年优化营商环境责任清单", 2023).as_deref(), Some("天津"));
        assert_eq!(region_of("2024年石家庄市营商环境重点任务清单", 2024).as_deref(), Some("石家庄"));
        assert_eq!(region_of("广西壮族自治区2024年…清单", 2024).as_deref(), Some("广西"));
        assert_eq!(region_of("浦东新区2024年…清单", 2024).as_deref(), Some("浦东新区"));
    }

    #[test]
    fn the_notice_gives_title_and_issuer() {
        let texts = vec!["河北省人民政府办公厅关于印发《河北省2024年优化营商环境责任清单》的通知".to_owned()];
        assert_eq!(title_of(&texts).as_deref(), Some("河北省2024年优化营商环境责任清单"));
        assert_eq!(issuer_of(&texts).as_deref(), Some("河北省人民政府办公厅"));
    }
}
