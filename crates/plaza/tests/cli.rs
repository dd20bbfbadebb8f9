//! The `plaza` binary as an operator uses it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use plaza_core::SystemClock;
use plaza_store::Store;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

fn plaza() -> Command {
    Command::new(env!("CARGO_BIN_EXE_plaza"))
}

fn run(args: &[&str]) -> Output {
    plaza().args(args).output().expect("run plaza")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn tmp(name: &str) -> PathBuf {
    plaza_store::testing::temp_dir(name)
}

fn init(dir: &Path) {
    let pw = dir.with_extension("pw");
    std::fs::write(&pw, "a long enough password\n").unwrap();
    let o = run(&[
        "init",
        "--data",
        dir.to_str().unwrap(),
        "--admin-name",
        "Pat Example",
        "--admin-email",
        "pat@ci.claremont.ca.us",
        "--admin-password-file",
        pw.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn policy_check_accepts_the_default_and_names_the_line_of_each_error() {
    let dir = tmp("policy");
    let good = dir.join("good.toml");
    std::fs::write(&good, plaza_core::policy::DEFAULT_POLICY).unwrap();
    let o = run(&["policy", "check", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("70 clauses (21 comment categories), 0 blocked domains"));
    let blocking = dir.join("blocking.toml");
    std::fs::write(
        &blocking,
        plaza_core::policy::DEFAULT_POLICY.replacen(
            "blocked_domains = []",
            "blocked_domains = [\"scam-deals.net\"]",
            1,
        ),
    )
    .unwrap();
    let o = run(&["policy", "check", blocking.to_str().unwrap()]);
    assert!(text(&o).contains(", 1 blocked domain\n"), "{}", text(&o));
    let bad = dir.join("bad.toml");
    let broken = plaza_core::policy::DEFAULT_POLICY
        .replacen("close = \"17:00\"", "close = \"07:00\"", 1)
        .replacen("id = \"B.3\"", "id = \"B3\"", 1);
    std::fs::write(&bad, &broken).unwrap();
    let o = run(&["policy", "check", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    let out = text(&o);
    let close_line = broken.lines().position(|l| l.starts_with("close")).unwrap() + 1;
    let id_line = broken.lines().position(|l| l == "id = \"B3\"").unwrap() + 1;
    assert!(
        out.contains(&format!(
            "bad.toml:{close_line}: settings.business_hours.close must be after open"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("bad.toml:{id_line}: clause id \"B3\"")),
        "{out}"
    );
}

#[test]
fn init_refuses_bad_input_and_leaves_nothing_behind() {
    let dir = tmp("badinit");
    let data = dir.join("data");
    let pw = dir.join("pw");
    std::fs::write(&pw, "a long enough password").unwrap();
    let o = run(&[
        "init",
        "--data",
        data.to_str().unwrap(),
        "--admin-name",
        "Pat",
        "--admin-email",
        "pat@gmail.com",
        "--admin-password-file",
        pw.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("not on an official city domain"),
        "{}",
        text(&o)
    );
    assert!(!data.join("checkpoint.key").exists());
    let o = run(&[
        "init",
        "--data",
        data.to_str().unwrap(),
        "--admin-name",
        "Pat",
        "--admin-email",
        "pat@ci.claremont.ca.us",
        "--admin-roles",
        "pio,emperor",
        "--admin-password-file",
        pw.to_str().unwrap(),
    ]);
    assert!(text(&o).contains("emperor"), "{}", text(&o));
    assert!(!data.join("checkpoint.key").exists());
}

fn tamper(data: &Path, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", data.join("plaza.db").display());
        let store = Store::open(&url, Arc::new(SystemClock)).await.unwrap();
        assert_eq!(
            store.try_statement(store.drop_guards_sql()).await.unwrap(),
            None
        );
        assert_eq!(store.try_statement(sql).await.unwrap(), None);
        store.close().await;
    });
}

#[test]
fn verify_passes_on_a_clean_record_and_names_the_first_bad_entry() {
    let dir = tmp("verify");
    let data = dir.join("data");
    init(&data);
    let o = run(&["checkpoint", "--data", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&["verify", "--data", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.starts_with("ok: 3 records, checkpoint 3"), "{out}");
    tamper(
        &data,
        "UPDATE record_payloads SET body = replace(body, 'Pat Example', 'Pat Exampel') WHERE seq = 2",
    );
    let o = run(&["verify", "--data", data.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("record 2: the payload does not match its SHA-256"),
        "{}",
        text(&o)
    );
    // a key from elsewhere is not trusted
    let o = run(&[
        "verify",
        "--data",
        data.to_str().unwrap(),
        "--public-key",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    ]);
    assert!(!o.status.success());
}

#[test]
fn serve_binds_port_zero_prints_the_address_and_answers() {
    let dir = tmp("serve");
    let data = dir.join("data");
    init(&data);
    let mut child = plaza()
        .args([
            "serve",
            "--data",
            data.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("plaza printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("Plaza is listening on http://") {
            break rest.trim().to_string();
        }
    };
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"status\":\"ok\""), "{resp}");
}

#[test]
fn serve_without_an_instance_explains_what_to_do() {
    let dir = tmp("noinst");
    let o = run(&[
        "serve",
        "--data",
        dir.join("nothing").to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("plaza init"), "{}", text(&o));
}

fn moderate(args: &[&str], input: &[u8]) -> (Vec<serde_json::Value>, Output) {
    let mut child = plaza()
        .arg("moderate")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines, out)
}

#[test]
fn moderate_answers_every_line_in_order_and_survives_any_input() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\": \"a\", \"text\": \"You are a m0r0n\"}\n");
    input.extend_from_slice(b"not json\n");
    input.extend_from_slice(b"{\"id\": 7}\n");
    input.extend_from_slice(b"\xff\xfe\x00garbage\n");
    input.extend_from_slice(b"{\"id\": \"b\", \"text\": \"my SSN is 123-45-6789\", \"author\": \"x\", \"site\": \"s\"}\n");
    input.extend_from_slice(
        format!(
            "{{\"id\": \"c\", \"text\": \"{}\"}}\n",
            "ж😀中文 ".repeat(20_000)
        )
        .as_bytes(),
    );
    input.extend_from_slice(b"{\"id\": \"d\", \"text\": \"\"}\n");
    input.extend_from_slice(b"  \n");
    let (out, status) = moderate(&[], &input);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert_eq!(out.len(), 8);
    assert_eq!(out[0]["id"], "a");
    assert_eq!(out[0]["signals"].as_object().unwrap().len(), 20);
    assert_eq!(out[0]["decision"], "review");
    assert_eq!(out[0]["clauses"][0]["evidence"][0]["text"], "m0r0n");
    assert!(
        out[1]["error"]
            .as_str()
            .unwrap()
            .contains("line 2 is not JSON")
    );
    assert_eq!(out[2]["id"], 7);
    assert!(out[2]["error"].as_str().unwrap().contains("text"));
    assert!(
        out[3]["error"]
            .as_str()
            .unwrap()
            .contains("line 4 is not UTF-8")
    );
    assert!(
        out[4]["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["clause"] == "C.7.xi")
    );
    assert_eq!(out[5]["id"], "c");
    assert_eq!(out[6]["decision"], "allow");
    assert!(
        out[7]["error"]
            .as_str()
            .unwrap()
            .contains("line 8 is empty")
    );
}

#[test]
fn moderate_lines_numbers_plain_text_from_one() {
    let (out, _) = moderate(
        &["--lines"],
        b"Someone is breaking into cars on 5th St\nthanks for the update\n",
    );
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["id"], "1");
    assert_eq!(out[0]["escalate"], true);
    assert!(
        out[0]["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["clause"] == "C.7.xvii")
    );
    assert_eq!(out[1]["id"], "2");
}

#[test]
fn moderate_names_a_bad_policy_or_model() {
    let dir = tmp("modbad");
    let p = dir.join("p.toml");
    std::fs::write(&p, "format = 1\n").unwrap();
    let (_, out) = moderate(&["--policy", p.to_str().unwrap()], b"");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("p.toml is invalid"));
    let (_, out) = moderate(
        &["--blocklist", dir.join("none.txt").to_str().unwrap()],
        b"",
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("none.txt"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = dir.join("m.plzm");
    std::fs::write(&m, b"PLZM garbage garbage garbage").unwrap();
    let (_, out) = moderate(&["--model", m.to_str().unwrap()], b"");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("checksum"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn moderate_eval_prints_the_figures_and_names_bad_input() {
    let dir = tmp("eval");
    let csv = dir.join("c.csv");
    std::fs::write(&csv, "text,label\n\"Check out my channel and subscribe http://bit.ly/x\",1\n\"When is the council meeting?\",0\n\"FREE giveaway click here www.prizes.example.com\",1\n\"Thanks for fixing the lights\",0\n").unwrap();
    let o = run(&[
        "moderate",
        "eval",
        "--signal",
        "spam",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("spam: 4 comments, 2 positive")
            && out.contains("macro-F1")
            && out.contains("ROC-AUC"),
        "{out}"
    );
    let o = run(&[
        "moderate",
        "eval",
        "--signal",
        "rudeness",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("unknown signal or group \"rudeness\""));
    let o = run(&["moderate", "eval", "--signal", "spam"]);
    assert!(text(&o).contains("give either --text and --labels, or --csv"));
}

#[test]
fn bench_moderate_prints_rates_and_memory() {
    let o = run(&["bench", "moderate", "--count", "500"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("500 comments")
            && out.contains("/s on one thread")
            && out.contains("peak memory"),
        "{out}"
    );
}

#[test]
fn site_add_refuses_bad_input_naming_it_and_stores_nothing() {
    let dir = tmp("site-add");
    init(&dir);
    let secret = dir.with_extension("secret");
    std::fs::write(&secret, "app-password\n").unwrap();
    let d = dir.to_str().unwrap();
    let s = secret.to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "site",
                "add",
                "mastodon",
                "--handle",
                "city@m.example",
                "--service",
                "http://m.example",
                "--token-file",
                s,
            ],
            "must use https",
        ),
        (
            &[
                "site",
                "add",
                "mastodon",
                "--handle",
                "city@m.example",
                "--token-file",
                s,
            ],
            "--service is required for Mastodon",
        ),
        (
            &[
                "site",
                "add",
                "bluesky",
                "--handle",
                "city.example",
                "--service",
                "pds.example",
                "--secret-file",
                s,
            ],
            "invalid --service: \"pds.example\" is not a web address",
        ),
        (
            &[
                "site",
                "add",
                "bluesky",
                "--handle",
                "city.example",
                "--expires",
                "soon",
                "--secret-file",
                s,
            ],
            "--expires \"soon\" is not a date",
        ),
        (
            &[
                "site",
                "add",
                "linkedin",
                "--handle",
                "city",
                "--secret-file",
                s,
            ],
            "LinkedIn has no API",
        ),
        (
            &[
                "site",
                "add",
                "bluesky",
                "--handle",
                "city.example",
                "--email",
                "me@gmail.com",
                "--secret-file",
                s,
            ],
            "registration_email",
        ),
    ];
    for (args, want) in cases {
        let o = plaza().args(args).args(["--data", d]).output().unwrap();
        assert!(!o.status.success(), "{args:?} should fail");
        assert!(text(&o).contains(want), "{args:?}: {}", text(&o));
    }
    let o = run(&["site", "list", "--data", d]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "",
        "nothing was registered"
    );
    assert!(!dir.join("secrets").exists(), "no secret was written");

    let o = run(&[
        "site",
        "add",
        "bluesky",
        "--handle",
        "city.example",
        "--app-password-file",
        s,
        "--data",
        d,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&["site", "list", "--data", d]);
    let listed = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        listed.contains("bluesky")
            && listed.contains("active")
            && listed.contains("connected to https://bsky.social"),
        "{listed}"
    );
    let secret_file = dir.join("secrets").join("site-1.secret");
    assert_eq!(
        std::fs::read_to_string(&secret_file).unwrap(),
        "app-password"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&secret_file)
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    // The database and the record name the credential by its hash, never the secret itself.
    let mut db = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().contains("plaza.db") {
            db.extend(std::fs::read(&p).unwrap());
        }
    }
    assert!(!db.is_empty());
    assert!(
        !db.windows(12).any(|w| w == b"app-password"),
        "the secret is in the database"
    );
    // ... by a keyed fingerprint, not a bare SHA-256 that would let a reader of the public
    // record test guesses of a weak password
    let bare = plaza_core::hex(&plaza_core::record::sha256(b"app-password"));
    assert!(
        !db.windows(bare.len()).any(|w| w == bare.as_bytes()),
        "the bare SHA-256 of the secret is in the database"
    );
    let key =
        std::fs::read_to_string(dir.join("secrets").join("credential-fingerprint.key")).unwrap();
    let expected = format!(
        "hmac-sha256:{}",
        plaza_core::hex(&plaza_core::record::hmac_sha256(
            &plaza_core::unhex(key.trim()).unwrap(),
            b"app-password"
        ))
    );
    assert!(
        db.windows(expected.len()).any(|w| w == expected.as_bytes()),
        "the record names the credential by its fingerprint under the instance's key"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("secrets").join("credential-fingerprint.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(dir.join("secrets"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            dir_mode & 0o777,
            0o700,
            "the secrets directory is the owner's only"
        );
    }
}
