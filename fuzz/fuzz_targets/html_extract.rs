//! Fuzz target `html_extract`: `html::decode::decode_html` then
//! `html::extract_page_scanned` with the default limits and the DOM scan
//! (the service's path with its content scorer: the block scan and
//! readability run too), and the naive flattener.
//! Asserts: no panic (panics inside trafilatura and readability, which
//! `extract_page_scanned` catches, are tolerated and printed), every block
//! of the extractor and of readability non-empty with its white space
//! trimmed, removed blocks non-empty, the flattener's title
//! `None` when blank, a TIME_BUDGET warning under a spent budget, and the
//! time budget.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use newsenrich::pipeline::Budget;
use newsenrich::pipeline::budget::CancelFlag;
use newsenrich::pipeline::html::{self, HtmlLimits, decode::decode_html};
use newsenrich_fuzz::{BUDGET, Flags, check_time, install_panic_hook, thread_cpu_time};

fuzz_target!(
    init: install_panic_hook(),
    |data: &[u8]| {
        let (flags, content) = Flags::split(data);
        let page_text = decode_html(content);
        let limits = HtmlLimits::default();
        let limit = if flags.zero_budget() { Duration::ZERO } else { BUDGET };
        let budget = Budget::new(Some(limit), CancelFlag::new());
        let cpu_started = thread_cpu_time();
        let page = html::extract_page_scanned(&page_text, &limits, &mut budget.meter(), true);
        check_time(cpu_started, budget.elapsed(), limit);
        for block in page.blocks.iter().chain(page.readability.iter().flatten()) {
            assert!(!block.text.is_empty(), "empty block");
            assert_eq!(block.text.trim(), block.text, "block not trimmed");
        }
        for removed in &page.removed {
            assert!(!removed.text.trim().is_empty(), "blank removed block");
        }
        if flags.zero_budget() {
            assert!(
                page.warnings
                    .iter()
                    .any(|w| w.code == newsenrich::pipeline::WarningCode::TimeBudget),
                "a spent budget gave no TIME_BUDGET warning"
            );
        }
        let flat = html::flatten::extract(&page_text, limits.max_elements);
        if let Some(title) = &flat.title {
            assert!(!title.trim().is_empty(), "blank title is not None");
        }
    }
);
