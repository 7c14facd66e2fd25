//! A page's tables: cells from the grid the rulings make (or from gutters without rulings),
//! words placed in them, and the text outside as paragraphs.

use super::{Item, PCell, PageTable, Seg, TOL, Word};

/// Values within TOL of a cluster's first value become their mean.
fn cluster(mut values: Vec<f64>) -> Vec<f64> {
    values.retain(|v| v.is_finite() && v.abs() < 1e6);
    values.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, f64, f64)> = Vec::new();
    for v in values {
        match out.last_mut() {
            Some((first, sum, n)) if v - *first <= TOL => (*sum, *n) = (*sum + v, *n + 1.0),
            _ => out.push((v, v, 1.0)),
        }
    }
    out.into_iter().map(|(_, sum, n)| sum / n).collect()
}

fn find(parent: &[usize], mut i: usize) -> usize {
    while let Some(&p) = parent.get(i).filter(|&&p| p != i) {
        i = p;
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    parent.get_mut(ra.max(rb)).into_iter().for_each(|slot| *slot = ra.min(rb));
}

/// The tables the rulings of a page make (one per connected set of lines) with their tops, and
/// the words outside them. Cells are the grid's rectangles, merged where a ruling is missing.
fn ruled<'a>(segs: &[Seg], words: &'a [Word]) -> (Vec<(f64, Item)>, Vec<&'a Word>) {
    let mut parent: Vec<usize> = (0..segs.len()).collect();
    for (i, h) in segs.iter().enumerate().filter(|p| p.1.horiz && segs.len() <= 10_000) {
        for (j, v) in segs.iter().enumerate().filter(|p| !p.1.horiz) {
            if v.at >= h.from - TOL && v.at <= h.to + TOL && h.at >= v.from - TOL && h.at <= v.to + TOL {
                union(&mut parent, i, j);
            }
        }
    }
    let mut parts: Vec<Vec<Seg>> = vec![Vec::new(); segs.len()];
    for (i, s) in segs.iter().enumerate() {
        parts.get_mut(find(&parent, i)).into_iter().for_each(|p| p.push(*s));
    }
    let (mut tables, mut rest): (Vec<(f64, Item)>, Vec<&Word>) = (Vec::new(), words.iter().collect());
    for (hs, vs) in parts.into_iter().map(|p| p.into_iter().partition::<Vec<Seg>, _>(|s| s.horiz)) {
        let ends = |l: &[Seg]| {
            [l.iter().map(|s| s.from).fold(f64::MAX, f64::min), l.iter().map(|s| s.to).fold(f64::MIN, f64::max)]
        };
        let xs = cluster(vs.iter().map(|s| s.at).chain(ends(&hs)).collect());
        let ys = cluster(hs.iter().map(|s| s.at).chain(ends(&vs)).collect());
        let (nr, nc) = (ys.len().saturating_sub(1), xs.len().saturating_sub(1));
        if hs.len() < 2 || vs.len() < 2 || nr * nc < 2 || nr * nc > 200_000 {
            continue;
        }
        let covered = |list: &[Seg], at: f64, from: f64, to: f64| {
            let on = list.iter().filter(|s| (s.at - at).abs() <= 2.0 * TOL);
            on.map(|s| (s.to.min(to) - s.from.max(from)).max(0.0)).sum::<f64>() >= 0.5 * (to - from)
        };
        let mut uf: Vec<usize> = (0..nr * nc).collect();
        for (r, rows) in ys.windows(2).enumerate() {
            for (c, cols) in xs.windows(2).enumerate() {
                let ([top, bottom], [left, right]) = (rows, cols) else { continue };
                if c + 1 < nc && !covered(&vs, *right, *top, *bottom) {
                    union(&mut uf, r * nc + c, r * nc + c + 1);
                }
                if r + 1 < nr && !covered(&hs, *bottom, *left, *right) {
                    union(&mut uf, r * nc + c, (r + 1) * nc + c);
                }
            }
        }
        // At each merged cell's root: its (first row, first col, last row, last col) and words.
        let (mut rects, mut texts) = (vec![None; nr * nc], vec![Vec::new(); nr * nc]);
        for (i, root) in (0..nr * nc).map(|i| (i, find(&uf, i))) {
            let (r, c) = (i / nc, i % nc);
            if let Some(rect) = rects.get_mut(root) {
                let (r0, c0, r1, c1) = rect.unwrap_or((r, c, r, c));
                *rect = Some((r0.min(r), c0.min(c), r1.max(r), c1.max(c)));
            }
        }
        rest.retain(|w| {
            let spot = slot(&ys, w.cy()).zip(slot(&xs, w.cx())).map(|(r, c)| find(&uf, r * nc + c));
            spot.and_then(|i| texts.get_mut(i)).map(|t: &mut Vec<&Word>| t.push(w)).is_none()
        });
        if texts.iter().any(|t| !t.is_empty()) {
            let cells = rects.into_iter().zip(texts).filter_map(|(rect, ws)| {
                let (r, c, r1, c1) = rect?;
                Some(PCell { r, c, rs: r1 + 1 - r, cs: c1 + 1 - c, text: text_of(ws) })
            });
            tables.push((ys.first().copied().unwrap_or(0.0), Item::Table((nc, cells.collect()))));
        }
    }
    (tables, rest)
}

