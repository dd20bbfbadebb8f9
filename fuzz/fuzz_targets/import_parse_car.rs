//! Fuzzes `import::parse_car`: any input is an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plaza_connect::import;

fuzz_target!(|data: &[u8]| {
    let _ = import::parse_car(data);
});
