//! Fuzzes `x::parse_timeline`: any input is an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaza_connect::x;

fuzz_target!(|data: &[u8]| {
    let _ = x::parse_timeline(data);
});
