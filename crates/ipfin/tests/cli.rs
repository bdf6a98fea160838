//! The real binary: `serve` on port 0 with the demo, first-run bootstrap, `audit verify` catching
//! a tampered row, `backup`, and `user create`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ipfin"));
    c.env_remove("IPFIN_DATABASE_URL").env("RUST_LOG", "warn");
    c
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ipfin-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Starts `serve` and returns the child, the address it printed, and everything it printed before.
// The caller kills and waits for the returned child.
#[allow(clippy::zombie_processes)]
fn start(args: &[&str], dir: &Path) -> (Child, String, Vec<String>) {
    let mut child = bin()
        .args([
            "--data-dir",
            dir.to_str().expect("utf-8"),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(
            std::fs::File::create(dir.join("serve.stderr"))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
        )
        .spawn()
        .expect("spawn ipfin");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut reader = BufReader::new(stdout);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("read") == 0 || Instant::now() > deadline {
            let _ = child.kill();
            let status = child.wait();
            let stderr = std::fs::read_to_string(dir.join("serve.stderr")).unwrap_or_default();
            panic!("server did not start ({status:?}): stdout {lines:?}, stderr: {stderr}");
        }
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest.split_whitespace().next().expect("addr").to_string();
            lines.push(line);
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in reader.lines() {});
            return (child, addr, lines);
        }
        lines.push(line);
    }
}

fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, out)
}

