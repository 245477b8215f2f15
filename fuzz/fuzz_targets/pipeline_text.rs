//! Fuzz target `pipeline_text`: the whole pipeline on plain text. The first
//! byte selects the options (see `Flags`), the rest is the article (lossy
//! UTF-8). Asserts the invariants of `newsenrich_fuzz::check_record` (spans
//! in all three encodings, caps, order, speaker links) and the time budget.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsenrich::pipeline::Content;
use newsenrich_fuzz::{Flags, enrich_and_check, install_panic_hook};

fuzz_target!(
    init: {
        install_panic_hook();
        std::sync::LazyLock::force(&newsenrich_fuzz::PIPELINE);
    },
    |data: &[u8]| {
        let (flags, content) = Flags::split(data);
        let text = String::from_utf8_lossy(content).into_owned();
        enrich_and_check(Content::Text(text), flags);
    }
);
