//! Fuzzes `bluesky::parse_author_feed`: any input is an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaza_connect::bluesky;

fuzz_target!(|data: &[u8]| {
    let _ = bluesky::parse_author_feed(data, "did:plc:city");
});
