//! Fuzzes `facebook::parse_blocked`: any input is an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaza_connect::facebook;

fuzz_target!(|data: &[u8]| {
    let _ = facebook::parse_blocked(data);
});
