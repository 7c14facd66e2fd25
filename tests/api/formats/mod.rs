//! Lists as offices hold them: documents rendered from a known truth into each format and
//! layout, read back and compared field by field; hostile files refused; imports through the
//! database and the API.

mod hostile;
mod imports;
mod layouts;
mod properties;
pub mod render;
mod seeds;
pub mod truth;
