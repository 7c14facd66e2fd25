//! Pages into one source: tables continued across pages, rows split by a page rejoined.

use super::cells::join;
use super::{Item, PCell, PageTable};
use crate::import::source::MAX_CELLS;
use crate::import::source::table::{GridBuilder, Place, Source, SourceError, Table};

/// A table being built over pages: its cells (`rs` 0 once replaced) and its rows' places.
#[derive(Default)]
struct Acc {
    cells: Vec<PCell>,
    places: Vec<Place>,
    ncols: usize,
    page: usize,
    numbered: bool,
}

impl Acc {
    /// The cell covering (r, c): header rows are found from the front, the last rows from the back.
    fn at(&self, r: usize, c: usize) -> Option<usize> {
        let covers = |x: &PCell| x.r <= r && r < x.r + x.rs && x.c <= c && c < x.c + x.cs;
        if r < 3 { self.cells.iter().position(covers) } else { self.cells.iter().rposition(covers) }
    }

    fn text(&self, r: usize, c: usize) -> &str {
        self.at(r, c).and_then(|k| self.cells.get(k)).map_or("", |x| x.text.as_str())
    }

    /// Appends one page's table: a repeated header stays a row; a row the page broke (no number
    /// where the column has numbers) is joined to the row before; a merged cell running on over
    /// the break keeps its text (and its origin when no repeated header comes between).
    fn append(&mut self, (ncols, cells): PageTable, page: usize) {
        let (base, nrows) = (self.places.len(), cells.iter().map(|x| x.r + x.rs).max().unwrap_or(0));
        let at = |r: usize, c: usize| cells.iter().find(|x| x.r <= r && r < x.r + x.rs && x.c <= c && c < x.c + x.cs);
        let page_text = |r: usize, c: usize| at(r, c).map_or("", |x| x.text.as_str());
        let same_row = |r: usize| (0..ncols).all(|c| page_text(r, c) == self.text(r, c));
        let header = (0..3.min(nrows).min(base)).take_while(|&r| same_row(r)).count();
        let split = base > header + 1
            && self.numbered
            && at(header, 0).is_some_and(|x| x.text.is_empty() && x.cs < ncols)
            && (0..ncols).any(|c| !page_text(header, c).is_empty());
        let map = |p: usize| if split && p == header { base - 1 } else { base + p - usize::from(split && p > header) };
        let rows = (0..nrows).filter(|&p| !split || p != header);
        self.places.extend(rows.map(|p| Place::new(format!("page {page}"), p + 1)));
        for cell in cells {
            let numeric =
                |s: &str| !s.is_empty() && s.chars().all(|ch| ch.is_ascii_digit() || ".、()（）".contains(ch));
            self.numbered |= cell.c == 0 && numeric(&cell.text);
            let k = (base > header + 1 && cell.r == header).then(|| self.at(base - 1, cell.c)).flatten();
            let runs_on = |x: &&PCell| !x.text.is_empty() && cell.text.is_empty() && (x.rs > 1 || cell.rs > 1);
            let prev = k.and_then(|k| self.cells.get(k)).filter(|x| x.c == cell.c && x.cs == cell.cs);
            let (Some(k), Some(x)) = (k, prev.filter(|x| split || runs_on(x)).cloned()) else {
                self.cells.push(PCell { r: map(cell.r), ..cell });
                continue;
            };
            let (rest, mut text) = (cell.rs - usize::from(split), x.text.clone());
            join(&mut text, &cell.text, false);
            if rest > 0 && header == 0 {
                let rs = map(cell.r + cell.rs - 1) + 1 - x.r;
                self.cells.push(PCell { text, rs, ..x });
            } else {
                self.cells.push(PCell { text: text.clone(), ..x });
                if rest > 0 {
                    self.cells.push(PCell { r: map(cell.r + usize::from(split)), rs: rest, text, ..cell });
                }
            }
            self.cells.get_mut(k).into_iter().for_each(|old| old.rs = 0);
        }
        self.page = page;
    }

    fn build(self) -> Result<Table, SourceError> {
        let mut builder = GridBuilder::default();
        for cell in self.cells.into_iter().filter(|c| c.rs > 0) {
            builder.put(cell.r, cell.c, cell.rs, cell.cs, cell.text);
        }
        self.places.into_iter().enumerate().for_each(|(row, place)| builder.place(row, place));
        builder.build(MAX_CELLS).ok_or_else(|| SourceError::TooLarge("the PDF's table has too many cells".into()))
    }
}

/// The document from its pages: a table continues over a page break when the next page starts
/// with a table of as many columns; running headers and footers between are put after it.
pub(super) fn assemble(pages: impl Iterator<Item = (f64, Vec<(f64, Item)>)>) -> Result<Source, SourceError> {
    let (mut src, mut acc, mut held) = (Source::default(), None::<Acc>, Vec::new());
    let close = |src: &mut Source, acc: &mut Option<Acc>, held: &mut Vec<(String, Place)>| {
        if let Some(a) = acc.take() {
            src.table(a.build()?);
        }
        held.drain(..).for_each(|(text, place)| src.paragraph(text, place));
        Ok::<(), SourceError>(())
    };
    for (n, (height, items)) in (1..).zip(pages) {
        for (_, item) in items {
            match item {
                Item::Para { text, y0, y1 } => {
                    if !(acc.is_some() && (y1 < 0.12 * height || y0 > 0.88 * height)) {
                        close(&mut src, &mut acc, &mut held)?;
                    }
                    let place = Place::new(format!("page {n}"), 0);
                    if acc.is_some() { held.push((text, place)) } else { src.paragraph(text, place) }
                }
                Item::Table(t) => {
                    // Only the page's first table can go on from the page before (`page` moves on).
                    if !acc.as_ref().is_some_and(|a| a.page + 1 == n && a.ncols == t.0) {
                        close(&mut src, &mut acc, &mut held)?;
                    }
                    let ncols = t.0;
                    acc.get_or_insert_with(|| Acc { ncols, ..Acc::default() }).append(t, n);
                }
            }
        }
    }
    close(&mut src, &mut acc, &mut held)?;
    Ok(src)
}