#[test]
fn serve_demo_prints_logins_and_answers() {
    let dir = temp_dir("demo");
    let (mut child, addr, lines) = start(&["--demo"], &dir);
    let text = lines.join("");
    for user in [
        "city.admin",
        "ns.officer",
        "ns.finance",
        "bank.manager",
        "agency.specialist",
        "ent.user",
    ] {
        assert!(text.contains(user), "login for {user} printed: {text}");
    }
    assert!(dir.join("demo-logins.txt").exists());
    let (status, body) = http_get(&addr, "/readyz");
    assert_eq!(status, 200, "{body}");
    let (status, body) = http_get(&addr, "/api/v1/districts");
    assert_eq!(status, 200);
    assert!(body.contains("440300DP") && body.contains("深汕特别合作区"));
    let (status, body) = http_get(&addr, "/api/v1/tools/credit-code/914403001922038216");
    assert_eq!(status, 200);
    assert!(body.contains("\"valid\":true"));
    let _ = child.kill();
    let _ = child.wait();

    // A second start with --demo keeps the data and shows the saved logins again.
    let (mut child, _, lines) = start(&["--demo"], &dir);
    assert!(lines.join("").contains("ns.officer"));
    let _ = child.kill();
    let _ = child.wait();

    // The audit chain verifies; after tampering with a row it names the event.
    let out = bin()
        .args([
            "--data-dir",
            dir.to_str().expect("utf-8"),
            "audit",
            "verify",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    let backup = dir.join("backup.db");
    let out = bin()
        .args([
            "--data-dir",
            dir.to_str().expect("utf-8"),
            "backup",
            backup.to_str().expect("utf-8"),
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::metadata(&backup).expect("backup").len() > 0);
    let out = bin()
        .args([
            "--data-dir",
            dir.to_str().expect("utf-8"),
            "backup",
            backup.to_str().expect("utf-8"),
        ])
        .output()
        .expect("run");
    assert!(!out.status.success(), "refuses to overwrite");

    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let url = format!("sqlite://{}?mode=rw", dir.join("ipfin.db").display());
        let store = ipfin_store::Store::connect(&url).await.expect("open");
        ipfin_store::testing::drop_audit_guards(&store).await;
        ipfin_store::db::exec(
            store.conn(),
            "UPDATE audit_events SET actor = 'system:forged' WHERE seq = 5",
            vec![],
        )
        .await
        .expect("tamper");
        store.conn().close_by_ref().await.ok();
    });
    let out = bin()
        .args([
            "--data-dir",
            dir.to_str().expect("utf-8"),
            "audit",
            "verify",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("#5") && err.contains("altered"), "{err}");

    // The backup taken before the tampering still verifies (with its own anchor: the live
    // database's anchor is further along than the backup).
    let backup_dir = dir.join("backup-check");
    let out = bin()
        .args([
            "--data-dir",
            backup_dir.to_str().expect("utf-8"),
            "--database-url",
            &format!("sqlite://{}?mode=rw", backup.display()),
            "audit",
            "verify",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn first_start_without_users_prints_a_one_time_setup_link() {
    let dir = temp_dir("bootstrap");
    let (mut child, addr, lines) = start(&[], &dir);
    let text = lines.join("");
    let link = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("http://"))
        .expect("setup link printed")
        .to_string();
    let path = &link[link.find('/').expect("path")..];
    assert!(path.starts_with("/setup?token="));
    let (status, body) = http_get(&addr, path);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("创建市级管理员"));
    let (status, _) = http_get(&addr, "/setup?token=guess");
    assert_eq!(status, 403);
    let _ = child.kill();
    let _ = child.wait();

    // The CLI can create a user too; it prints a one-time password.
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let office = rt.block_on(async {
        let url = format!("sqlite://{}?mode=rw", dir.join("ipfin.db").display());
        let store = ipfin_store::Store::connect(&url).await.expect("open");
        let mut tx = store
            .write(ipfin_store::audit::AuditActor::system("test"))
            .await
            .expect("tx");
        let org = store
            .create_organisation(
                &mut tx,
                &ipfin_domain::Scope::City,
                ipfin_store::org::NewOrganisation {
                    kind: "city_office".into(),
                    name: "测试市局".into(),
                    ..Default::default()
                },
            )
            .await
            .expect("org");
        tx.commit().await.expect("commit");
        store.conn().close_by_ref().await.ok();
        org.id
    });
    let out = bin()
        .args([
            "--data-dir",
            dir.to_str().expect("utf-8"),
            "user",
            "create",
            "--org-id",
            &office.to_string(),
        ])
        .args([
            "--username",
            "first.admin",
            "--name",
            "管理员",
            "--role",
            "city_admin",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No password anyone else knows: a one-time activation link for the person.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("activation link") && stdout.contains("/activate/"),
        "{stdout}"
    );
    let out = bin()
        .args([
            "--data-dir",
            dir.to_str().expect("utf-8"),
            "user",
            "create",
            "--org-id",
            &office.to_string(),
        ])
        .args(["--username", "x", "--name", "x", "--role", "city_admin"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("username"),
        "names the field"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn synthetic_loans_load_once_and_their_statistics_equal_the_direct_scan() {
    let dir = temp_dir("bulk-loans");
    let d = dir.to_str().expect("utf-8");
    let run = |args: &[&str]| {
        let out = bin()
            .args(["--data-dir", d])
            .args(args)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let first = run(&["demo", "--loans", "3000"]);
    assert!(first.contains("3000 笔"), "{first}");
    assert!(first.contains("statistics rebuilt"), "{first}");
    let again = run(&["demo", "--loans", "3000"]);
    assert!(again.contains("already there: 3000"), "{again}");
    for q in ["2024Q1", "2025Q2", "2026Q3"] {
        let agg: serde_json::Value =
            serde_json::from_str(&run(&["stats", q, "--json"])).expect("json");
        let direct: serde_json::Value =
            serde_json::from_str(&run(&["stats", q, "--json", "--direct"])).expect("json");
        assert_eq!(agg, direct, "{q}");
        let loans: i64 = agg
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| l["quarter"]["loans"].as_i64().unwrap_or(0))
            .sum();
        assert!(loans > 100, "{q}: {loans}");
    }
    let rebuilt = run(&["stats-rebuild"]);
    assert!(rebuilt.contains("statistics rebuilt"), "{rebuilt}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_import_is_recorded_as_the_delivery_of_a_data_sharing_arrangement() {
    let dir = temp_dir("sharing");
    let d = dir.to_str().expect("utf-8");
    let run = |args: &[&str]| {
        bin()
            .args(["--data-dir", d])
            .args(args)
            .output()
            .expect("run")
    };
    assert!(run(&["demo"]).status.success());
    let file = dir.join("登记信息.csv");
    std::fs::write(
        &file,
        "统一社会信用代码,企业名称,注册地,纳税地,独立法人,行业代码,从业人员,营业收入（元）,资产总额（元）,同意数据共享\n",
    )
    .expect("csv");
    let f = file.to_str().expect("utf-8");
    // Arrangement 1 is the first district's registration data: delivered by an enterprise
    // import, not a tag import; an unknown arrangement is refused too, before anything starts.
    let wrong = run(&["import", "tags", f, "--arrangement", "1"]);
    assert!(!wrong.status.success());
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(err.contains("须通过“企业名录”导入报送"), "{err}");
    let unknown = run(&["import", "enterprises", f, "--arrangement", "99999"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("不存在"));
    let ok = run(&["import", "enterprises", f, "--arrangement", "1"]);
    let err = String::from_utf8_lossy(&ok.stderr);
    assert!(ok.status.success(), "{err}");
    assert!(err.contains("delivering arrangement 1"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Issue #17 items 8 and 10 with the real binary: a restart removes uploads a kill cut off,
/// everything on disk is owner-only, and `audit verify` anchors the head outside the database
/// and reports a tail removed behind a rewritten head.
#[cfg(unix)]
#[test]
fn verify_anchors_the_chain_outside_the_database_and_files_are_owner_only() {
    let dir = temp_dir("anchor");
    std::fs::create_dir_all(dir.join("uploads")).expect("dir");
    std::fs::write(dir.join("uploads/upload-0123456789abcdef"), b"cut off").expect("w");
    let (mut child, _addr, _) = start(&["--demo"], &dir);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        !dir.join("uploads/upload-0123456789abcdef").exists(),
        "the cut-off upload is removed at start"
    );
    for (p, m) in [
        (dir.clone(), 0o700),
        (dir.join("ipfin.db"), 0o600),
        (dir.join("demo-logins.txt"), 0o600),
        (dir.join("files"), 0o700),
        (dir.join("uploads"), 0o700),
        (dir.join("attachments"), 0o700),
    ] {
        assert_eq!(mode(&p), m, "{}", p.display());
    }
    let verify = || {
        bin()
            .args([
                "--data-dir",
                dir.to_str().expect("utf-8"),
                "audit",
                "verify",
            ])
            .output()
            .expect("run")
    };
    let out = verify();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let anchor = dir.join("files/records/audit-anchor.json");
    assert_eq!(mode(&anchor), 0o600);
    let text = std::fs::read_to_string(&anchor).expect("anchor");
    let anchored: serde_json::Value = serde_json::from_str(&text).expect("json");
    let seq = anchored["seq"].as_i64().expect("seq");
    assert!(seq > 10, "{text}");
    let out = verify();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("#{seq}")));

    // Someone with full control of the database cuts the last five events off and rewrites
    // the head to match: the chain alone looks whole, the anchor shows the cut.
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let url = format!("sqlite://{}?mode=rw", dir.join("ipfin.db").display());
        let store = ipfin_store::Store::connect(&url).await.expect("open");
        ipfin_store::testing::drop_audit_guards(&store).await;
        let keep = seq - 5;
        for sql in [
            format!("DELETE FROM audit_events WHERE seq > {keep}"),
            format!(
                "UPDATE audit_head SET seq = {keep}, hash = (SELECT hash FROM audit_events WHERE seq = {keep}) WHERE id = 1"
            ),
        ] {
            ipfin_store::db::exec(store.conn(), &sql, vec![])
                .await
                .expect("tamper");
        }
        store.conn().close_by_ref().await.ok();
    });
    let out = verify();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("removed from the end") && err.contains(&format!("#{seq}")),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_cli_import_refuses_hostile_workbooks_with_a_message_and_an_exit_code_never_an_abort() {
    let dir = temp_dir("hostile");
    let d = dir.to_str().expect("utf-8");
    let run = |args: &[&str]| {
        bin()
            .args(["--data-dir", d])
            .args(args)
            .output()
            .expect("run")
    };
    assert!(run(&["demo"]).status.success());
    let bank = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            let store = ipfin_store::Store::connect(&format!("sqlite://{d}/ipfin.db"))
                .await
                .expect("store");
            ipfin_store::db::fetch_i64(
                store.conn(),
                "SELECT MIN(id) FROM organisations WHERE kind = 'financial_institution'",
                vec![],
            )
            .await
            .expect("a demo bank")
        })
        .to_string();
    for h in ipfin_store::testing::hostile::corpus() {
        let file = dir.join(format!("{}.xlsx", h.name));
        std::fs::write(&file, &h.bytes).expect("write");
        let f = file.to_str().expect("utf-8");
        // The city imports the registry (the corpus has its columns); a demo bank imports
        // loans, and is refused the same way before the columns are even read.
        let mut runs = vec![vec!["import", "enterprises", f]];
        if !matches!(h.code, "file.too_many_columns" | "file.cell_too_long") {
            runs.push(vec!["import", "loans", f, "--lender", bank.as_str()]);
        }
        for args in runs {
            let out = run(&args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{} {args:?}: a refusal, not an abort (a signal has no exit code): {err}",
                h.name
            );
            assert!(
                err.contains("导入被拒绝") && err.contains(h.code),
                "{} {args:?}: {err}",
                h.name
            );
        }
        assert!(
            dir.join(format!("{}.errors.xlsx", h.name)).exists(),
            "{}: the report is written",
            h.name
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
