//! Fuzzes `mastodon::parse_statuses`: any input is an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaza_connect::mastodon;

fuzz_target!(|data: &[u8]| {
    let _ = mastodon::parse_statuses(data);
});