fn slot(bounds: &[f64], v: f64) -> Option<usize> {
    bounds.windows(2).position(|w| matches!(w, [a, b] if v >= *a && v <= *b))
}

fn is_cjk(c: char) -> bool {
    let c = c as u32; // “” are set as CJK punctuation in Chinese text
    matches!(c, 0x2018..=0x201D | 0x2E80..=0x9FFF | 0xF900..=0xFAFF)
        || matches!(c, 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..)
}

/// Words grouped into visual lines, top to bottom, each left to right.
fn visual_lines(mut words: Vec<&Word>) -> Vec<Vec<&Word>> {
    words.sort_by(|a, b| a.cy().total_cmp(&b.cy()));
    let mut lines: Vec<Vec<&Word>> = Vec::new();
    for w in words {
        match lines.last_mut() {
            Some(l) if l.first().is_some_and(|f| (w.cy() - f.cy()).abs() <= 0.4 * f.h().min(w.h())) => l.push(w),
            _ => lines.push(vec![w]),
        }
    }
    lines.iter_mut().for_each(|l| l.sort_by(|a, b| a.x0.total_cmp(&b.x0)));
    lines
}

/// Appends `next`: a space between words set apart unless both sides are CJK; lines (not
/// `spaced`) join with nothing, as a wrap inserts nothing in Chinese, but Latin words keep a space.
pub(super) fn join(out: &mut String, next: &str, spaced: bool) {
    let (a, b) = (out.chars().next_back(), next.chars().next());
    let latin = a.is_some_and(|a| a.is_ascii_alphanumeric()) && b.is_some_and(|b| b.is_ascii_alphabetic());
    if spaced && !(a.is_some_and(is_cjk) && b.is_some_and(is_cjk)) || !spaced && latin {
        out.push(' ');
    }
    out.push_str(next);
}

/// The text of words: lines top to bottom, words left to right, joined by [`join`].
fn text_of(words: Vec<&Word>) -> String {
    let mut out = String::new();
    for line in visual_lines(words) {
        let mut prev: Option<&Word> = None;
        for w in line {
            join(&mut out, &w.text, prev.is_some_and(|p| w.x0 - p.x1 >= 0.25 * p.h().min(w.h())));
            prev = Some(w);
        }
    }
    out.trim().to_owned()
}

