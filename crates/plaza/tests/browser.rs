//! The web UI in a real browser: `plaza serve --demo` on loopback, and `tests/browser/ui.mjs`
//! driving Debian's chromium through playwright-core, checking every page with axe-core
//! (WCAG 2.0 and 2.1, A and AA), signing in with JavaScript off, and filling in the forms as
//! people do, mistakes included. `scripts/test` installs chromium and the npm packages and sets
//! `PLAZA_TEST_BROWSER` to the script's directory; without it the test is skipped, and with
//! `PLAZA_REQUIRE_BROWSER=1` (as CI sets) a missing browser fails the run. The screenshots of
//! every page visited are kept in `target/browser-screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// Stops the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_web_ui_in_chromium_passes_its_checks() {
    let Ok(script_dir) = std::env::var("PLAZA_TEST_BROWSER") else {
        assert!(
            std::env::var("PLAZA_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "PLAZA_REQUIRE_BROWSER=1 but PLAZA_TEST_BROWSER names no browser test directory"
        );
        eprintln!("skipped: no browser test setup (run scripts/test)");
        return;
    };
    let data = plaza_store::testing::temp_dir("browser");
    let log = std::fs::File::create(data.with_extension("log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_plaza"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start plaza serve --demo");
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    // The server prints "Plaza is listening on URL" once it accepts connections.
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("the server stopped before listening; see {data:?}.log"))
            .unwrap();
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // keep reading, so the server never blocks on a full pipe
    std::thread::spawn(move || for _ in lines {});

    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let node = std::env::var("PLAZA_NODE").unwrap_or_else(|_| "node".into());
    let out = Command::new(&node)
        .arg(PathBuf::from(&script_dir).join("ui.mjs"))
        .arg(&url)
        .arg(&shots)
        .output()
        .unwrap_or_else(|e| panic!("running {node}: {e}"));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{report}");
    assert!(
        out.status.success(),
        "the browser checks failed (screenshots in {shots:?}):\n{report}"
    );
    assert!(
        report.contains("all checks passed") && report.matches("\nok ").count() > 50,
        "the browser script ran too few checks:\n{report}"
    );
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_file(data.with_extension("log"));
}
