//! The conformance matrix in a real browser: two runs of the fixture cases against moto with
//! different expectations (`gate-a`, and `gate-b` with one area left out) give two JSON reports;
//! `cognito-contract matrix` makes one page of them; headless Chromium (Debian's package,
//! installed here when missing) loads it from a file with the network off, runs its script, and
//! the counts in the resulting DOM must be the counts the reports hold, computed here
//! independently. Opening a cell's link shows its cases and messages. A screenshot is kept at
//! `target/tmp/conformance-matrix/matrix.png` for people to look at.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::report_fixture::*;
use regex::Regex;
use serde_json::Value;

/// Chromium, installed from Debian's packages if it is not there yet (as CI does in `.ci/run`).
fn chromium() -> PathBuf {
    let found = || {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
    };
    if let Some(path) = found() {
        return path;
    }
    let install = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    let installed = install(&["update", "-qq"]) && install(&["install", "-y", "-qq", "chromium"]);
    match found() {
        Some(path) if installed => path,
        _ => panic!(
            "this test needs Chromium and could not install it (`apt-get install -y chromium`, as \
             root, from Debian's packages)"
        ),
    }
}

/// Chromium's flags for a sandboxed, offline, throw-away headless run.
fn headless(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--virtual-time-budget=5000",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// The DOM after the page's script ran.
fn dump_dom(browser: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args(headless(profile.path()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the DOM is UTF-8")
}

/// Attributes of every `<tag ...>` in `html` that has `class` containing `class`.
fn elements(html: &str, tag: &str, class: &str) -> Vec<BTreeMap<String, String>> {
    let element = Regex::new(&format!(r"<{tag}\s([^>]*)>")).unwrap();
    let attribute = Regex::new(r#"([\w-]+)="([^"]*)""#).unwrap();
    element
        .captures_iter(html)
        .map(|c| {
            attribute
                .captures_iter(&c[1])
                .map(|a| (a[1].to_owned(), unescape(&a[2])))
                .collect::<BTreeMap<_, _>>()
        })
        .filter(|attrs| {
            attrs
                .get("class")
                .is_some_and(|c| c.split(' ').any(|w| w == class))
        })
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

const OUTCOMES: [&str; 8] = [
    "pass",
    "passed_with_waivers",
    "expected_failure",
    "fail",
    "unexpected_pass",
    "intermittent",
    "error",
    "not_run",
];

/// (operation, target) → outcome → count, straight from the reports: each case counts once for
/// every operation its steps call; cases that did not run count as `not_run`.
fn expected_cells(reports: &[Value]) -> BTreeMap<(String, String), BTreeMap<String, usize>> {
    let mut cells: BTreeMap<(String, String), BTreeMap<String, usize>> = BTreeMap::new();
    let mut operations = std::collections::BTreeSet::new();
    for report in reports {
        for case in report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .chain(report["not_run"].as_array().unwrap())
        {
            for op in case["operations"].as_array().unwrap() {
                operations.insert(op.as_str().unwrap().to_owned());
            }
        }
    }
    for report in reports {
        let target = report["target"].as_str().unwrap().to_owned();
        for op in &operations {
            let counts = cells.entry((op.clone(), target.clone())).or_default();
            for outcome in OUTCOMES {
                counts.insert(outcome.to_owned(), 0);
            }
        }
        for case in report["cases"].as_array().unwrap() {
            for op in case["operations"].as_array().unwrap() {
                let key = (op.as_str().unwrap().to_owned(), target.clone());
                *cells
                    .get_mut(&key)
                    .unwrap()
                    .get_mut(case["outcome"].as_str().unwrap())
                    .unwrap() += 1;
            }
        }
        for case in report["not_run"].as_array().unwrap() {
            for op in case["operations"].as_array().unwrap() {
                let key = (op.as_str().unwrap().to_owned(), target.clone());
                *cells.get_mut(&key).unwrap().get_mut("not_run").unwrap() += 1;
            }
        }
    }
    cells
}

#[test]
fn the_matrix_of_two_runs_renders_in_chromium_with_the_counts_of_the_reports() {
    let browser = chromium();
    let (tmp, cases) = case_dir();
    let (a, b) = (tmp.path().join("a.json"), tmp.path().join("b.json"));
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-matrix");
    let page = matrix_page(&cases, &a, &b, &artifacts);
    let reports = [read_json(&a), read_json(&b)];
    let url = format!("file://{}", page.display());
    let dom = dump_dom(&browser, &url);
    assert!(
        dom.contains(r#"data-ready="true""#),
        "the script did not finish:\n{dom}"
    );
    check_cells(&dom, &reports);
    check_columns(&dom, &reports);

    // Rows grouped by area, the documented errors the cases exercise named.
    for area in ["groups", "pools", "users"] {
        assert!(dom.contains(&format!(">{area}</th>")), "area {area}");
    }
    assert!(dom.contains("errors exercised: 1 of"), "{dom}");

    let detail_url = format!("{url}#op=CreateUserPool&col=gate-b");
    check_detail(&browser, &detail_url);
    take_screenshot(&browser, &artifacts.join("matrix.png"), &detail_url);
}

/// Runs the fixture cases as `gate-a` (report `a`) and, without `users/`, as `gate-b` (report
/// `b`), makes the matrix page of the two in `artifacts`, checks that it would fetch nothing,
/// and returns its path.
fn matrix_page(cases: &Path, a: &Path, b: &Path, artifacts: &Path) -> PathBuf {
    let output = run_target(cases, "gate-a", a, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
    let output = run_target(cases, "gate-b", b, &["--skip", "users/"]);
    assert_eq!(output.status.code(), Some(101), "{}", shown(&output));

    std::fs::create_dir_all(artifacts).unwrap();
    let page = artifacts.join("matrix.html");
    let output = cli(
        &[
            "matrix",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--output",
            page.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));

    // Self-contained: nothing for a browser to fetch.
    let html = std::fs::read_to_string(&page).unwrap();
    for fetch in ["src=", "href=", "url(", "@import", "<link", "<iframe"] {
        assert!(
            !html.contains(fetch),
            "the page would fetch something: {fetch}"
        );
    }
    page
}

/// Every cell of the page, and only those, with the reports' counts.
fn check_cells(dom: &str, reports: &[Value]) {
    let expected = expected_cells(reports);
    let mut found = BTreeMap::new();
    for cell in elements(dom, "td", "cell") {
        let key = (cell["data-op"].clone(), cell["data-col"].clone());
        let counts: BTreeMap<String, usize> = OUTCOMES
            .iter()
            .map(|o| {
                let name = format!("data-{}", o.replace('_', "-"));
                (o.to_string(), cell[&name].parse().unwrap())
            })
            .collect();
        found.insert(key, counts);
    }
    assert_eq!(found, expected);
    // Spot checks of what the fixture makes of it.
    let cell = |op: &str, col: &str| &found[&(op.to_owned(), col.to_owned())];
    assert_eq!(cell("CreateUserPool", "gate-b")["fail"], 1);
    assert_eq!(cell("DescribeUserPool", "gate-b")["unexpected_pass"], 1);
    assert_eq!(cell("DescribeUserPool", "gate-a")["pass"], 1);
    assert_eq!(cell("AdminCreateUser", "gate-b")["not_run"], 1);
    assert_eq!(cell("CreateGroup", "gate-a")["intermittent"], 1);
}

/// A column per target, with the totals of its report and its pass share.
fn check_columns(dom: &str, reports: &[Value]) {
    let cards = elements(dom, "div", "column-card");
    assert_eq!(cards.len(), 2);
    for (card, report) in cards.iter().zip(reports) {
        assert_eq!(card["data-col"], report["target"].as_str().unwrap());
        for (attr, key) in [
            ("data-cases", "cases"),
            ("data-passed", "passed"),
            ("data-passed-with-waivers", "passed_with_waivers"),
            ("data-failed", "failed"),
            ("data-expected-failures", "expected_failures"),
            ("data-unexpected-passes", "unexpected_passes"),
            ("data-intermittent", "intermittent"),
            ("data-errors", "errors"),
            ("data-not-run", "not_run"),
        ] {
            assert_eq!(
                card[attr],
                report["totals"][key].to_string(),
                "{attr} of {}",
                card["data-col"]
            );
        }
    }
    let scores = elements(dom, "div", "score");
    let shares: Vec<&str> = scores
        .iter()
        .map(|s| s["data-pass-share"].as_str())
        .collect();
    assert_eq!(
        shares,
        ["20.0", "25.0"],
        "1 of 5 and 1 of 4 cases pass outright"
    );
}

/// A cell's link (what clicking it opens, `detail_url`) shows its cases with their messages.
fn check_detail(browser: &Path, detail_url: &str) {
    let dom = dump_dom(browser, detail_url);
    let body = elements(&dom, "div", "case");
    assert_eq!(body.len(), 1, "{dom}");
    assert_eq!(body[0]["data-case"], "pools/min_length_too_small");
    assert_eq!(body[0]["data-outcome"], "fail");
    assert!(
        dom.contains(r#"id="detail-body" data-op="CreateUserPool" data-col="gate-b""#),
        "{dom}"
    );
    assert!(
        dom.contains("[status] expected"),
        "the message is shown: {dom}"
    );
    assert!(!dom.contains("<aside id=\"detail\" hidden"), "{dom}");
}

/// A picture of `url` for people, kept at `screenshot` (under target/).
fn take_screenshot(browser: &Path, screenshot: &Path, url: &str) {
    let _ = std::fs::remove_file(screenshot);
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(browser)
        .args(headless(profile.path()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg("--window-size=1400,900")
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(status.status.success(), "{status:?}");
    let png = std::fs::read(screenshot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
}
