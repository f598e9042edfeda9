//! Local-only scan of real mod files: every unit expression in UNITS blocks,
//! declaration blocks, and after numeric literals must parse.
//! Run with `cargo test -p ranvier-units --test mod_files -- --ignored --nocapture`.
#![allow(clippy::print_stderr)]

use ranvier_units::UnitTable;
use std::path::{Path, PathBuf};

const DIRS: &[&str] = &["/tmp/netpyne/doc/source/code/mod", "/tmp/nrn/src/nrnoc"];

/// Remove `: ...` and `? ...` line comments, COMMENT/ENDCOMMENT and
/// VERBATIM/ENDVERBATIM blocks (replacing them by spaces).
fn strip(src: &str) -> String {
    let mut out = String::new();
    let mut skip_until: Option<&str> = None;
    for line in src.lines() {
        let t = line.trim();
        if let Some(end) = skip_until {
            if t.starts_with(end) {
                skip_until = None;
            }
            out.push('\n');
            continue;
        }
        if t.starts_with("COMMENT") {
            skip_until = Some("ENDCOMMENT");
            out.push('\n');
            continue;
        }
        if t.starts_with("VERBATIM") {
            skip_until = Some("ENDVERBATIM");
            out.push('\n');
            continue;
        }
        let code = line.split([':', '?']).next().unwrap_or("");
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// Bodies of top-level blocks `KEYWORD ... { body }`.
fn blocks(src: &str) -> Vec<(String, String)> {
    let b = src.as_bytes();
    let mut res = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphabetic() && (i == 0 || !is_ident(b[i - 1])) {
            let s = i;
            while i < b.len() && is_ident(b[i]) {
                i += 1;
            }
            let word = &src[s..i];
            // find the next '{' on the header, then the matching '}'
            let mut j = i;
            while j < b.len() && b[j] != b'{' && b[j] != b'\n' {
                j += 1;
            }
            if j < b.len() && b[j] == b'{' {
                let header = src[s..j].to_string();
                let mut depth = 0;
                let mut k = j;
                while k < b.len() {
                    match b[k] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    k += 1;
                }
                res.push((
                    word.to_string(),
                    header.clone() + &src[j + 1..k.min(b.len())],
                ));
                i = k + 1;
            }
        } else {
            i += 1;
        }
    }
    res
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Parenthesized groups with the surrounding non-blank context.
struct Group {
    text: String,
    before: Option<u8>,
    end: usize,
    start: usize,
}

fn groups(body: &str) -> Vec<Group> {
    let b = body.as_bytes();
    let mut res = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'(' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b')' && b[j] != b'\n' {
                j += 1;
            }
            let before = body[..i].trim_end().bytes().last();
            res.push(Group {
                text: body[i + 1..j].to_string(),
                before,
                start: i,
                end: j + 1,
            });
            i = j + 1;
        } else {
            i += 1;
        }
    }
    res
}

/// Unit groups that directly follow a numeric literal (`0.062 (/mV)`).
fn literal_units(body: &str) -> Vec<String> {
    groups(body)
        .into_iter()
        .filter(|g| {
            let head = body[..g.start].trim_end();
            let hb = head.as_bytes();
            let mut k = hb.len();
            while k > 0
                && (hb[k - 1].is_ascii_digit()
                    || hb[k - 1] == b'.'
                    || hb[k - 1] == b'e'
                    || hb[k - 1] == b'E'
                    || hb[k - 1] == b'-'
                    || hb[k - 1] == b'+')
            {
                k -= 1;
            }
            let tok = &head[k..];
            let starts_digit = tok
                .bytes()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == b'.');
            let ends_digit = tok
                .bytes()
                .last()
                .is_some_and(|c| c.is_ascii_digit() || c == b'.');
            !tok.is_empty() && starts_digit && ends_digit && (k == 0 || !is_ident(hb[k - 1]))
        })
        .map(|g| g.text)
        .collect()
}

