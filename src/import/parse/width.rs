//! How wide a line of the PDF extraction is, and which short lines were one printed line.
//!
//! Columns of the table have a fixed printed width, so the width of a text line says a lot
//! about which column it came from: in the Tianjin list a content line is about 30 half-width
//! units, a lead line about 12, a responsible line about 18-20. The extraction also cuts a
//! printed line into several text lines at punctuation ("与电子营业执照相关联，" + "拓展电子"),
//! so widths are compared per *visual* line: consecutive fragments that meet at punctuation
//! and together still fit the column.

/// Width in half-width units: ASCII (digits, Latin letters, spaces) is 1, everything else 2.
pub(super) fn width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// A printed line may exceed the column's usual width by one full-width character: the
/// typesetter compresses punctuation (e.g. "输委、市卫生健康委、" is 20 in an 18 column).
pub(super) const SLACK: usize = 2;

/// How far below the column width a line may stop and still count as "full". Kinsoku
/// (no 、 at a line start) pushes a character down, compressed punctuation pulls one up.
pub(super) fn full_tolerance(column_width: usize) -> usize {
    (column_width / 6).max(4)
}

/// Punctuation after which the extraction may cut a printed line into fragments.
const FRAGMENT_END: &str = "，、。；：！？）》”」』,;:)";
/// Punctuation before which the extraction may cut a printed line into fragments.
const FRAGMENT_START: &str = "《“（「『，、。；：）》”(";

/// Whether `next` may continue the printed line that `prev` started: the extraction only
/// cuts printed lines at punctuation.
pub(super) fn joins_at_punctuation(prev: &str, next: &str) -> bool {
    prev.trim_end().chars().last().is_some_and(|c| FRAGMENT_END.contains(c))
        || next.trim_start().chars().next().is_some_and(|c| FRAGMENT_START.contains(c))
}

/// Widths of the visual lines formed by `fragments` (text, glued-to-next). Glued fragments
/// come from one source line and always stay together; others join at punctuation while
/// the joined width stays within `limit`. With no limit (width unknown), only glued
/// fragments join.
pub(super) fn visual_lines<'t>(
    fragments: impl IntoIterator<Item = (&'t str, bool)>,
    limit: Option<usize>,
) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut current: Option<(usize, &str, bool)> = None;
    for (text, glued) in fragments {
        let w = width(text);
        current = match current {
            None => Some((w, text, glued)),
            Some((acc, prev, prev_glued)) => {
                let fits = limit.is_some_and(|l| acc + w <= l);
                if prev_glued || (fits && joins_at_punctuation(prev, text)) {
                    Some((acc + w, text, glued))
                } else {
                    lines.push(acc);
                    Some((w, text, glued))
                }
            }
        };
    }
    if let Some((acc, _, _)) = current {
        lines.push(acc);
    }
    lines
}
