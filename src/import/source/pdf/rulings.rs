//! Ruling lines from `pdftocairo -svg`: thin stroked or filled paths, transforms applied.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::Seg;
use super::words::attr;

type Matrix = [f64; 6];

/// `parent` then the element's `transform="matrix(a,b,c,d,e,f)"` (the only kind cairo writes).
fn compose(p: &Matrix, e: &BytesStart) -> Matrix {
    let t = attr(e, "transform").unwrap_or_default();
    let inner = t.trim().strip_prefix("matrix(").and_then(|s| s.strip_suffix(')')).unwrap_or("");
    let nums: Vec<f64> = inner.split([',', ' ']).filter_map(|n| n.trim().parse().ok()).collect();
    let [a, b, c, d, e, f] = nums.as_slice() else { return *p };
    let [p0, p1, p2, p3, p4, p5] = *p;
    [p0 * a + p2 * b, p1 * a + p3 * b, p0 * c + p2 * d, p1 * c + p3 * d, p0 * e + p2 * f + p4, p1 * e + p3 * f + p5]
}

/// The ruling lines of each page from `pdftocairo -svg` (one `<page>` each when more than one):
/// cairo writes each as a `<path style=… d=… transform=…>`.
pub(super) fn parse_rulings(svg: &str) -> Vec<Vec<Seg>> {
    let mut reader = Reader::from_str(svg);
    let (mut pages, mut stack, mut skip): (Vec<Vec<Seg>>, Vec<Matrix>, usize) = (Vec::new(), Vec::new(), 0);
    loop {
        let (e, empty) = match reader.read_event() {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(_)) => {
                stack.pop();
                skip = if stack.len() < skip { 0 } else { skip };
                continue;
            }
            Ok(Event::Eof) | Err(_) => return pages,
            _ => continue,
        };
        let (name, m) = (e.local_name(), compose(stack.last().unwrap_or(&[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]), &e));
        // Glyphs, clip paths and the like are defined in <defs>, <symbol>, …: not rulings.
        let hidden = skip > 0 || matches!(name.as_ref(), b"defs" | b"symbol" | b"clipPath" | b"mask" | b"pattern");
        let path = name.as_ref() == b"path" && !hidden;
        if name.as_ref() == b"page" || path && pages.is_empty() {
            pages.push(Vec::new());
        }
        if let Some(page) = pages.last_mut().filter(|_| path) {
            shape_rulings(&e, &m, &path_points(&attr(&e, "d").unwrap_or_default()), page);
        }
        if !empty {
            stack.push(m);
            skip = if hidden && skip == 0 { stack.len() } else { skip };
        }
    }
}

/// The subpaths of a path's `d` as polylines; cairo writes absolute M, L, C and Z only (a curve
/// is kept by its end point).
fn path_points(d: &str) -> Vec<Vec<(f64, f64)>> {
    let (mut subpaths, mut nums, mut cmd) = (Vec::<Vec<(f64, f64)>>::new(), Vec::<f64>::new(), 'M');
    let spaced: String =
        d.chars().map(|c| if c.is_ascii_alphabetic() && c != 'e' { format!(" {c} ") } else { c.into() }).collect();
    for token in spaced.split([' ', ',', '\n', '\t', '\r']).filter(|t| !t.is_empty()).chain(["."]) {
        let Err(_) = token.parse::<f64>().map(|n| nums.push(n)) else { continue };
        let step = if cmd == 'C' { 6 } else { 2 };
        let points = nums.chunks_exact(step).filter_map(|c| if let [.., x, y] = c { Some((*x, *y)) } else { None });
        if let Some(sub) = subpaths.last_mut().filter(|_| "MLC".contains(cmd)) {
            sub.extend(points);
        }
        nums.clear();
        cmd = token.chars().next().unwrap_or('.');
        match (cmd, subpaths.last_mut()) {
            ('M', _) => subpaths.push(Vec::new()),
            ('Z' | 'z', Some(sub)) => sub.extend(sub.first().copied().into_iter().collect::<Vec<_>>()),
            _ => {}
        }
    }
    subpaths
}

/// Adds the rulings a shape makes: axis-parallel pieces of a stroke, thin filled boxes.
fn shape_rulings(e: &BytesStart, m: &Matrix, shape: &[Vec<(f64, f64)>], out: &mut Vec<Seg>) {
    let style = attr(e, "style").unwrap_or_default().replace(' ', "").to_ascii_lowercase();
    let paints = |key: &str| {
        let value = style.split(';').find_map(|kv| kv.strip_prefix(key));
        value.is_some_and(|v| !matches!(v, "none" | "white" | "#fff" | "#ffffff" | "rgb(100%,100%,100%)"))
    };
    let (stroked, filled) = (paints("stroke:"), paints("fill:"));
    let seg = |(ax, ay): (f64, f64), (bx, by): (f64, f64), thin: f64| {
        let (dx, dy) = ((bx - ax).abs(), (by - ay).abs());
        if dy <= thin && dx >= 1.0 {
            Some(Seg { horiz: true, at: (ay + by) / 2.0, from: ax.min(bx), to: ax.max(bx) })
        } else if dx <= thin && dy >= 1.0 {
            Some(Seg { horiz: false, at: (ax + bx) / 2.0, from: ay.min(by), to: ay.max(by) })
        } else {
            None
        }
    };
    for sub in shape {
        let pts: Vec<(f64, f64)> =
            sub.iter().map(|&(x, y)| (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])).collect();
        if stroked {
            out.extend(pts.windows(2).filter_map(|w| if let [a, b] = w { seg(*a, *b, 0.8) } else { None }));
        } else if filled && pts.len() >= 3 {
            let (x0, x1) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
            let (y0, y1) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
            let (mx, my) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
            if (x1 - x0).min(y1 - y0) <= 2.5 {
                out.extend(if x1 - x0 > y1 - y0 { seg((x0, my), (x1, my), 2.5) } else { seg((mx, y0), (mx, y1), 2.5) });
            }
        }
    }
}
