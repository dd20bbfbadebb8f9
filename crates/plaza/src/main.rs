//! `plaza`: one binary for the server, set-up, verification, benchmarks and admin tasks.

use plaza::{bench, capture, demo, import, instance, moderate, ops};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use plaza_server::{App, ServerConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "plaza",
    version,
    about = "Plaza governs a city's official social media and keeps its public record."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (staff UI, public pages, JSON API).
    Serve {
        /// Data directory (database, signing key, configuration).
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long)]
        listen: Option<String>,
        /// If the data directory is new, create the fictional demo city in it.
        #[arg(long)]
        demo: bool,
    },
    /// Create a new instance: signing key, database, policy and the first administrator.
    Init {
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
        /// Policy file (TOML); the default policy if omitted.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Name of the record log in signed checkpoints (e.g. your city's domain).
        #[arg(long)]
        origin: Option<String>,
        #[arg(long)]
        admin_name: String,
        #[arg(long)]
        admin_email: String,
        #[arg(long, default_value = "Public Information Officer")]
        admin_title: String,
        #[arg(long, default_value = "Communications")]
        admin_department: String,
        /// Roles of the first administrator (comma-separated).
        #[arg(long, default_value = "pio")]
        admin_roles: String,
        /// File holding the administrator's password (not on the command line).
        #[arg(long)]
        admin_password_file: PathBuf,
        /// Database URL (sqlite://PATH or postgres://...); SQLite in the data directory if omitted.
        #[arg(long, env = "PLAZA_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Re-check every hash, the chain, the Merkle tree and every checkpoint signature.
    Verify {
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
        /// Trust this Ed25519 public key (base64) instead of the data directory's key.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Sign a checkpoint of the record now.
    Checkpoint {
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
    },
    /// Moderate comments read from standard input: one JSON line in, one JSON line out, in
    /// order. Input lines are {"id": ..., "text": ..., "author", "site", "thread",
    /// "parent_text", "at_ms"} (only id and text required); with --lines, plain text, one
    /// comment a line, numbered from 1.
    #[command(args_conflicts_with_subcommands = true)]
    Moderate {
        #[command(subcommand)]
        command: Option<ModerateCommand>,
        /// Read plain text, one comment a line.
        #[arg(long)]
        lines: bool,
        /// Policy file (the default policy if omitted).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Model file (the shipped model if omitted).
        #[arg(long)]
        model: Option<PathBuf>,
        /// A blocklist of domains, one a line (`#` starts a comment), added to the policy's
        /// `settings.blocked_domains`.
        #[arg(long)]
        blocklist: Option<PathBuf>,
    },
    /// Policy files.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Official sites from the command line: register and connect them for capture.
    Site {
        #[command(subcommand)]
        command: SiteCommand,
    },
    /// Capture posts, comments and followers from every active, connected site.
    Capture {
        /// Run one pass and exit (`plaza serve` runs passes on a schedule).
        #[arg(long)]
        once: bool,
        /// Only this site (its id).
        #[arg(long)]
        site: Option<i64>,
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
    },
    /// Import a platform export into a site's record: a Bluesky repository (CAR), an X
    /// archive (zip), a Facebook Page download (JSON or zip), a Mastodon outbox.json. Checked
    /// whole first; resumable; importing the same file twice adds nothing.
    Import {
        file: PathBuf,
        /// The site (its id; see `plaza site list`).
        #[arg(long)]
        site: i64,
        /// bluesky-car, x-archive, facebook-page or mastodon-outbox (detected if omitted).
        #[arg(long)]
        format: Option<String>,
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
    },
    /// Capture continuity of every active site: last capture, gaps, failing captures and
    /// credentials about to expire. Exits 3 when something needs attention.
    Status {
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Benchmarks that print figures.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(clap::Args)]
struct ConnectionArgs {
    /// The API base: a Bluesky PDS (default https://bsky.social), a Mastodon instance, ...
    #[arg(long)]
    service: Option<String>,
    /// Bluesky: the appview to read threads and followers from (default the public appview).
    #[arg(long)]
    appview: Option<String>,
    /// The account id where it differs from the handle (a page id, a channel id, a user id).
    #[arg(long)]
    account: Option<String>,
    /// File holding the app password or access token.
    #[arg(long, alias = "app-password-file", alias = "token-file")]
    secret_file: PathBuf,
    /// When the credential expires (YYYY-MM-DD), if the platform sets a date.
    #[arg(long)]
    expires: Option<String>,
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)]
enum SiteCommand {
    /// Register an existing official account as an active site, with its credential.
    Add {
        /// bluesky, mastodon, facebook, instagram, youtube, x.
        platform: String,
        #[arg(long)]
        handle: String,
        #[arg(long)]
        name: Option<String>,
        /// The public address of the account.
        #[arg(long)]
        url: Option<String>,
        #[arg(long, default_value = "Communications")]
        department: String,
        /// The official address the account is registered with (B.10).
        #[arg(long)]
        email: Option<String>,
        #[arg(long, default_value = "Official city information")]
        purpose: String,
        /// The person registering it (email); the first administrator if omitted.
        #[arg(long = "as")]
        as_email: Option<String>,
        #[arg(
            long,
            default_value = "existing official account registered from the command line"
        )]
        reason: String,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
    },
    /// Connect (or re-connect, e.g. with a renewed token) a site that exists.
    Connect {
        site: i64,
        #[command(flatten)]
        connection: ConnectionArgs,
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
    },
    /// Facebook Pages: everyone with a role on the Page next to Plaza's written
    /// authorizations for the site (B.9). Exits 3 if someone has a role but no authorization.
    Roles {
        site: i64,
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
    },
    /// Facebook Pages: set up webhooks (the Page pushes changes, Plaza captures at once).
    /// Prints the callback path and the verify token to enter in the Meta app.
    Webhook {
        site: i64,
        /// File holding the Meta app's app secret (it signs every delivery).
        #[arg(long)]
        app_secret_file: PathBuf,
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
    },
    /// List the sites with their state and connection.
    List {
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Validate a policy file; each error names its line.
    Check { file: PathBuf },
    /// Load a new policy version into an instance.
    Load {
        file: PathBuf,
        #[arg(long, default_value = "plaza-data")]
        data: PathBuf,
    },
}

