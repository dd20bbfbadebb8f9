//! Fuzzes `graph::parse_success`: any input is an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaza_connect::graph;

fuzz_target!(|data: &[u8]| {
    let _ = graph::parse_success("Facebook", "hide", data);
});
