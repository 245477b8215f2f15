//! Fuzz target `pipeline_html`: the whole pipeline on an HTML page. The
//! first byte selects the options (see `Flags`), the rest is the page's
//! bytes, decoded as the CLI decodes files (`html::decode::decode_html`:
//! BOM, declared charset, UTF-8, windows-1252). Asserts the invariants of
//! `newsenrich_fuzz::check_record` and the time budget.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsenrich::pipeline::Content;
use newsenrich::pipeline::html::decode::decode_html;
use newsenrich_fuzz::{Flags, enrich_and_check, install_panic_hook};

fuzz_target!(
    init: {
        install_panic_hook();
        std::sync::LazyLock::force(&newsenrich_fuzz::PIPELINE);
    },
    |data: &[u8]| {
        let (flags, content) = Flags::split(data);
        enrich_and_check(Content::Html(decode_html(content)), flags);
    }
);
