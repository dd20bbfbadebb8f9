//! The `plaza` binary's library half: the instance on disk, the demo city and the benchmarks,
//! shared by `main.rs` and the tests.

pub mod bench;
pub mod capture;
pub mod demo;
pub mod import;
pub mod instance;
pub mod moderate;
pub mod ops;
