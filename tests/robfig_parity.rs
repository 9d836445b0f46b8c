//! Parity with the real robfig/cron v3 (Debian's golang-github-robfig-cron-dev).
//!
//! Generates seeded random expressions × zones × from-times, asks the Go
//! oracle in `tests/robfig_oracle/` and compares parse results, error texts
//! and `Next` sequences. CI sets `CRONWARP_REQUIRE_ORACLE=1` so that a
//! missing oracle fails.
//!
//! Without `go` or robfig's source the test is skipped, and says so where
//! a plain `cargo test` shows it: libtest captures what a test prints with
//! `println!`/`eprintln!` and shows it only for a failing test, so the
//! notice is written to the process's stderr handle directly
//! (`std::io::stderr().write_all`), which the capture does not intercept;
//! it appears between `running 1 test` and the result line.
//!
//! robfig/cron v3.0.1's source is looked for, first match wins, in:
//! `$CRONWARP_ROBFIG_SRC` (a directory holding `cron.go`; when set, the only
//! place looked), the Go module cache (`go env GOMODCACHE`, as
//! `go mod download github.com/robfig/cron/v3@v3.0.1` leaves it), each
//! `GOPATH` entry (`src/github.com/robfig/cron`, `pkg/mod/…`), and Debian's
//! `/usr/share/gocode/src/github.com/robfig/cron`
//! (`sudo apt-get install golang-go golang-github-robfig-cron-dev`).

use cronwarp::schedule::{ParseError, Schedule, Zone};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where Debian's golang-github-robfig-cron-dev installs robfig/cron v3.0.1.
const DEBIAN_SRC: &str = "/usr/share/gocode/src/github.com/robfig/cron";
/// The module path and version the oracle builds against.
const MODULE: &str = "github.com/robfig/cron/v3@v3.0.1";
const INSTALL: &str = "sudo apt-get install golang-go golang-github-robfig-cron-dev";

/// `go env NAME`, if `go` runs and the value is not empty.
fn go_env(name: &str) -> Option<PathBuf> {
    let out = Command::new("go").args(["env", name]).output().ok()?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !v.is_empty()).then(|| PathBuf::from(v))
}

/// The places robfig's source may be, in the order they are tried.
fn robfig_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(cache) = go_env("GOMODCACHE") {
        out.push(cache.join(MODULE));
    }
    let gopath = std::env::var_os("GOPATH").map(PathBuf::from).or_else(|| go_env("GOPATH"));
    for dir in gopath.iter().flat_map(std::env::split_paths) {
        out.push(dir.join("src/github.com/robfig/cron"));
        out.push(dir.join("pkg/mod").join(MODULE));
    }
    out.push(PathBuf::from(DEBIAN_SRC));
    out
}

/// robfig/cron v3's source directory, or why it was not found.
fn robfig_src() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("CRONWARP_ROBFIG_SRC") {
        let dir = PathBuf::from(dir);
        return if dir.join("cron.go").is_file() {
            Ok(dir)
        } else {
            Err(format!("CRONWARP_ROBFIG_SRC={} holds no cron.go", dir.display()))
        };
    }
    let tried = robfig_candidates();
    if let Some(found) = tried.iter().find(|d| d.join("cron.go").is_file()) {
        return Ok(found.clone());
    }
    let list: Vec<String> = tried.iter().map(|d| d.display().to_string()).collect();
    Err(format!(
        "robfig/cron v3 source not found (looked in {}); {INSTALL}, or set CRONWARP_ROBFIG_SRC",
        list.join(", ")
    ))
}

