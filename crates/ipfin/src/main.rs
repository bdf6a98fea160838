//! The ipfin binary: `serve` the web application, `migrate` the schema, load the `demo` city,
//! create users, verify the audit chain, and back up the database.

#![forbid(unsafe_code)]

mod config;
mod demo_loans;
mod generate;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use config::Config;
use ipfin_domain::user::Administrator;
use ipfin_domain::{Role, Scope};
use ipfin_store::Store;
use ipfin_store::audit::{AuditActor, Verification};
use ipfin_store::demo::DemoLogin;
use ipfin_store::import::ImportKind;
use ipfin_store::user::NewUser;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "ipfin",
    version,
    about = "知识产权质押融资工作平台 / IP pledge financing programme system"
)]
struct Cli {
    /// Configuration file (default: ./ipfin.toml when it exists). IPFIN_* environment variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database URL (sqlite://… or postgres://…); default: SQLite in the data folder.
    #[arg(long, global = true, env = "IPFIN_DATABASE_URL")]
    database_url: Option<String>,
    /// Data folder for the embedded SQLite database and local files.
    #[arg(long, global = true, env = "IPFIN_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application (pages and the /api/v1 API).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo city (Shenzhen) with one account per role, and print the logins.
    /// `--scale city` adds a deterministic Shenzhen-sized registry (2,000,000 enterprises).
    Demo(DemoArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Issue an API token for an organisation (e.g. a bank's system); the token is printed once.
    Token {
        /// The organisation: its id (see /orgs) or its exact name.
        #[arg(long)]
        org: String,
        /// What the token is for, e.g. 信贷系统.
        #[arg(long)]
        name: String,
        /// Days until it expires (default: never).
        #[arg(long)]
        days: Option<i64>,
    },
    /// Bulk import from CSV (UTF-8 or GBK) or XLSX: idempotent, resumable, with row-level errors.
    #[command(subcommand)]
    Import(ImportCommand),
    /// For the application load test: create COUNT enterprises in 南山区 with an API token each
    /// and print `policy,<version id>` then `<org id>,<token>` per line (demo city loaded first).
    BenchApplicants {
        #[arg(long, default_value_t = 1000)]
        count: u32,
    },
    /// Print a quarter's statistics per district (SPEC §8 R4.2), timed.
    Stats(StatsArgs),
    /// Screening (issue #20 item 2): derive the score profiles from the records (`--refresh`),
    /// score a district (or the whole city) by its model in force, timed, and preview a change
    /// of the threshold; or write the facts every score is made of as CSV (`--export-csv`).
    Screening(ScreeningArgs),
    /// Recompute the statistics aggregates from the loan, pledge and enterprise records (after a
    /// bulk load, or to repair them).
    StatsRebuild,
    /// Write a consistent copy of the SQLite database to FILE while the server runs
    /// (for PostgreSQL, print the pg_dump command to use).
    Backup {
        /// Where to write the copy; must not exist yet.
        file: PathBuf,
    },
}

#[derive(Args)]
struct DemoArgs {
    /// `small` (the demo city) or `city` (plus a Shenzhen-sized enterprise registry).
    #[arg(long, default_value = "small", value_parser = ["small", "city"])]
    scale: String,
    /// Number of enterprises for `--scale city`.
    #[arg(long, default_value_t = 2_000_000)]
    count: u64,
    /// Only write the generated CSV into this folder (for benchmarks); import nothing.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 20_261_127)]
    seed: u64,
    /// Also write N synthetic loans (one pledge registration each, no items, payments or
    /// contracts) of the demo banks to enterprises already registered, in bulk, then rebuild
    /// the statistics: a benchmark-sized loan book (e.g. 1000000).
    #[arg(long)]
    loans: Option<u64>,
}

#[derive(Args)]
struct ScreeningArgs {
    /// The district (default: the whole city, by the city's model).
    #[arg(long)]
    district: Option<String>,
    /// Derive every enterprise's profile from the records first (timed).
    #[arg(long)]
    refresh: bool,
    /// Derive again only the profiles of enterprises recorded as changed (timed), as the job
    /// inside `serve` does every minute.
    #[arg(long)]
    refresh_changes: bool,
    /// Score this many times and print the timing (min / median / max) on standard error.
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Also preview the model in force with this threshold (how many enter and leave), timed.
    #[arg(long)]
    preview_threshold: Option<u32>,
    /// Also preview with this weight changed (FACTOR=WEIGHT, e.g. invention_patents=30;
    /// repeatable), timed.
    #[arg(long)]
    preview_weight: Vec<String>,
    /// Write the facts of every enterprise (as the refresh reads them) to this CSV file, and
    /// nothing else.
    #[arg(long)]
    export_csv: Option<PathBuf>,
}

#[derive(Args)]
struct StatsArgs {
    /// The quarter, e.g. 2026Q3.
    quarter: String,
    /// Compute from the records (three scans of the loans) instead of the aggregates.
    #[arg(long)]
    direct: bool,
    /// Run it this many times and print the timing (min / median / max) on standard error.
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Print the districts' lines as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "IPFIN_LISTEN")]
    listen: Option<String>,
    /// Load the demo city on first start and print the demo logins.
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user in an organisation: prints a one-time activation link, or with
    /// --password-stdin sets that password, which the user must replace at first sign-in.
    Create {
        /// Organisation id (see /orgs or GET /api/v1/organisations).
        #[arg(long)]
        org_id: i64,
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Role code; repeat for several: city_admin, district_officer, department_member,
        /// bank_user, agency_user, enterprise_user.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Read the password from standard input instead of generating a one-time password.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Options shared by every import.
#[derive(Args)]
struct ImportArgs {
    /// The CSV (UTF-8, with or without BOM, or GBK/GB18030) or XLSX file.
    file: PathBuf,
    /// Rows per transaction (the last complete batch is where an interrupted import resumes).
    #[arg(long, default_value_t = 5000)]
    batch: usize,
    /// Where to write the row-level error report (XLSX); default: next to the file.
    #[arg(long)]
    errors: Option<PathBuf>,
    /// Record the import as the delivery of this data-sharing arrangement (R1.1; its id is on
    /// `/districts/{code}/sharing/{id}`). Checked before the import starts.
    #[arg(long)]
    arrangement: Option<i64>,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import enterprises (columns: 统一社会信用代码, 企业名称, 注册地, … — see `ipfin import template`).
    Enterprises(ImportArgs),
    /// Import whitelist tags (columns: 统一社会信用代码, 标签类型, 来源, 认定年度, 有效期起, 有效期止).
    Tags(ImportArgs),
    /// Import IP assets (columns: 统一社会信用代码, 类型, 号码, 名称, 法律状态, 授权日, 尼斯分类).
    IpAssets(ImportArgs),
    /// Import a financial institution's IP pledge loans, one loan and its pledge registration a
    /// row (columns: 合同编号, 借款人统一社会信用代码, 贷款金额（元）, 年利率（%）, 起始日, 到期日, …).
    Loans {
        #[command(flatten)]
        args: ImportArgs,
        /// The lending institution's organisation id (see /orgs).
        #[arg(long)]
        lender: ipfin_domain::id::OrgId,
    },
    /// Write an import template (XLSX) with the columns and an example row.
    Template {
        /// Where to write it.
        file: PathBuf,
        /// enterprises, tags, ip-assets or loans.
        #[arg(long, default_value = "enterprises")]
        kind: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the SM3 hash chain, check it still holds the head anchored outside the database
    /// at the last verification, report the first altered or missing event, and anchor the
    /// current head.
    Verify,
}

#[tokio::main]
async fn main() -> Result<()> {
    // Everything this process creates (database, stored files, anchors, uploads, reports) is
    // owner-only; folders and files made by earlier versions are tightened when opened.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(u) = cli.database_url {
        cfg.database_url = Some(u);
    }
    if let Some(d) = cli.data_dir {
        cfg.data_dir = d;
    }
    config::init_tracing(&cfg);
    match cli.command {
        Command::Serve(args) => serve(cfg, args).await,
        Command::Migrate => {
            let store = open(&cfg).await?;
            println!(
                "数据库迁移完成 / migrations applied ({})",
                cfg.redacted_url()
            );
            drop(store);
            Ok(())
        }
        Command::Demo(args) => demo(&cfg, args).await,
        Command::Screening(args) => screening(&cfg, args).await,
        Command::BenchApplicants { count } => {
            let store = open(&cfg).await?;
            let (policy, tokens) = store.bench_applicants(count).await.map_err(store_error)?;
            println!("policy,{policy}");
            for (org, token) in tokens {
                println!("{org},{token}");
            }
            Ok(())
        }
        Command::Token { org, name, days } => {
            let store = open(&cfg).await?;
            let org_id = match org.trim().parse::<i64>() {
                Ok(id) => id,
                Err(_) => store
                    .organisations(
                        &Scope::City,
                        &ipfin_store::org::OrgFilter {
                            q: Some(org.trim().to_string()),
                            ..Default::default()
                        },
                        ipfin_store::Page::default(),
                    )
                    .await
                    .map_err(store_error)?
                    .items
                    .into_iter()
                    .find(|o| o.name == org.trim())
                    .map(|o| o.id)
                    .with_context(|| {
                        format!("没有名为“{org}”的机构 / no organisation named {org}")
                    })?,
            };
            let mut tx = store.write(AuditActor::system("cli")).await?;
            let (t, plain) = store
                .create_api_token(&mut tx, &Scope::City, org_id, &name, days)
                .await
                .map_err(store_error)?;
            tx.commit().await?;
            eprintln!(
                "令牌 #{} 已签发（只显示这一次）/ token #{} issued (shown once):",
                t.id, t.id
            );
            println!("{plain}");
            Ok(())
        }
        Command::User(UserCommand::Create {
            org_id,
            username,
            name,
            roles,
            password_stdin,
        }) => {
            let store = open(&cfg).await?;
            let roles = roles
                .iter()
                .map(|r| {
                    Role::from_code(r).with_context(|| format!("未知角色 / unknown role: {r}"))
                })
                .collect::<Result<Vec<_>>>()?;
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_line(&mut s)?;
                Some(s.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let mut tx = store.write(AuditActor::system("cli")).await?;
            let (user, activation) = store
                .create_user(
                    &mut tx,
                    &Scope::City,
                    &Administrator::City,
                    NewUser {
                        organisation_id: org_id,
                        username,
                        display_name: name,
                        roles,
                        temporary: password.is_some(),
                        password,
                    },
                )
                .await
                .map_err(store_error)?;
            tx.commit().await?;
            println!(
                "已创建用户 / created user #{} {} ({})",
                user.id, user.username, user.org_name
            );
            if let Some(a) = activation {
                println!(
                    "激活链接（{} 小时内有效，仅能使用一次，请交给本人设置密码） / activation link (valid {} h, once; hand it to the person): {}{}",
                    ipfin_domain::user::ACTIVATION_HOURS,
                    ipfin_domain::user::ACTIVATION_HOURS,
                    cfg.public_base_url(&cfg.listen)?,
                    a.path()
                );
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => {
            let store = open(&cfg).await?;
            let checked = store.audit_verify_and_anchor().await.map_err(store_error)?;
            match checked.verification {
                Verification::Intact { events } => {
                    println!("审计链完整 / audit chain intact: {events} events verified");
                    match &checked.previous {
                        Some(a) => println!(
                            "库外锚点 #{} 相符 / the anchor kept outside the database (#{}) matches",
                            a.seq, a.seq
                        ),
                        None => println!(
                            "尚无库外锚点 / no anchor outside the database yet (first verification)"
                        ),
                    }
                    if let Some(a) = &checked.written {
                        println!(
                            "已写入新锚点 #{} / anchored the head #{} in {:?}",
                            a.seq,
                            a.seq,
                            store.blobs()
                        );
                    }
                    Ok(())
                }
                Verification::Broken(b) => {
                    eprintln!("审计链被破坏 / AUDIT CHAIN BROKEN: {b}");
                    std::process::exit(1);
                }
            }
        }
        Command::Backup { file } => backup(&cfg, &file).await,
        Command::Stats(args) => stats(&cfg, args).await,
        Command::StatsRebuild => {
            let store = open(&cfg).await?;
            rebuild_stats_with_bar(&store).await
        }
        Command::Import(ImportCommand::Template { file, kind }) => {
            let kind = ImportKind::from_code(&kind).context(
                "--kind: enterprises, tags or ip-assets / 请选择 enterprises、tags 或 ip-assets",
            )?;
            ipfin_store::import::write_template(kind, &file).map_err(|e| anyhow::anyhow!(e.zh))?;
            println!("导入模板已写入 / template written: {}", file.display());
            Ok(())
        }
        Command::Import(cmd) => {
            let (kind, args, scope) = match cmd {
                ImportCommand::Enterprises(a) => (ImportKind::Enterprises, a, Scope::City),
                ImportCommand::Tags(a) => (ImportKind::Tags, a, Scope::City),
                ImportCommand::IpAssets(a) => (ImportKind::IpAssets, a, Scope::City),
                ImportCommand::Loans { args, lender } => (
                    ImportKind::Loans,
                    args,
                    Scope::Institution { org_id: lender },
                ),
                ImportCommand::Template { .. } => bail!("handled above"),
            };
            let store = open(&cfg).await?;
            if let Scope::Institution { org_id } = scope {
                let org = store
                    .organisation(&Scope::City, org_id.get())
                    .await
                    .map_err(|_| {
                        anyhow::anyhow!("没有编号为 {org_id} 的机构 / no organisation {org_id}")
                    })?;
                if org.kind != "financial_institution" {
                    bail!(
                        "“{}”不是金融机构，不能作为贷款机构 / {} is not a financial institution",
                        org.name,
                        org.name
                    );
                }
            }
            if let Some(id) = args.arrangement {
                link_delivery(&store, kind, &scope, &args.file, id).await?;
            }
            import_file(&store, kind, &scope, &args.file, args.batch, args.errors).await
        }
    }
}

fn store_error(e: ipfin_store::StoreError) -> anyhow::Error {
    match e {
        ipfin_store::StoreError::Invalid(fe) => anyhow::anyhow!("{}: {}", fe.field, fe.msg.zh),
        ipfin_store::StoreError::Forbidden(m)
        | ipfin_store::StoreError::Conflict(m)
        | ipfin_store::StoreError::Gone(m) => {
            anyhow::anyhow!("{}", m.zh)
        }
        ipfin_store::StoreError::NotFound => anyhow::anyhow!("未找到 / not found"),
        other => anyhow::anyhow!(other),
    }
}

async fn open(cfg: &Config) -> Result<Store> {
    if cfg.database_url.is_none() {
        ipfin_store::fsperm::private_dir(&cfg.data_dir)
            .with_context(|| format!("cannot create data folder {}", cfg.data_dir.display()))?;
    }
    let store = Store::connect(&cfg.url())
        .await
        .with_context(|| format!("cannot open database {}", cfg.redacted_url()))?
        .with_session_idle(cfg.session_idle_minutes.saturating_mul(60));
    store.migrate().await.context("migrations failed")?;
    // Uploaded materials are kept by content under <data-dir>/files, or where storage_url says.
    let files = match &cfg.storage_url {
        Some(url) => ipfin_store::blob::Blobs::from_url(url),
        None => ipfin_store::blob::Blobs::local(&cfg.data_dir.join("files")),
    }
    .map_err(|e| anyhow::anyhow!("cannot open the file storage: {e}"))?;
    Ok(store
        .with_blobs(files)
        .with_import_limits(cfg.import_limits()))
}

/// Loads the demo city if needed and prints its logins (saved on first load, shown again later).
/// `city_scale`: the city-scale loans follow, so the year keeps the city-scale targets.
async fn load_demo(store: &Store, cfg: &Config, city_scale: bool) -> Result<()> {
    let r = load_demo_city(store, cfg).await;
    // Issue #22: the platform's disposal listing (with its defaulted loan), apart from the
    // demo city the tests load (they count its loans); nothing when present already.
    store.seed_demo_disposal().await?;
    // Issue #21: the loans the demo's service cases obtained, linked to their steps (also
    // apart from the tests' demo city).
    store.seed_demo_case_loans().await?;
    // Issue #23 item 11: a working year up to today (loans every month, applications in every
    // state, notices, a bulletin, targets partly met), also apart from the tests' demo city.
    let started = std::time::Instant::now();
    if store
        .seed_demo_year(ipfin_store::today_shanghai(), !city_scale)
        .await?
    {
        println!(
            "演示年度数据 / the demo's working year: {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    r
}

async fn load_demo_city(store: &Store, cfg: &Config) -> Result<()> {
    match store
        .load_demo(|_| ipfin_store::user::generate_password())
        .await?
    {
        Some(logins) => {
            print_logins(&logins);
            save_logins(&cfg.data_dir, &logins)?;
        }
        None => match std::fs::read_to_string(cfg.data_dir.join("demo-logins.txt")) {
            Ok(text) => {
                println!("演示数据已加载 / the demo city is already loaded; demo logins:");
                for line in text.lines() {
                    println!("  {}", line.replace('\t', "  "));
                }
            }
            Err(_) => println!(
                "演示数据已加载；账号见首次加载时的输出 / demo already loaded (logins were printed at the first load)"
            ),
        },
    }
    Ok(())
}

fn print_logins(logins: &[DemoLogin]) {
    println!(
        "演示账号 / demo logins (password shown once here and saved in the data folder's demo-logins.txt):"
    );
    for l in logins {
        println!(
            "  {:<20} {:<22} {:<18} {}",
            l.username,
            l.password,
            l.role.code(),
            l.organisation
        );
    }
}

fn save_logins(data_dir: &Path, logins: &[DemoLogin]) -> Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join("demo-logins.txt");
    let mut f = std::fs::File::create(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    for l in logins {
        writeln!(
            f,
            "{}\t{}\t{}\t{}",
            l.username,
            l.password,
            l.role.code(),
            l.organisation
        )?;
    }
    Ok(())
}

async fn serve(cfg: Config, args: ServeArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let listen = args.listen.clone().unwrap_or_else(|| cfg.listen.clone());
    // A deployment's own pledge registration number pattern is checked before anything starts.
    ipfin_store::financing::pledge_pattern()
        .map_err(|e| anyhow::anyhow!("质押登记号格式设置有误 / bad pledge number pattern: {e}"))?;
    let store = open(&cfg).await?;
    if args.demo {
        load_demo(&store, &cfg, false).await?;
    } else if let Some(secret) = store.bootstrap_secret().await? {
        println!("系统中尚无用户。请在 24 小时内打开以下一次性链接创建市级管理员：");
        println!(
            "No users yet. Open this one-time link within 24 hours to create the city administrator:"
        );
        println!("  http://{listen}/setup?token={secret}");
    }
    let interrupted = store
        .note_interrupted_imports(AuditActor::system("serve"))
        .await?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "imports were cut off by the last stop; importing the same files again resumes them"
        );
    }
    let web_config = ipfin_web::WebConfig {
        secure_cookies: cfg.secure_cookies,
        trusted_proxy_hops: cfg.proxy_hops(),
        max_body_bytes: cfg.max_body_bytes,
        demo: args.demo,
        upload_dir: cfg.data_dir.join("uploads"),
        attachment_dir: cfg.data_dir.join("attachments"),
        public_base_url: cfg.public_base_url(&listen)?,
        objection_limits: cfg.objection_limits(),
        // Public zones are read far more often than they change: five seconds of staleness
        // takes most of their database work away (decision 0036).
        public_cache_ttl: std::time::Duration::from_secs(5),
    };
    let removed =
        ipfin_web::prepare_upload_dirs(&web_config).context("cannot prepare the upload folders")?;
    if removed > 0 {
        tracing::warn!(
            removed,
            "removed temporary files of uploads cut off by the last stop"
        );
    }
    let state = ipfin_web::AppState::new(store, web_config);
    tokio::spawn(background_jobs(state.store.clone()));
    let app = ipfin_web::app(state);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!(
        "ipfin 已启动 / listening on http://{addr} (database: {}, ready in {} ms)",
        cfg.redacted_url(),
        started.elapsed().as_millis()
    );
    tracing::info!(%addr, "listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

/// Jobs inside `serve`, every minute (the audit anchor once a day, claimed through
/// `periodic_jobs` so one instance runs it): notices whose period is over end (applications become
/// granted within the budget); supervision checks that fall due run; overdue data-sharing deliveries are flagged to the lead
/// department; pushes to banks whose period ended are hidden from them, and overdue first contacts are
/// flagged to the bank and the district; the screening profiles of enterprises whose records
/// changed are derived again, and all of them once a day (claimed like the anchor);
/// notifications are handed to the sender (the log here; an e-mail/SMS gateway in production).
async fn background_jobs(store: Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        match store.end_due_notices(ipfin_store::today_shanghai()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(notices = n, "notice periods ended"),
            Err(e) => tracing::error!(error = %e, "ending notices failed"),
        }
        match store
            .note_overdue_returns(ipfin_store::today_shanghai())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(applications = n, "supplement deadlines passed"),
            Err(e) => tracing::error!(error = %e, "checking supplement deadlines failed"),
        }
        match store
            .run_due_supervision(ipfin_store::today_shanghai())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(applications = n, "supervision checks run"),
            Err(e) => tracing::error!(error = %e, "supervision checks failed"),
        }
        match store
            .notify_overdue_deliveries(ipfin_store::today_shanghai())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(arrangements = n, "overdue data-sharing deliveries flagged"),
            Err(e) => tracing::error!(error = %e, "checking data-sharing deliveries failed"),
        }
        match store.expire_pushes(ipfin_store::today_shanghai()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(entries = n, "push periods ended"),
            Err(e) => tracing::error!(error = %e, "ending push periods failed"),
        }
        match store
            .notify_overdue_first_contacts(ipfin_store::today_shanghai())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(entries = n, "overdue first contacts flagged"),
            Err(e) => tracing::error!(error = %e, "checking first contacts failed"),
        }
        match store
            .refresh_screening_if_due(ipfin_store::today_shanghai())
            .await
        {
            Ok(None) => {}
            Ok(Some(r)) => tracing::info!(
                enterprises = r.enterprises,
                millis = r.millis,
                "screening profiles refreshed (daily)"
            ),
            Err(e) => tracing::error!(error = %e, "refreshing screening profiles failed"),
        }
        match store.refresh_screening_changes().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                enterprises = n,
                "screening profiles of changed enterprises refreshed"
            ),
            Err(e) => tracing::error!(error = %e, "refreshing changed screening profiles failed"),
        }
        let send = |n: &ipfin_store::application::Notification| {
            tracing::info!(notification = n.id, link = %n.link, text = %n.text, "notify (development sender: log only)");
        };
        if let Err(e) = store.deliver_notifications(&send).await {
            tracing::error!(error = %e, "delivering notifications failed");
        }
        match store.audit_anchor_if_due().await {
            Ok(None) => {}
            Ok(Some(checked)) => match checked.verification {
                Verification::Intact { events } => {
                    tracing::info!(events, "audit chain verified and anchored (daily)")
                }
                Verification::Broken(b) => {
                    tracing::error!(%b, "AUDIT CHAIN BROKEN (daily verification)")
                }
            },
            Err(e) => tracing::error!(error = %e, "anchoring the audit chain failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn backup(cfg: &Config, file: &Path) -> Result<()> {
    let url = cfg.url();
    if url.starts_with("postgres") {
        println!("PostgreSQL 请使用 pg_dump 备份 / for PostgreSQL use pg_dump:");
        println!(
            "  pg_dump --format=custom --file={} '{}'",
            file.display(),
            cfg.redacted_url()
        );
        return Ok(());
    }
    if file.exists() {
        bail!(
            "{} 已存在，请指定新文件 / already exists: choose a new file",
            file.display()
        );
    }
    let store = open(cfg).await?;
    let target = file
        .to_str()
        .context("backup path must be UTF-8")?
        .replace('\'', "''");
    // VACUUM INTO writes a consistent, compacted copy while other connections keep working.
    ipfin_store::db::exec(store.conn(), &format!("VACUUM INTO '{target}'"), vec![]).await?;
    let size = std::fs::metadata(file)?.len();
    println!(
        "备份完成 / backup written: {} ({} bytes)",
        file.display(),
        size
    );
    Ok(())
}

/// Imports a file with a progress bar (rows, rate, ETA estimated from the line count).
/// Checks that the import may deliver the arrangement, then starts it (the import that follows
/// resumes the same record) linked to the arrangement.
async fn link_delivery(
    store: &Store,
    kind: ImportKind,
    scope: &Scope,
    file: &Path,
    arrangement: i64,
) -> Result<()> {
    let a = store
        .check_delivery(scope, arrangement, kind.code())
        .await
        .map_err(store_error)?;
    let key = ipfin_store::import::file_key(file).context("reading the file")?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let actor = AuditActor::system("cli-import");
    let (id, _) = store
        .begin_import(scope, actor.clone(), kind.code(), &key, &name)
        .await
        .map_err(store_error)?;
    store
        .link_delivery(actor, id, a.id)
        .await
        .map_err(store_error)?;
    eprintln!(
        "作为“{}”（{}）的报送 / delivering arrangement {}",
        a.dataset.zh(),
        a.provider_name,
        a.id
    );
    Ok(())
}

async fn import_file(
    store: &Store,
    kind: ImportKind,
    scope: &Scope,
    file: &Path,
    batch: usize,
    errors: Option<PathBuf>,
) -> Result<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    let estimate = ipfin_store::import::estimate_rows(file).unwrap_or(0);
    let bar = if estimate > 0 {
        ProgressBar::new(estimate)
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} 行 · {per_sec} · 剩余 {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let progress_bar = bar.clone();
    let result = store
        .import_file(
            kind,
            file,
            scope,
            AuditActor::system("cli-import"),
            batch,
            &mut move |n| progress_bar.set_position(n),
        )
        .await;
    bar.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(ipfin_store::import::ImportError::Refused { error, report }) => {
            // Refused as a whole (over a cap, malformed, wrong columns): nothing of this run
            // was written; the report names the reason and the row errors found before it.
            let path = errors.unwrap_or_else(|| file.with_extension("errors.xlsx"));
            let problem = format!("{} / {}", error.zh, error.en);
            ipfin_store::import::write_import_report(
                &path,
                &report.headers,
                &report.errors,
                Some(&problem),
            )
            .map_err(|e| anyhow::anyhow!(e.zh))?;
            bail!(
                "导入被拒绝 / import #{} refused [{}]: {}\n  {}\n错误报告 / error report: {}",
                report.import_id,
                error.code,
                error.zh,
                error.en,
                path.display()
            );
        }
        Err(e) => bail!("导入失败 / import failed: {e}"),
    };
    let secs = started.elapsed().as_secs_f64().max(0.001);
    println!(
        "导入完成 / import #{} done ({}): {} 行 rows · 新增 inserted {} · 更新 updated {} · 未变 unchanged {} · 错误 errors {}{} · {:.0} 行/秒 rows/s",
        report.import_id,
        report.encoding,
        report.rows,
        report.inserted,
        report.updated,
        report.unchanged,
        report.errors.len(),
        if report.resumed_from > 0 {
            format!(
                " · 从第 {} 行续传 resumed after row {}",
                report.resumed_from, report.resumed_from
            )
        } else {
            String::new()
        },
        (report.rows - report.resumed_from) as f64 / secs
    );
    if !report.errors.is_empty() {
        let path = errors.unwrap_or_else(|| file.with_extension("errors.xlsx"));
        ipfin_store::import::write_error_report(&path, &report.headers, &report.errors)
            .map_err(|e| anyhow::anyhow!(e.zh))?;
        println!("错误报告 / error report: {}", path.display());
        for e in report.errors.iter().take(5) {
            println!(
                "  第 {} 行 line {}: {}：{}",
                e.line, e.line, e.field, e.message
            );
        }
    }
    Ok(())
}

/// `ipfin demo`: the demo city, and with `--scale city` the generated registry, its tags and
/// its IP assets.
async fn demo(cfg: &Config, args: DemoArgs) -> Result<()> {
    if args.scale == "city"
        && let Some(dir) = &args.csv
    {
        std::fs::create_dir_all(dir)?;
        let files = generate_with_bar(dir, args.count, args.seed)?;
        println!(
            "已生成 / written: {}, {}, {} ({} enterprises, seed {})",
            files.enterprises.display(),
            files.tags.display(),
            files.ip_assets.display(),
            args.count,
            args.seed
        );
        return Ok(());
    }
    let store = open(cfg).await?;
    load_demo(&store, cfg, args.scale == "city").await?;
    if args.scale == "city" {
        let dir = cfg.data_dir.join("city");
        std::fs::create_dir_all(&dir)?;
        let files = generate_with_bar(&dir, args.count, args.seed)?;
        for (kind, path) in [
            (ImportKind::Enterprises, &files.enterprises),
            (ImportKind::Tags, &files.tags),
            (ImportKind::IpAssets, &files.ip_assets),
        ] {
            import_file(&store, kind, &Scope::City, path, 5000, None).await?;
        }
        load_demo_loans(&store, &files.borrowers, args.seed).await?;
    }
    if let Some(n) = args.loans {
        load_bulk_loans(&store, n, args.seed).await?;
    }
    // The demo's seeded summaries take the loans' figures (issue #8, decision 0016).
    store.refresh_demo_summaries().await.map_err(store_error)?;
    Ok(())
}

/// The demo loans' as-of date: today, or 2026-11-20 if that is earlier (deterministic data).
fn demo_as_of() -> chrono::NaiveDate {
    ipfin_store::today_shanghai()
        .min(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default())
}

/// The fifteen demo banks' organisation ids, created when missing.
async fn demo_bank_ids(store: &Store) -> Result<Vec<i64>> {
    use ipfin_store::org::{NewOrganisation, OrgFilter};
    let mut bank_ids = Vec::new();
    for name in demo_loans::BANKS {
        let found = store
            .organisations(
                &Scope::City,
                &OrgFilter {
                    q: Some(name.to_string()),
                    ..Default::default()
                },
                ipfin_store::Page::default(),
            )
            .await
            .map_err(store_error)?
            .items
            .into_iter()
            .find(|o| o.name == *name);
        let id = match found {
            Some(o) => o.id,
            None => {
                let mut tx = store
                    .write(AuditActor::system("demo"))
                    .await
                    .map_err(store_error)?;
                let o = store
                    .create_organisation(
                        &mut tx,
                        &Scope::City,
                        NewOrganisation {
                            kind: "financial_institution".into(),
                            name: name.to_string(),
                            institution_type: Some("bank".into()),
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(store_error)?;
                tx.commit().await.map_err(store_error)?;
                o.id
            }
        };
        bank_ids.push(id);
    }
    Ok(bank_ids)
}

/// `ipfin demo --loans N`: N synthetic loans in transactions of 10,000 (multi-row inserts),
/// then the statistics rebuilt. Loaded once: a second run finds them and stops.
async fn load_bulk_loans(store: &Store, n: u64, seed: u64) -> Result<()> {
    let there = store
        .loans_with_contract_prefix(demo_loans::BULK_PREFIX)
        .await
        .map_err(store_error)?;
    if there > 0 {
        println!(
            "合成贷款已加载 / synthetic loans already there: {there} ({}…)",
            demo_loans::BULK_PREFIX
        );
        return Ok(());
    }
    let enterprises = store
        .enterprise_ids_with_district()
        .await
        .map_err(store_error)?;
    if enterprises.is_empty() {
        bail!("没有已登记注册地的企业 / no enterprises with a registered district to lend to");
    }
    let banks = demo_bank_ids(store).await?;
    let bar = indicatif::ProgressBar::new(n);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} 笔合成贷款 loans · {per_sec} · 剩余 {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let mut loans = demo_loans::BulkLoans::new(&enterprises, &banks, n, seed, demo_as_of());
    let mut written = 0u64;
    loop {
        let batch: Vec<_> = loans.by_ref().take(10_000).collect();
        if batch.is_empty() {
            break;
        }
        let mut tx = store
            .write(AuditActor::system("demo"))
            .await
            .map_err(store_error)?;
        store
            .insert_bulk_loans(&mut tx, &batch)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        written += batch.len() as u64;
        bar.set_position(written);
    }
    let secs = started.elapsed().as_secs_f64().max(0.001);
    println!(
        "合成贷款 / synthetic loans: {written} 笔 to {} enterprises' pool of {}, {} banks · {secs:.1} s · {:.0} loans/s",
        enterprises.len(),
        (n / 4).clamp(1, enterprises.len() as u64),
        banks.len(),
        written as f64 / secs
    );
    rebuild_stats_with_bar(store).await
}

/// Rebuilds the statistics aggregates with a spinner naming the step.
async fn rebuild_stats_with_bar(store: &Store) -> Result<()> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] 重算统计 rebuilding statistics: {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    let report = store
        .rebuild_stats(|step| bar.set_message(step.to_string()))
        .await
        .map_err(store_error)?;
    bar.finish_and_clear();
    println!(
        "统计已重算 / statistics rebuilt: {} day rows, {} enterprise-year rows, {} quarter rows · {:.1} s",
        report.day_rows,
        report.enterprise_year_rows,
        report.quarter_rows,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `ipfin stats 2026Q3`: the quarter's lines per district, and how long computing them took.
async fn stats(cfg: &Config, args: StatsArgs) -> Result<()> {
    let q = ipfin_domain::stats::Quarter::parse(&args.quarter)
        .map_err(|m| anyhow::anyhow!("{}", m.zh))?;
    let store = open(cfg).await?;
    let mut times = Vec::new();
    let mut lines = Vec::new();
    for _ in 0..args.repeat.max(1) {
        let started = std::time::Instant::now();
        lines = if args.direct {
            store.quarter_stats_direct(q).await
        } else {
            store.quarter_stats(&ipfin_domain::Scope::City, q).await
        }
        .map_err(store_error)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&lines)?);
    } else {
        println!(
            "{:<9} {:>7} {:>16} {:>6} {:>6} {:>16} {:>16} {:>7} {:>6} {:>4}",
            "district",
            "loans",
            "amount_yuan",
            "ents",
            "first",
            "sme_yuan",
            "ytd_yuan",
            "ytd_ents",
            "pledges",
            "rank"
        );
        for d in &lines {
            println!(
                "{:<9} {:>7} {:>16} {:>6} {:>6} {:>16} {:>16} {:>7} {:>6} {:>4}",
                d.district,
                d.quarter.loans,
                d.quarter.amount_fen.get() / 100,
                d.quarter.enterprises,
                d.quarter.first_loans,
                d.quarter.sme_amount_fen.get() / 100,
                d.year_to_date.amount_fen.get() / 100,
                d.year_to_date.enterprises,
                d.pledge_registrations,
                d.rank_ytd_amount
            );
        }
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    eprintln!(
        "quarter_stats{} {q}: {} run(s) · first {:.1} ms · min {:.1} ms · median {:.1} ms · max {:.1} ms",
        if args.direct { "_direct" } else { "" },
        times.len(),
        times[0],
        sorted[0],
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1]
    );
    Ok(())
}

/// The city-scale demo loans: the fifteen banks (created when missing), then each bank's loans
/// with pledges, payments, statuses and contracts, 500 loans a transaction.
async fn load_demo_loans(store: &Store, borrowers: &[generate::Borrower], seed: u64) -> Result<()> {
    let as_of = demo_as_of();
    let bank_ids = demo_bank_ids(store).await?;
    let loans = demo_loans::demo_loans(borrowers, seed, as_of);
    let bar = indicatif::ProgressBar::new(loans.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} 笔贷款 loans · {per_sec} · 剩余 {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let (mut created, mut skipped) = (0u64, 0u64);
    for chunk in loans.chunks(500) {
        let mut tx = store
            .write(AuditActor::system("demo"))
            .await
            .map_err(store_error)?;
        let mut changed = false;
        for l in chunk {
            let scope = Scope::Institution {
                org_id: ipfin_domain::id::OrgId::new(bank_ids[l.bank]),
            };
            let saved = store
                .save_loan(&mut tx, &scope, &l.input)
                .await
                .map_err(store_error)?;
            if saved.outcome != ipfin_store::financing::SaveOutcome::Created {
                skipped += 1;
                continue;
            }
            created += 1;
            changed = true;
            if !l.payments.is_empty() {
                store
                    .add_payments(&mut tx, &scope, saved.id, &l.payments)
                    .await
                    .map_err(store_error)?;
            }
            if let Some((status, date, note)) = l.status {
                store
                    .set_loan_status(&mut tx, &scope, saved.id, status, date, note)
                    .await
                    .map_err(store_error)?;
            }
            for c in &l.contracts {
                store
                    .add_contract(&mut tx, &scope, saved.id, c)
                    .await
                    .map_err(store_error)?;
            }
        }
        if changed {
            tx.commit().await.map_err(store_error)?;
        } else {
            tx.rollback().await.map_err(store_error)?;
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    println!(
        "演示贷款 / demo loans: {created} 笔新增 created, {skipped} 笔已有 already there, {} 家银行 banks · {:.1} s",
        bank_ids.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn generate_with_bar(dir: &Path, count: u64, seed: u64) -> Result<generate::CityFiles> {
    let bar = indicatif::ProgressBar::new(count);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "生成 generating {bar:40} {pos}/{len} · {per_sec} · 剩余 {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let files = generate::write_city_csv(dir, count, seed, |n| bar.set_position(n))?;
    bar.finish_and_clear();
    Ok(files)
}

/// `ipfin screening`: the profiles refreshed, a district or the city scored by its model in
/// force (counts, the sum of all scores in twelfths of a point as a checksum, the first ten),
/// a preview; timings on standard error. `--export-csv` writes the facts instead.
async fn screening(cfg: &Config, args: ScreeningArgs) -> Result<()> {
    use ipfin_store::screening::CITY_AREA;
    let store = open(cfg).await?;
    let today = ipfin_store::today_shanghai();
    if let Some(path) = &args.export_csv {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        use std::io::Write;
        writeln!(
            w,
            "id,district,invention_patents,trademarks,copyrights,recent_grants,rd_expense_fen,revenue_fen,prev_revenue_fen,current_pledge,financing_need,abnormal_operation,dishonest,size_class"
        )?;
        let opt = |v: Option<ipfin_domain::Fen>| v.map(|v| v.get().to_string()).unwrap_or_default();
        let flag = |v: Option<bool>| v.map(|v| u8::from(v).to_string()).unwrap_or_default();
        let (mut last, mut n) = (0i64, 0u64);
        loop {
            let rows = store
                .screening_facts_after(last, 10_000, today)
                .await
                .map_err(store_error)?;
            let Some(end) = rows.last().map(|r| r.0) else {
                break;
            };
            for (id, district, f) in rows {
                writeln!(
                    w,
                    "{id},{district},{},{},{},{},{},{},{},{},{},{},{},{}",
                    f.invention_patents,
                    f.trademarks,
                    f.copyrights,
                    f.recent_grants,
                    opt(f.rd_expense_fen),
                    opt(f.revenue_fen),
                    opt(f.prev_revenue_fen),
                    u8::from(f.current_pledge),
                    flag(f.financing_need),
                    flag(f.abnormal_operation),
                    flag(f.dishonest),
                    f.size.map(|s| s.code()).unwrap_or_default()
                )?;
                n += 1;
            }
            last = end;
        }
        w.flush()?;
        eprintln!("exported {n} enterprises to {}", path.display());
        return Ok(());
    }
    if args.refresh {
        let r = store.refresh_screening(today).await.map_err(store_error)?;
        eprintln!(
            "refresh: {} enterprises, {} profiles, {} ms",
            r.enterprises, r.profiles, r.millis
        );
    }
    if args.refresh_changes {
        let pending = store
            .screening_changes_pending()
            .await
            .map_err(store_error)?;
        let started = std::time::Instant::now();
        let n = store
            .refresh_screening_changes()
            .await
            .map_err(store_error)?;
        eprintln!(
            "refresh_changes: {pending} changes, {n} enterprises, {} ms",
            started.elapsed().as_millis()
        );
    }
    let scope = Scope::City;
    let district = args.district.as_deref();
    let saved = store
        .screening_model(&scope, district)
        .await
        .map_err(store_error)?;
    let mut times = Vec::new();
    let mut scored = None;
    for _ in 0..args.repeat.max(1) {
        let started = std::time::Instant::now();
        scored = Some(
            store
                .score_district(
                    &scope,
                    district,
                    &saved.model,
                    ipfin_store::Page::new(Some(1), Some(10)),
                )
                .await
                .map_err(store_error)?,
        );
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let Some(s) = scored else {
        return Ok(());
    };
    println!(
        "{} model v{} (threshold {}): enterprises {} · passing {} · high {} · score_sum_twelfths {} · profiles {}",
        district.unwrap_or(CITY_AREA),
        saved.version,
        saved.model.threshold,
        s.enterprises,
        s.passing,
        s.high,
        s.score_sum,
        s.profiles
    );
    for e in &s.list.items {
        println!(
            "  {:>6}  {}  {}  {}",
            e.score.display(),
            e.credit_code,
            e.band.code(),
            e.name
        );
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    eprintln!(
        "score_district {}: {} run(s) · first {:.1} ms · min {:.1} ms · median {:.1} ms · max {:.1} ms",
        district.unwrap_or(CITY_AREA),
        times.len(),
        times[0],
        sorted[0],
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1]
    );
    if args.preview_threshold.is_some() || !args.preview_weight.is_empty() {
        let mut pairs: Vec<(ipfin_domain::screening::Factor, i64)> =
            ipfin_domain::screening::Factor::ALL
                .iter()
                .map(|f| (*f, i64::from(saved.model.weight(*f))))
                .collect();
        for w in &args.preview_weight {
            let (code, value) = w
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--preview-weight FACTOR=WEIGHT, not {w}"))?;
            let f = ipfin_domain::screening::Factor::from_code(code.trim())
                .ok_or_else(|| anyhow::anyhow!("no factor {code}"))?;
            let v: i64 = value.trim().parse()?;
            for p in pairs.iter_mut().filter(|p| p.0 == f) {
                p.1 = v;
            }
        }
        let t = args.preview_threshold.unwrap_or(saved.model.threshold);
        let new = ipfin_domain::screening::Model::check(&pairs, i64::from(t)).map_err(|e| {
            anyhow::anyhow!(
                "{}",
                e.iter()
                    .map(|e| e.msg.zh.clone())
                    .collect::<Vec<_>>()
                    .join("；")
            )
        })?;
        let started = std::time::Instant::now();
        let p = store
            .preview_screening(
                &scope,
                district,
                &new,
                ipfin_store::Page::new(Some(1), Some(20)),
            )
            .await
            .map_err(store_error)?;
        eprintln!(
            "preview threshold {} → {t}{}: {:.1} ms · before {} · after {} · entering {} · leaving {}",
            saved.model.threshold,
            args.preview_weight
                .iter()
                .map(|w| format!(", {w}"))
                .collect::<String>(),
            started.elapsed().as_secs_f64() * 1000.0,
            p.shift.before,
            p.shift.after,
            p.shift.entering,
            p.shift.leaving
        );
    }
    Ok(())
}
