//! Fuzzes `youtube::parse_channel`: any input is an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaza_connect::youtube;

fuzz_target!(|data: &[u8]| {
    let _ = youtube::parse_channel(data);
});
