//! The words of every page with their boxes, from `pdftotext -bbox-layout`.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::Word;
use crate::import::source::SourceError;

pub(super) fn attr(e: &BytesStart, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok().flatten()?;
    let raw = String::from_utf8_lossy(&a.value).into_owned();
    Some(quick_xml::escape::unescape(&raw).map(|v| v.into_owned()).unwrap_or(raw))
}

pub(super) fn num(e: &BytesStart, name: &str) -> f64 {
    attr(e, name).and_then(|v| v.trim().parse().ok()).filter(|v: &f64| v.is_finite()).unwrap_or(0.0)
}

/// The words of each page (with the page height) from `pdftotext -bbox-layout`.
pub(super) fn parse_words(xml: &str) -> Result<Vec<(f64, Vec<Word>)>, SourceError> {
    let mut reader = Reader::from_str(xml);
    let (mut pages, mut word): (Vec<(f64, Vec<Word>)>, Option<Word>) = (Vec::new(), None);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"page" => pages.push((num(&e, "height"), Vec::new())),
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"word" => {
                let (x0, y0, x1, y1) = (num(&e, "xMin"), num(&e, "yMin"), num(&e, "xMax"), num(&e, "yMax"));
                word = Some(Word { x0, y0, x1, y1, text: String::new() });
            }
            Ok(Event::Text(t)) => word.iter_mut().zip(t.unescape()).for_each(|(w, text)| w.text.push_str(&text)),
            Ok(Event::End(e)) if e.local_name().as_ref() == b"word" => {
                let word = word.take().filter(|w| !w.text.trim().is_empty());
                if let (Some(w), Some((_, words))) = (word, pages.last_mut()) {
                    words.push(Word { text: w.text.trim().to_owned(), ..w });
                }
            }
            Ok(Event::Eof) => return Ok(pages),
            Err(e) => return Err(SourceError::Unreadable(format!("not a readable PDF: poppler gave bad text: {e}"))),
            _ => {}
        }
    }
}
