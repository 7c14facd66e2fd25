//! Property tests: the document parser on random and mutated text, and random operations
//! over the real schema through the real router.

mod generator;
mod model;
mod operations;
mod parser;
mod regressions;
