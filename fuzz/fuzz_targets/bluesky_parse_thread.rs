//! Fuzzes `bluesky::parse_thread`: any input is an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaza_connect::bluesky;

fuzz_target!(|data: &[u8]| {
    let _ = bluesky::parse_thread(
        data,
        &["at://did:plc:city/app.bsky.feed.post/2".to_string()],
    );
});
