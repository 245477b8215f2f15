//! HTML input: main-content extraction and page metadata.
//!
//! - [`flatten`]: the naive, linear flattener (all visible text);
//! - [`decode`]: bytes of a page to text, by BOM, `<meta charset>` or UTF-8.

pub mod decode;
pub mod flatten;

pub use flatten::{ExtractedPage, extract};
