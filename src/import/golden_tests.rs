//! Golden test over the bundled Tianjin list.