/// Builds the oracle into target/, against the robfig source found, or says
/// why it cannot. The module is copied next to the binary with its
/// `replace` pointed at that source, so the build stays offline.
fn build_oracle() -> Result<PathBuf, String> {
    let robfig = robfig_src()?;
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let bin = target.join("robfig_oracle");
    let module = target.join("robfig_oracle_src");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/robfig_oracle");
    std::fs::create_dir_all(&module).map_err(|e| format!("cannot create {}: {e}", module.display()))?;
    std::fs::copy(src.join("main.go"), module.join("main.go"))
        .map_err(|e| format!("copying main.go: {e}"))?;
    let go_mod = std::fs::read_to_string(src.join("go.mod")).map_err(|e| format!("reading go.mod: {e}"))?;
    let go_mod: String = go_mod
        .lines()
        .map(|l| match l.starts_with("replace ") {
            true => format!("replace github.com/robfig/cron/v3 => {}\n", robfig.display()),
            false => format!("{l}\n"),
        })
        .collect();
    std::fs::write(module.join("go.mod"), go_mod).map_err(|e| format!("writing go.mod: {e}"))?;
    let out = Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(&module)
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOCACHE", target.join("gocache"))
        .output()
        .map_err(|e| format!("cannot run go: {e} ({INSTALL})"))?;
    if !out.status.success() {
        return Err(format!(
            "go build against {} failed: {}",
            robfig.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(bin)
}

fn oracle_or_skip() -> Option<PathBuf> {
    match build_oracle() {
        Ok(p) => Some(p),
        Err(why) if std::env::var_os("CRONWARP_REQUIRE_ORACLE").is_some() => {
            panic!("robfig oracle required but unavailable: {why}")
        }
        Err(why) => {
            // Past libtest's capture (see the module docs), so a plain
            // `cargo test` shows it.
            let notice = format!(
                "\n======== SKIPPED: robfig/cron parity (no oracle) ========\n{why}\n\
                 Install it with: {INSTALL}\n\
                 =========================================================\n"
            );
            let _ = std::io::stderr().write_all(notice.as_bytes());
            None
        }
    }
}

#[derive(Clone)]
struct Case {
    spec: String,
    from: i64,
    count: usize,
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Asks the oracle; returns one JSON line per case.
fn ask(oracle: &PathBuf, cases: &[Case]) -> Vec<String> {
    let mut child =
        Command::new(oracle).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("oracle starts");
    let mut input = String::new();
    for c in cases {
        let from = chrono::DateTime::from_timestamp(c.from, 0).unwrap().to_rfc3339();
        input.push_str(&format!(
            "{{\"spec\":{},\"from\":\"{from}\",\"count\":{}}}\n",
            json_str(&c.spec),
            c.count
        ));
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("oracle runs");
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "oracle failed");
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

/// Our answer in the oracle's JSON shape.
fn ours(c: &Case) -> serde_json::Value {
    use serde_json::json;
    match Schedule::parse(&c.spec) {
        Err(ParseError::Panic(p)) => json!({ "panic": p }),
        Err(ParseError::Robfig(e)) => json!({ "err": e }),
        Ok(s) => {
            let mut v = Vec::new();
            let mut t = c.from;
            for _ in 0..c.count {
                match s.next(t, Zone::Utc) {
                    Some(n) => {
                        v.push(n);
                        t = n;
                    }
                    None => {
                        v.push(0);
                        break;
                    }
                }
            }
            json!({ "next": v })
        }
    }
}

const ZONES: &[&str] = &[
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "America/Chicago",
    "America/St_Johns",
    "America/Halifax",
    "America/Sao_Paulo",
    "America/Havana",
    "America/Santiago",
    "America/Asuncion",
    "America/Mexico_City",
    "America/Moncton",
    "America/Caracas",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Dublin",
    "Europe/Helsinki",
    "Atlantic/Azores",
    "Africa/Cairo",
    "Asia/Beirut",
    "Asia/Jerusalem",
    "Asia/Tehran",
    "Asia/Amman",
    "Asia/Damascus",
    "Africa/Casablanca",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Auckland",
    "Pacific/Apia",
    "Antarctica/Troll",
    "America/Godthab",
    "Asia/Gaza",
    "Europe/Lisbon",
    "America/Scoresbysund",
    "Pacific/Kiritimati",
];

const FIELD_ATOMS: [&[&str]; 5] = [
    &["*", "0", "5", "15", "30", "45", "59", "*/5", "*/15", "0-30/10", "7/20", "?", "1,31", "*/60", "60"],
    &["*", "0", "1", "2", "3", "12", "23", "1-3", "*/2", "0-23/6", "?", "24", "22-2", "*/1"],
    &["*", "1", "15", "29", "30", "31", "1-7", "*/2", "?", "*/1", "1-31", "2/1", "L", "0", "10-20/3"],
    &["*", "1", "2", "3", "10", "11", "12", "JAN", "mar-may", "*/3", "?", "4-DEC", "13", "nov"],
    &["*", "0", "1", "5", "6", "7", "MON-FRI", "sat,sun", "1/2", "*/2", "?", "0-6", "SUN", "*/1", "fri"],
];

const WHOLE: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
    "@every 1h",
    "@every 90m",
    "@every 1d",
    "@every 500ms",
    "@every -1h",
    "@every 1h30m",
    "@every  1h",
    "@every 1.5h",
    "@every 0s",
    "@daily ",
    "@DAILY",
    "@every",
    "",
    "* * * *",
    "* * * * * *",
    "0 0 30 2 *",
    "0 0 29 2 *",
    "0 0 , * *",
    "*-5 * * * *",
    "+5 * * * *",
    "1,,2 * * * *",
    "0 0 * * 0#2",
    "0 0 L * *",
    "*/0 * * * *",
    "1-2-3 * * * *",
    "1/2/3 * * * *",
    "*/-1 * * * *",
    "5-1 * * * *",
    "0 0 * * SAT-SUN",
    "0 0 * DEC-JAN *",
    "TZ=UTC",
    "TZ=",
    "CRON_TZ=UTC\t@daily",
    "TZ=UTC\t* * * * *",
    "TZ=utc * * * * *",
    "TZ=Europe/berlin * * * * *",
    "TZ=../x * * * * *",
    "TZ=America * * * * *",
    "CRON_TZ=Asia/Tokyo 0 9 * * *",
    "TZ=UTC @daily ",
    "TZ=Local 0 0 * * *",
    "99999999999999999999 * * * *",
    "0 0 1 * 1",
    "0 0 13 * 5",
    "0 0 */1 * 1",
    "0 0 15 * 1/1",
    "0\u{A0}0 * * *",
    "0 0\u{3000}* * *",
    "0\u{200B} 0 * * *",
    "jan * * * *",
    "0 0 * * monday",
];

fn random_case(rng: &mut ChaCha8Rng) -> Case {
    let body = if rng.random_bool(0.15) {
        WHOLE[rng.random_range(0..WHOLE.len())].to_string()
    } else {
        let mut f = Vec::new();
        for atoms in FIELD_ATOMS {
            let a = atoms[rng.random_range(0..atoms.len())];
            if rng.random_bool(0.1) {
                let b = atoms[rng.random_range(0..atoms.len())];
                f.push(format!("{a},{b}"));
            } else {
                f.push(a.to_string());
            }
        }
        f.join(" ")
    };
    let zone = ZONES[rng.random_range(0..ZONES.len())];
    let spec = if body.starts_with("TZ") || body.starts_with("CRON") || rng.random_bool(0.15) {
        body
    } else {
        format!("TZ={zone} {body}")
    };
    // From-times 1995–2035, biased to DST transition months and hours.
    let year = rng.random_range(1995..2036);
    let month = *[3u32, 4, 9, 10, 11, 1, 6].get(rng.random_range(0..7)).unwrap();
    let day = rng.random_range(1..29);
    let base = chrono::NaiveDate::from_ymd_opt(year, month, day).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let from = base.and_utc().timestamp() + rng.random_range(0..86_400 * 3);
    Case { spec, from, count: 6 }
}

#[test]
fn parity_with_real_robfig_on_random_cases() {
    let Some(oracle) = oracle_or_skip() else { return };
    let mut rng = ChaCha8Rng::seed_from_u64(0x0c0f_fee5);
    let n: usize = std::env::var("CRONWARP_PARITY_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let cases: Vec<Case> = (0..n).map(|_| random_case(&mut rng)).collect();
    let theirs = ask(&oracle, &cases);
    assert_eq!(theirs.len(), cases.len());
    let mut bad = Vec::new();
    for (c, t) in cases.iter().zip(&theirs) {
        let o = ours(c);
        let t: serde_json::Value = serde_json::from_str(t).expect("oracle JSON");
        if t != o {
            bad.push(format!("{:?} from {}: robfig {t} ours {o}", c.spec, c.from));
        }
    }
    eprintln!("robfig parity: {} cases, {} mismatches", cases.len(), bad.len());
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        cases.len(),
        bad[..bad.len().min(40)].join("\n")
    );
}