fn mod_files() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for d in DIRS {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "mod") {
                    v.push(p);
                }
            }
        }
    }
    v.sort();
    v
}

#[derive(Default)]
struct Stats {
    exprs: usize,
    common_fail: Vec<String>,
    strict_fail: Vec<String>,
    factor_defs: Vec<String>,
}

fn scan(path: &Path, st: &mut Stats) {
    let src = strip(&std::fs::read_to_string(path).unwrap());
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let bl = blocks(&src);
    let mut common = UnitTable::common();
    let mut strict = UnitTable::neuron();
    let mut exprs: Vec<String> = Vec::new();
    for (_, body) in bl.iter().filter(|(k, _)| k == "UNITS") {
        let gs = groups(body);
        let mut i = 0;
        while i < gs.len() {
            let g = &gs[i];
            let after = body[g.end..].trim_start();
            let next = gs.get(i + 1);
            if let (true, Some(n)) = (after.starts_with('='), next) {
                st.exprs += 2;
                if let Err(e) = common.define(&g.text, &n.text) {
                    st.common_fail
                        .push(format!("{name}: ({}) = ({}): {e}", g.text, n.text));
                }
                if let Err(e) = strict.define(&g.text, &n.text) {
                    st.strict_fail
                        .push(format!("{name}: ({}) = ({}): {e}", g.text, n.text));
                }
                i += 2;
            } else if let (true, Some(n)) = (g.before == Some(b'='), next) {
                st.exprs += 2;
                match strict.factor_def(&g.text, &n.text) {
                    Ok(v) => {
                        let dims = strict
                            .conversion(&g.text, &n.text)
                            .err()
                            .map(|e| format!(" [{e}]"))
                            .unwrap_or_default();
                        st.factor_defs
                            .push(format!("{name}: ({}) ({}) = {v:?}{dims}", g.text, n.text));
                    }
                    Err(e) => st
                        .strict_fail
                        .push(format!("{name}: ({}) ({}): {e}", g.text, n.text)),
                }
                if let Err(e) = common.factor_def(&g.text, &n.text) {
                    st.common_fail
                        .push(format!("{name}: ({}) ({}): {e}", g.text, n.text));
                }
                i += 2;
            } else {
                exprs.push(g.text.clone());
                i += 1;
            }
        }
    }
    for (kw, body) in &bl {
        match kw.as_str() {
            "UNITS" => {}
            "PARAMETER" | "ASSIGNED" | "STATE" | "CONSTANT" | "INDEPENDENT" => {
                exprs.extend(groups(body).into_iter().map(|g| g.text));
            }
            _ => exprs.extend(literal_units(body)),
        }
    }
    for x in exprs {
        st.exprs += 1;
        if let Err(e) = common.parse(&x) {
            st.common_fail.push(format!("{name}: ({x}): {e}"));
        }
        if let Err(e) = strict.parse(&x) {
            st.strict_fail.push(format!("{name}: ({x}): {e}"));
        }
    }
}

#[test]
#[ignore = "needs /tmp/netpyne and /tmp/nrn checkouts"]
fn all_mod_file_units_parse() {
    let files = mod_files();
    assert!(!files.is_empty(), "no mod files found in {DIRS:?}");
    let mut st = Stats::default();
    for f in &files {
        scan(f, &mut st);
    }
    eprintln!("{} files, {} unit expressions", files.len(), st.exprs);
    for f in &st.factor_defs {
        eprintln!("factor: {f}");
    }
    eprintln!(
        "{} fail with NEURON's own table (+ file UNITS):",
        st.strict_fail.len()
    );
    for f in &st.strict_fail {
        eprintln!("  strict: {f}");
    }
    for f in &st.common_fail {
        eprintln!("  COMMON FAIL: {f}");
    }
    assert!(
        st.common_fail.is_empty(),
        "{} expressions failed",
        st.common_fail.len()
    );
}