/// A page as paragraphs and tables, top to bottom, with their tops.
pub(super) fn page_items(words: &[Word], segs: Vec<Seg>) -> Vec<(f64, Item)> {
    let (mut items, mut outside) = ruled(&segs, words);
    let fallback = if items.is_empty() { borderless(&outside) } else { None };
    if let Some((top, bottom, table)) = fallback {
        outside.retain(|w| w.cy() < top || w.cy() > bottom);
        items.push((top, Item::Table(table)));
    }
    let lines = visual_lines(outside);
    let right = lines.iter().flatten().map(|w| w.x1).fold(0.0, f64::max);
    let (mut paras, mut prev) = (Vec::<(f64, f64, Vec<&Word>)>::new(), None::<(f64, f64, f64, f64)>);
    for line in lines {
        let (x0, x1) = (line.first().map_or(0.0, |w| w.x0), line.last().map_or(0.0, |w| w.x1));
        let (y0, y1) =
            (line.iter().map(|w| w.y0).fold(f64::MAX, f64::min), line.iter().map(|w| w.y1).fold(0.0, f64::max));
        let h = y1 - y0;
        // A line goes on the paragraph above when close below it, as tall, not indented, and
        // the line above ran to the right edge.
        let goes_on = prev.is_some_and(|(px0, px1, py1, ph)| {
            y0 - py1 <= h && (h - ph).abs() <= 0.2 * h.max(ph) && x0 <= px0 + 0.8 * h && px1 >= right - 2.0 * h
        });
        prev = Some((x0, x1, y1, h));
        match paras.last_mut() {
            Some((_, end, words)) if goes_on => (*end, *words) = (y1, [std::mem::take(words), line].concat()),
            _ => paras.push((y0, y1, line)),
        }
    }
    items.extend(paras.into_iter().map(|(y0, y1, words)| (y0, Item::Para { text: text_of(words), y0, y1 })));
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    items
}

/// A table without rulings: the lines from the first to the last with pieces far apart;
/// columns are the stretches of x the words cover, a row starts with text in the first column.
fn borderless(words: &[&Word]) -> Option<(f64, f64, PageTable)> {
    let lines = visual_lines(words.to_vec());
    let apart = |p: &[&Word]| matches!(p, [a, b] if b.x0 - a.x1 >= 0.6 * a.h().min(b.h()));
    let wide: Vec<usize> =
        (0..lines.len()).filter(|&i| lines.get(i).is_some_and(|l| l.windows(2).any(apart))).collect();
    let region = lines.get(*wide.first()?..=*wide.last()?).filter(|_| wide.len() >= 3)?;
    let mut spans: Vec<(f64, f64, f64)> = region.iter().flatten().map(|w| (w.x0, w.x1, w.h())).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cols: Vec<(f64, f64)> = Vec::new();
    for (x0, x1, h) in spans {
        match cols.last_mut() {
            Some(c) if x0 < c.1 + 0.6 * h => c.1 = c.1.max(x1),
            _ => cols.push((x0, x1)),
        }
    }
    let col_of = |w: &Word| cols.iter().position(|c| w.cx() >= c.0 && w.cx() <= c.1).unwrap_or(0);
    let mut rows: Vec<Vec<Vec<&Word>>> = Vec::new();
    for line in region {
        if rows.is_empty() || line.iter().any(|w| col_of(w) == 0) {
            rows.push(vec![Vec::new(); cols.len()]);
        }
        for w in line {
            rows.last_mut().and_then(|r| r.get_mut(col_of(w))).into_iter().for_each(|cell| cell.push(w));
        }
    }
    let (top, bottom) = (region.first()?.first()?.y0, region.last()?.iter().map(|w| w.y1).fold(0.0, f64::max));
    let cells = rows.into_iter().enumerate().flat_map(|(r, row)| {
        row.into_iter().enumerate().map(move |(c, ws)| PCell { r, c, rs: 1, cs: 1, text: text_of(ws) })
    });
    Some((top - 0.1, bottom + 0.1, (cols.len(), cells.collect()))).filter(|_| cols.len() >= 2)
}
