//! Quirks of the PDF layout, each on a small excerpt of the Tianjin list (tasks renumbered
//! from 1, a category line added where the excerpt starts mid-category).
