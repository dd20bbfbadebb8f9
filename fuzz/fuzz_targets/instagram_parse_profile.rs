//! Fuzzes `instagram::parse_profile`: any input is an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaza_connect::instagram;

fuzz_target!(|data: &[u8]| {
    let _ = instagram::parse_profile(data);
});
