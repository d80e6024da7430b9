//! The edges hold shapes, not rules (ARCHITECTURE.md, "No rule lives in an edge"): the command
//! line (`src/`) and the window's shell (`src-tauri/src/`) call `yichuang-app` for the clock,
//! for parsing what a clerk typed, for setting up a centre, for acting as a head or an approver,
//! for settings, periods and print targets. This reads their source and fails on a rule that
//! crept back into an edge.

use std::path::Path;

/// What an edge must not do itself, and where it is done instead.
const RULES: &[(&str, &str)] = &[
    ("Utc::now", "the clock: yichuang_app::clock"),
    ("env::var(\"YICHUANG_NOW", "the clock: yichuang_app::clock"),
    ("PersonName::parse", "forms: yichuang_app::forms"),
    ("IdNumber::parse(&", "forms: yichuang_app::forms (a masking of a stored number is a shape, not a rule)"),
    ("Uscc::parse", "forms: yichuang_app::forms"),
    ("Phone::parse(p)?", "forms: yichuang_app::forms::phone"),
    ("CentreCode::parse", "setup: yichuang_app::setup"),
    ("TerminalId::parse(", "setup and restore: yichuang_app::setup / acting::restore"),
    ("Role::parse", "forms: yichuang_app::forms::role"),
    ("CaseStatus::parse", "forms: yichuang_app::forms::status"),
    ("Period::month(", "periods: yichuang_app::period"),
    ("Layout::parse", "print targets: yichuang_app::printing::layout"),
    (".initialise(", "setup in one transaction: yichuang_app::setup"),
    (".load_demo(", "setup in one transaction: yichuang_app::setup"),
    ("check_pin(", "acting as a head or an approver: yichuang_app::acting"),
    ("head_ever_added", "acting: yichuang_app::acting::system_may_act"),
    ("KEY=VALUE 的形式", "settings: yichuang_app::settings::set_one"),
    ("yichuang_print::deliver(", "printing: yichuang_app::printing::print"),
    ("Store::restore", "restore: yichuang_app::acting::restore"),
];

/// The edges that take what a clerk, a page or a file gives. (`src/demo.rs`, the scripted demo
/// day, builds its own fixed requests; its centre is set up by `yichuang_app::setup`.)
const EDGES: &[&str] = &["src/main.rs", "src/dto.rs", "src-tauri/src/lib.rs", "src-tauri/src/dto.rs", "src-tauri/src/main.rs", "src-tauri/src/screen.rs"];

/// Each rule found in `text` (an edge's source), with its line.
fn scan(edge: &str, text: &str) -> Vec<String> {
    // The shell's own unit tests may build what they check.
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = vec![];
    for (n, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or_default();
        for (token, instead) in RULES {
            if line.contains(token) {
                found.push(format!("{edge}:{}: “{token}” belongs in {instead}", n + 1));
            }
        }
    }
    found
}

#[test]
fn no_rule_lives_in_an_edge() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found: Vec<String> = EDGES.iter().flat_map(|edge| scan(edge, &std::fs::read_to_string(root.join(edge)).unwrap())).collect();
    assert!(found.is_empty(), "rules found in the edges:\n{}", found.join("\n"));
}

/// The check can fail: each rule is found in a line of code, and not in a comment or a test.
#[test]
fn the_edge_check_finds_what_it_looks_for() {
    for (token, _) in RULES {
        assert_eq!(scan("x.rs", &format!("fn f() {{\n    let x = {token}y);\n}}\n")).len(), 1, "{token}");
        assert!(scan("x.rs", &format!("// {token}\n#[cfg(test)]\nlet x = {token}y);\n")).is_empty(), "{token}");
    }
    // And the use-case layer, where the rules live, holds them.
    let app = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/app/src/forms.rs")).unwrap();
    assert!(app.contains("PersonName::parse") && app.contains("IdNumber::parse"));
}