#[derive(Subcommand)]
enum ModerateCommand {
    /// Score a labelled file for a signal or group and print precision, recall, F1, macro-F1
    /// and ROC-AUC. Either --text and --labels (one a line, TweetEval style), or --csv with
    /// --text-column and --label-column.
    Eval {
        /// offensive, hate, spam, or a signal name.
        #[arg(long)]
        signal: String,
        #[arg(long)]
        text: Option<PathBuf>,
        #[arg(long)]
        labels: Option<PathBuf>,
        #[arg(long)]
        csv: Option<PathBuf>,
        #[arg(long, default_value = "text")]
        text_column: String,
        #[arg(long, default_value = "label")]
        label_column: String,
        /// Label values that mean "present" (comma-separated).
        #[arg(long, default_value = "1")]
        positive: String,
        #[arg(long)]
        policy: Option<PathBuf>,
        /// A model file to evaluate instead of the shipped one.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Train the model from the labelled public data (training splits; thresholds chosen on
    /// the validation splits) and write the model file.
    Train {
        /// The directory of the labelled data (../shared/data/moderation).
        #[arg(long)]
        data: PathBuf,
        /// Where to write the model; without it, only the validation figures are printed.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Hash buckets: 2^bits.
        #[arg(long, default_value_t = 18)]
        bits: u32,
        /// Training settings, for tuning on the validation sets (defaults: the shipped model's).
        #[arg(long)]
        epochs: Option<usize>,
        #[arg(long)]
        learning_rate: Option<f32>,
        #[arg(long)]
        l2: Option<f32>,
        /// Positive-class weight exponent: (negatives/positives)^balance.
        #[arg(long)]
        balance: Option<f32>,
        /// The shuffling seed: training with several shows how much of a difference between
        /// two settings is noise.
        #[arg(long)]
        seed: Option<u64>,
        /// Write each model trained with one spam video left out into this directory
        /// (`without-VIDEO.plzm`), to inspect that video's errors with `--model`.
        #[arg(long)]
        folds: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Comments per second through the moderation engine, on one thread and on all threads,
    /// and the peak memory.
    Moderate {
        #[arg(long, default_value_t = 200_000)]
        count: usize,
    },
    /// Comments per second end to end: parse the platform payload, classify, record, index
    /// (SQLite; PostgreSQL with --postgres).
    Ingest {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        /// Comments per thread (one transaction each).
        #[arg(long, default_value_t = 250)]
        thread: usize,
        /// A PostgreSQL URL of an empty database to benchmark too.
        #[arg(long, env = "PLAZA_BENCH_POSTGRES")]
        postgres: Option<String>,
    },
    /// Append and verify rates of the record (SQLite; PostgreSQL with --postgres).
    Record {
        #[arg(long, default_value_t = 200_000)]
        count: usize,
        #[arg(long, default_value_t = 1_000)]
        batch: usize,
        /// A PostgreSQL URL of an empty database to benchmark too.
        #[arg(long, env = "PLAZA_BENCH_POSTGRES")]
        postgres: Option<String>,
    },
}

fn main() -> ExitCode {
    // `plaza ... | head` closes standard output early: end quietly, as other tools do, instead
    // of reporting a panic from println!.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info);
    }));
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PLAZA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx=error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve { data, listen, demo } => serve(&data, listen, demo).await,
        Command::Init {
            data,
            policy,
            origin,
            admin_name,
            admin_email,
            admin_title,
            admin_department,
            admin_roles,
            admin_password_file,
            database_url,
        } => {
            let policy_text = match policy {
                Some(p) => std::fs::read_to_string(&p)
                    .with_context(|| format!("reading {}", p.display()))?,
                None => plaza_core::policy::DEFAULT_POLICY.to_string(),
            };
            let password = std::fs::read_to_string(&admin_password_file)
                .with_context(|| format!("reading {}", admin_password_file.display()))?
                .trim_end_matches(['\n', '\r'])
                .to_string();
            let origin = origin.unwrap_or_else(|| {
                format!(
                    "{}/plaza",
                    admin_email
                        .rsplit_once('@')
                        .map(|(_, d)| d)
                        .unwrap_or("plaza")
                )
            });
            let spec = instance::InitSpec {
                policy_text,
                origin,
                admin_name,
                admin_title,
                admin_email: admin_email.clone(),
                admin_department,
                admin_roles,
                admin_password: password,
                database_url,
            };
            let (store, key, _) = instance::init(&data, &spec).await?;
            println!(
                "initialised {} (checkpoint key {})",
                data.display(),
                key.key_id()
            );
            println!(
                "sign in as {admin_email} after `plaza serve --data {}`",
                data.display()
            );
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { data, public_key } => verify(&data, public_key).await,
        Command::Checkpoint { data } => {
            let (store, key) = instance::open(&data, None).await?;
            match store.make_checkpoint(&key).await? {
                Some(cp) => println!("signed checkpoint at tree size {}", cp.checkpoint.tree_size),
                None => println!("the latest checkpoint already covers every record"),
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Moderate {
            command:
                Some(ModerateCommand::Train {
                    data,
                    out,
                    bits,
                    epochs,
                    learning_rate,
                    l2,
                    balance,
                    seed,
                    folds,
                }),
            ..
        } => {
            let d = moderate::default_settings();
            let settings = plaza_moderation::linear::Settings {
                epochs: epochs.unwrap_or(d.epochs),
                learning_rate: learning_rate.unwrap_or(d.learning_rate),
                l2: l2.unwrap_or(d.l2),
                balance: balance.unwrap_or(d.balance),
                seed: seed.unwrap_or(d.seed),
            };
            moderate::train(&data, out.as_deref(), folds.as_deref(), bits, settings)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Moderate {
            command:
                Some(ModerateCommand::Eval {
                    signal,
                    text,
                    labels,
                    csv,
                    text_column,
                    label_column,
                    positive,
                    policy,
                    model,
                }),
            ..
        } => {
            let rows = match (text, labels, csv) {
                (Some(t), Some(l), None) => plaza_moderation::data::tweeteval(
                    &std::fs::read_to_string(&t)
                        .with_context(|| format!("reading {}", t.display()))?,
                    &std::fs::read_to_string(&l)
                        .with_context(|| format!("reading {}", l.display()))?,
                )
                .map_err(|e| anyhow!("{}: {e}", t.display()))?,
                (None, None, Some(c)) => plaza_moderation::data::csv_columns(
                    &std::fs::read_to_string(&c)
                        .with_context(|| format!("reading {}", c.display()))?,
                    &text_column,
                    &label_column,
                )
                .map_err(|e| anyhow!("{}: {e}", c.display()))?,
                _ => bail!("give either --text and --labels, or --csv"),
            };
            let positive: Vec<u8> = positive
                .split(',')
                .map(|p| {
                    p.trim()
                        .parse()
                        .map_err(|_| anyhow!("--positive {p:?} is not a number"))
                })
                .collect::<Result<_>>()?;
            let mut engine = moderate::engine(policy.as_deref(), model.as_deref(), None)?;
            let f = moderate::eval(&mut engine, &rows, &signal, &positive)?;
            println!(
                "{signal}: {} comments, {} positive: precision {:.3}  recall {:.3}  F1 {:.3}  macro-F1 {:.3}  ROC-AUC {:.3}",
                rows.len(),
                f.support,
                f.precision,
                f.recall,
                f.f1,
                f.macro_f1,
                f.auc
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Moderate {
            command: None,
            lines,
            policy,
            model,
            blocklist,
        } => {
            let mut engine =
                moderate::engine(policy.as_deref(), model.as_deref(), blocklist.as_deref())?;
            let stdin = std::io::stdin();
            let stdout = std::io::stdout();
            moderate::run(
                &mut engine,
                stdin.lock(),
                std::io::BufWriter::new(stdout.lock()),
                lines,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Site { command } => site_command(command).await,
        Command::Capture { once, site, data } => {
            if !once {
                bail!(
                    "`plaza capture` runs one pass with --once; `plaza serve` captures on a schedule"
                );
            }
            let reports = ops::capture_once(&data, site).await?;
            ops::print_reports(&reports);
            let failed = reports.iter().any(|r| r.summary.error.is_some());
            Ok(if failed {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Import {
            file,
            site,
            format,
            data,
        } => {
            let (store, _) = instance::open(&data, None).await?;
            let mut engine = ops::engine_for(&store).await?;
            let r = import::run(&store, &mut engine, site, &file, format.as_deref()).await;
            store.close().await;
            let s = r?;
            if s.already {
                println!(
                    "{} ({}) was imported into site {site} before: nothing to add",
                    file.display(),
                    s.format
                );
            } else {
                println!(
                    "imported {} ({}): {} items, {} new, {} new versions{}",
                    file.display(),
                    s.format,
                    s.items,
                    s.new_items,
                    s.new_versions,
                    if s.resumed_from > 0 {
                        format!(" (resumed after item {})", s.resumed_from)
                    } else {
                        String::new()
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { data, json } => {
            let (store, _) = instance::open(&data, None).await?;
            let sites = capture::continuity(&store, &capture::Options::default()).await?;
            store.close().await;
            let attention = if json {
                println!("{}", serde_json::to_string_pretty(&sites)?);
                sites.iter().any(|c| !c.warnings.is_empty())
            } else {
                ops::print_status(&sites)
            };
            Ok(if attention {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Policy {
            command: PolicyCommand::Check { file },
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            match plaza_core::policy::parse(&text) {
                Ok(p) => {
                    println!(
                        "ok: {} of {}, version {}: {} clauses ({} comment categories), {} blocked domain{}",
                        p.meta.name,
                        p.meta.issuer,
                        p.meta.version,
                        p.clauses.len(),
                        p.comment_categories().count(),
                        p.settings.blocked_domains.len(),
                        if p.settings.blocked_domains.len() == 1 {
                            ""
                        } else {
                            "s"
                        }
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(errs) => {
                    for e in errs {
                        if e.line > 0 {
                            eprintln!("{}:{}: {}", file.display(), e.line, e.message);
                        } else {
                            eprintln!("{}: {}", file.display(), e.message);
                        }
                    }
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Policy {
            command: PolicyCommand::Load { file, data },
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let (store, _) = instance::open(&data, None).await?;
            let mut tx = store.begin_write().await?;
            let (id, p) = tx
                .load_policy("system:cli", &text)
                .await
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            tx.commit().await?;
            println!("loaded policy version {} as #{id}", p.meta.version);
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command: BenchCommand::Moderate { count },
        } => {
            let corpus = moderate::bench_corpus(count.max(1));
            let avg = corpus.iter().map(|c| c.len()).sum::<usize>() / corpus.len();
            let mut engine = moderate::engine(None, None, None)?;
            let t = std::time::Instant::now();
            let mut flagged = 0;
            for c in &corpus {
                let a = engine.assess(&plaza_moderation::engine::Comment {
                    text: c,
                    ..Default::default()
                });
                flagged += usize::from(!a.clauses.is_empty());
            }
            let one = corpus.len() as f64 / t.elapsed().as_secs_f64();
            let threads = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1);
            let t = std::time::Instant::now();
            std::thread::scope(|s| {
                for part in corpus.chunks(corpus.len().div_ceil(threads)) {
                    let mut e = engine.clone();
                    s.spawn(move || {
                        for c in part {
                            let _ = e.assess(&plaza_moderation::engine::Comment {
                                text: c,
                                ..Default::default()
                            });
                        }
                    });
                }
            });
            let all = corpus.len() as f64 / t.elapsed().as_secs_f64();
            println!(
                "moderate: {} comments of about {avg} characters ({flagged} flagged): {one:.0}/s on one thread, {all:.0}/s on {threads} threads",
                corpus.len()
            );
            match moderate::peak_memory_mb() {
                Some(mb) => println!("peak memory: {mb:.0} MB"),
                None => println!("peak memory: unknown on this system"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command:
                BenchCommand::Ingest {
                    count,
                    thread,
                    postgres,
                },
        } => {
            let dir =
                std::env::temp_dir().join(format!("plaza-bench-ingest-{}", std::process::id()));
            let r = bench::ingest("sqlite", &dir.join("sqlite"), None, count, thread).await;
            let r = match (r, postgres) {
                (Ok(()), Some(pg)) => {
                    bench::ingest("postgres", &dir.join("postgres"), Some(pg), count, thread).await
                }
                (Ok(()), None) => {
                    println!(
                        "postgres: skipped (give --postgres URL of an empty database, or set PLAZA_BENCH_POSTGRES)"
                    );
                    Ok(())
                }
                (e, _) => e,
            };
            let _ = std::fs::remove_dir_all(&dir);
            r?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command:
                BenchCommand::Record {
                    count,
                    batch,
                    postgres,
                },
        } => {
            if batch == 0 {
                bail!("--batch must be at least 1");
            }
            let dir = std::env::temp_dir().join(format!("plaza-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let url = format!("sqlite://{}", dir.join("bench.db").display());
            let r = bench::record("sqlite", &url, count, batch).await;
            let _ = std::fs::remove_dir_all(&dir);
            r?;
            match postgres {
                Some(pg) => bench::record("postgres", &pg, count, batch).await?,
                None => println!(
                    "postgres: skipped (give --postgres URL of an empty database, or set PLAZA_BENCH_POSTGRES)"
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn verify(data: &Path, public_key: Option<String>) -> Result<ExitCode> {
    let (store, key) = instance::open(data, None).await?;
    let trusted: [u8; 32] = match public_key {
        Some(b64) => plaza_core::checkpoint::unb64(&b64)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| anyhow!("--public-key is not a base64 Ed25519 public key"))?,
        None => key.public_key(),
    };
    let registered = store.public_keys().await?;
    if !registered.iter().any(|(_, k)| *k == trusted) {
        eprintln!("error: the trusted public key is not the key registered in this database");
        return Ok(ExitCode::FAILURE);
    }
    let latest = store
        .latest_checkpoint()
        .await?
        .map(|c| c.checkpoint.tree_size)
        .unwrap_or(0);
    let result = store.verify(trusted).await;
    store.close().await;
    match result {
        Ok(s) => {
            println!("ok: {} records, checkpoint {}", s.records, latest);
            if s.erased_payloads > 0 {
                println!(
                    "({} payloads lawfully destroyed; their hashes verify)",
                    s.erased_payloads
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(plaza_store::VerifyError::Bad(f)) => {
            eprintln!("error: record {}: {}", f.seq, f.reason);
            Ok(ExitCode::from(2))
        }
        Err(plaza_store::VerifyError::Store(e)) => Err(e.into()),
    }
}

fn connection(c: ConnectionArgs) -> Result<ops::Connection> {
    Ok(ops::Connection {
        secret: ops::read_secret(&c.secret_file)?,
        service: c.service,
        appview: c.appview,
        account: c.account,
        expires: c.expires,
    })
}

async fn site_command(command: SiteCommand) -> Result<ExitCode> {
    match command {
        SiteCommand::Add {
            platform,
            handle,
            name,
            url,
            department,
            email,
            purpose,
            as_email,
            reason,
            connection: c,
            data,
        } => {
            let c = connection(c)?;
            let (store, _) = instance::open(&data, None).await?;
            let add = ops::AddSite {
                platform,
                name,
                handle,
                url,
                department,
                email,
                purpose,
                as_email,
                reason,
            };
            let id = ops::add_site(&store, &data, &add, &c).await;
            store.close().await;
            let id = id?;
            println!(
                "site {id} registered, active and connected; capture it with `plaza capture --once --site {id}`"
            );
            Ok(ExitCode::SUCCESS)
        }
        SiteCommand::Connect {
            site,
            connection: c,
            data,
        } => {
            let c = connection(c)?;
            let (store, _) = instance::open(&data, None).await?;
            let s = store.site(site).await.map_err(|e| anyhow!("{e}"))?;
            let r = ops::connect(&store, &data, s.id, &s.handle, s.platform, &c).await;
            store.close().await;
            r?;
            println!("site {} ({}) connected", s.id, s.name);
            Ok(ExitCode::SUCCESS)
        }
        SiteCommand::Roles { site, data } => {
            let (store, _) = instance::open(&data, None).await?;
            let r = ops::page_roles(&store, &data, site).await;
            store.close().await;
            let lines = r?;
            let mut missing = 0;
            for l in &lines {
                let who = l
                    .person
                    .clone()
                    .unwrap_or_else(|| "no Plaza person matches".into());
                match &l.authorization {
                    Some((id, level)) => println!(
                        "{} ({}): {} -> {who}: written authorization {id} ({level})",
                        l.name,
                        l.platform_id,
                        l.tasks.join(", ")
                    ),
                    None => {
                        missing += 1;
                        println!(
                            "{} ({}): {} -> {who}: NO WRITTEN AUTHORIZATION (B.9)",
                            l.name,
                            l.platform_id,
                            l.tasks.join(", ")
                        )
                    }
                }
            }
            println!(
                "{} role(s) on the Page; {missing} without a written authorization",
                lines.len()
            );
            Ok(if missing > 0 {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            })
        }
        SiteCommand::Webhook {
            site,
            app_secret_file,
            data,
        } => {
            let secret = ops::read_secret(&app_secret_file)?;
            let (store, _) = instance::open(&data, None).await?;
            let r = ops::webhook_setup(&store, &data, site, &secret).await;
            store.close().await;
            let token = r?;
            println!("In the Meta app's Webhooks settings (object: Page, field: feed), enter:");
            println!("  Callback URL:  https://YOUR-PLAZA-ADDRESS/hooks/facebook/{site}");
            println!("  Verify token:  {token}");
            println!(
                "Every delivery is checked against the app secret and triggers a capture of site {site}."
            );
            Ok(ExitCode::SUCCESS)
        }
        SiteCommand::List { data } => {
            let (store, _) = instance::open(&data, None).await?;
            for s in store.sites().await? {
                let ep = store.endpoint(s.id).await?;
                println!(
                    "{:>4}  {:<10} {:<9} {:<32} {}",
                    s.id,
                    s.platform.as_str(),
                    s.state.as_str(),
                    s.handle,
                    ep.map(|e| format!("connected to {}", e.base_url))
                        .unwrap_or_else(|| "not connected".into())
                );
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(data: &Path, listen: Option<String>, demo: bool) -> Result<ExitCode> {
    let config = instance::Config::load(data).unwrap_or_default();
    let seeded = if !instance::is_initialised(data) {
        if !demo {
            bail!(
                "{} is not an initialised Plaza data directory: run `plaza init --data {}`, or `plaza serve --demo` for the demo city",
                data.display(),
                data.display()
            );
        }
        println!("creating the demo city in {} ...", data.display());
        let (store, _) = demo::seed(data).await?;
        store.close().await;
        true
    } else {
        false
    };
    let (store, key) = instance::open(data, None).await?;
    let engine = ops::engine_for(&store).await?;
    let (capture_now, capture_requests) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(capture::run_scheduled(
        store.clone(),
        data.to_path_buf(),
        engine,
        capture::Options::default(),
        capture_requests,
    ));
    let listen = listen
        .or(config.listen)
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let addr: SocketAddr = listen
        .parse()
        .map_err(|_| anyhow!("--listen {listen:?} is not an address like 127.0.0.1:8080"))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let bound = listener.local_addr()?;
    let server_config = ServerConfig {
        secure_cookies: !bound.ip().is_loopback(),
        blob_dir: Some(data.join("blobs")),
        secrets_dir: Some(data.join("secrets")),
        capture_now: Some(capture_now),
        ..ServerConfig::default()
    };
    let app = App {
        store,
        key: Arc::new(key),
        config: Arc::new(server_config),
    };
    println!("Plaza is listening on http://{bound}");
    if demo || seeded {
        println!(
            "Demo city: City of Arbor Vale. Sign in at http://{bound}/login with password {:?} as:",
            demo::DEMO_PASSWORD
        );
        for (user, name, title, _, _) in demo::LOGINS {
            println!("  {user}@{}  {name}, {title}", demo::DOMAIN);
        }
    }
    plaza_server::serve(listener, app, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    fn undescribed(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        for sub in cmd.get_subcommands() {
            let here = format!("{path} {}", sub.get_name());
            if sub.get_name() != "help" && sub.get_about().is_none() {
                out.push(here.clone());
            }
            undescribed(sub, &here, out);
        }
    }

    #[test]
    fn every_command_is_described_once() {
        let cmd = Cli::command();
        cmd.clone().debug_assert();
        let mut missing = Vec::new();
        undescribed(&cmd, "plaza", &mut missing);
        assert!(
            missing.is_empty(),
            "commands without a description: {missing:?}"
        );
        let moderate = cmd.find_subcommand("moderate").expect("moderate");
        let eval = moderate.find_subcommand("eval").expect("eval").get_about();
        assert!(
            !eval
                .map(|a| a.to_string())
                .unwrap_or_default()
                .contains("Train"),
            "eval's description is its own"
        );
    }
}
