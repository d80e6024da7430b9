//! The two files a clerk's or head's hands bring to the CLI: an application file, and a file
//! from a USB stick. Each is taken whole or refused whole: mutated copies of a real one (a byte
//! changed, the file cut, a slice repeated) never panic, are refused in Chinese when refused,
//! and a refused one writes nothing. A fixed number of rounds with a fixed seed, for CI.

use crate::util::*;

/// A small deterministic generator (xorshift), so that a failure names its round.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    let (i, j) = (rng.below(b.len()), rng.below(b.len()));
    let (i, j) = (i.min(j), i.max(j));
    match rng.below(5) {
        0 => b[i] = rng.next() as u8,
        // A digit for another digit: still JSON, often still a valid application.
        4 => {
            let digits: Vec<usize> = (0..b.len()).filter(|&k| b[k].is_ascii_digit()).collect();
            if !digits.is_empty() {
                let k = digits[rng.below(digits.len())];
                b[k] = b'0' + rng.below(10) as u8;
            }
        }
        1 => b.truncate(i),
        2 => {
            let s = b[i..j].to_vec();
            b.splice(i..i, s);
        }
        _ => {
            let pick = [b"\"".as_slice(), b"}", b"null", "\u{202e}".as_bytes(), b"\x00", "９".as_bytes(), b"-1", b"99999999999"];
            let p = pick[rng.below(pick.len())];
            b.splice(i..i, p.iter().copied());
        }
    }
    b
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn mutated_application_files_are_taken_whole_or_refused_in_chinese_with_nothing_written() {
    let c = Centre::new();
    let base = serde_json::to_vec_pretty(&cj01(&id("45082119680405302"), CJ01_ALL)).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut taken, mut refused) = (0, 0);
    for round in 0..150 {
        let bytes = mutate(&mut rng, &base);
        let f = c.dir.path().join(format!("m{round}.json"));
        std::fs::write(&f, &bytes).unwrap();
        let before = (c.count("SELECT count(*) FROM event"), c.count("SELECT count(*) FROM case_file"), c.count("SELECT count(*) FROM document"));
        let out = c.run(&["case", "intake", f.to_str().unwrap(), "--json"]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("panicked"), "round {round}: {err}");
        match out.status.code() {
            Some(0) => {
                taken += 1;
                // Taken whole: one case more, with its events.
                assert_eq!(c.count("SELECT count(*) FROM case_file"), before.1 + 1, "round {round}");
                assert!(c.count("SELECT count(*) FROM event") > before.0, "round {round}");
            }
            Some(1) => {
                refused += 1;
                assert!(has_chinese(&err), "round {round}: {err}");
                let after = (c.count("SELECT count(*) FROM event"), c.count("SELECT count(*) FROM case_file"), c.count("SELECT count(*) FROM document"));
                assert_eq!(before, after, "round {round}: a refused file wrote something: {err}");
            }
            other => panic!("round {round}: exit {other:?}: {err}"),
        }
    }
    eprintln!("mutated application files: {taken} taken, {refused} refused");
    assert!(refused > 50 && taken > 0, "most mutations are refused, some still valid: {taken} / {refused}");
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
}

#[test]
fn mutated_usb_stick_files_are_refused_in_chinese_and_change_nothing() {
    let from = Centre::terminal("01");
    from.ok(&["case", "intake", &from.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let to = Centre::terminal("02");
    let file = from.dir.path().join("stick.json");
    from.ok(&["export", "--for-peers", "--out", file.to_str().unwrap(), "--to", &to.key()]);
    let base = std::fs::read(&file).unwrap();
    let base_json: serde_json::Value = serde_json::from_slice(&base).unwrap();
    let mine = to.key();
    assert!(base_json["recipients"].as_array().unwrap().iter().any(|e| e["key"] == mine.as_str()), "sealed to this window");
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut refused, mut same) = (0, 0);
    let mut events = to.count("SELECT count(*) FROM event") + to.count("SELECT count(*) FROM peer_event");
    for round in 0..100 {
        let bytes = mutate(&mut rng, &base);
        if bytes == base {
            continue;
        }
        let f = to.dir.path().join(format!("s{round}.json"));
        std::fs::write(&f, &bytes).unwrap();
        let out = to.run(&["import", f.to_str().unwrap(), "--accept", "--actor", "head"]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("panicked"), "round {round}: {err}");
        // What this window reads of the file: everything but the other recipients' slots.
        let ours = |v: &serde_json::Value| {
            let mut v = v.clone();
            if let Some(r) = v.get_mut("recipients").and_then(|r| r.as_array_mut()) {
                r.retain(|e| e["key"] == mine.as_str());
            }
            v
        };
        let parsed = serde_json::from_slice::<serde_json::Value>(&bytes).ok();
        let same_for_us = parsed.as_ref().map(ours) == Some(ours(&base_json));
        if out.status.success() {
            // Only a change this window does not read (white space, another recipient's slot,
            // which only harms that recipient) leaves the file it takes.
            assert!(same_for_us, "round {round}: a changed file was taken: {}", String::from_utf8_lossy(&out.stdout));
            same += 1;
            events = to.count("SELECT count(*) FROM event") + to.count("SELECT count(*) FROM peer_event");
            continue;
        }
        assert_eq!(out.status.code(), Some(1), "round {round}: {err}");
        assert!(has_chinese(&err), "round {round}: {err}");
        assert_eq!(to.count("SELECT count(*) FROM event") + to.count("SELECT count(*) FROM peer_event"), events, "round {round}");
        refused += 1;
    }
    eprintln!("mutated stick files: {refused} refused, {same} taken (changed only where this window does not read)");
    // The file as written is taken.
    to.ok(&["import", file.to_str().unwrap(), "--accept", "--actor", "head"]);
    assert!(to.count("SELECT count(*) FROM peer_event") > 0);
}
