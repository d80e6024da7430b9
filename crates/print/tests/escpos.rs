//! ESC/POS byte streams, checked exactly.
#![allow(clippy::unwrap_used)]

mod fixture;

use yichuang_core::DocKind;
use yichuang_print::escpos::{escpos, qr_command, Encoding, Mode, CENTER, CHINESE_ON, DOUBLE, FEED_AND_CUT, INIT, UTF8_ON};

const QR: &str = "YC1|SL-2026-01-0007|450821102012026112300016|450821102-01|sig";

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn hex(bytes: &[u8]) -> String {
    bytes.chunks(32).map(|c| c.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ") + "\n").collect()
}

#[test]
fn a_receipt_in_gb18030_is_byte_exact() {
    let out = escpos(&fixture::record(DocKind::Receipt, 3), QR, Mode::Text(Encoding::Gb18030)).unwrap();
    let b = &out.bytes;
    assert!(b.starts_with(&[INIT, CHINESE_ON].concat()));
    assert!(b.ends_with(FEED_AND_CUT));
    // The title, centred and double size, in GB18030.
    let (title, _, _) = encoding_rs::GB18030.encode("受理通知书");
    assert!(find(b, &[CENTER, DOUBLE, &title, b"\n"].concat()).is_some());
    // The QR code through the printer's own command.
    let qr_at = find(b, &qr_command(QR)).unwrap();
    // The masked ID, never the full one.
    assert!(find(b, b"450821********3025").is_some());
    assert!(out.unencodable.is_empty());
    // No line is wider than 48 columns (24 Chinese characters).
    // Commands are ESC/GS + 2 bytes here (alignment, size); strip them and measure the text.
    let mut text_bytes = vec![];
    let mut i = 0;
    while i < qr_at {
        if b[i] == 0x1B || b[i] == 0x1D || b[i] == 0x1C {
            i += 3;
        } else {
            text_bytes.push(b[i]);
            i += 1;
        }
    }
    let text = encoding_rs::GB18030.decode(&text_bytes).0;
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(lines.len() > 15, "{lines:?}");
    for line in lines {
        let cols: usize = line.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        assert!(cols <= 48, "too wide ({cols}): {line}");
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/receipt-gb18030.hex");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, hex(b)).unwrap();
    }
    assert_eq!(hex(b), std::fs::read_to_string(&path).unwrap(), "UPDATE_GOLDEN=1 to accept a change");
}

#[test]
fn gbk_marks_what_it_cannot_carry_and_utf8_switches_the_printer() {
    let mut r = fixture::record(DocKind::Receipt, 1);
    r.body.applicant_name = Some("𠀾𪚥".into());
    let gbk = escpos(&r, QR, Mode::Text(Encoding::Gbk)).unwrap();
    assert_eq!(gbk.unencodable, ['𠀾', '𪚥']);
    let gb = escpos(&r, QR, Mode::Text(Encoding::Gb18030)).unwrap();
    assert!(gb.unencodable.is_empty(), "GB18030 carries every character");
    let utf8 = escpos(&r, QR, Mode::Text(Encoding::Utf8)).unwrap();
    assert!(utf8.bytes.starts_with(&[INIT, UTF8_ON].concat()));
    assert!(find(&utf8.bytes, "受理通知书".as_bytes()).is_some());
}

#[test]
fn raster_mode_draws_text_and_qr_as_bitmaps() {
    let out = escpos(&fixture::record(DocKind::Receipt, 3), QR, Mode::Raster).unwrap();
    let b = &out.bytes;
    assert!(b.starts_with(INIT) && b.ends_with(FEED_AND_CUT));
    // No character mode: straight into bitmaps, so the printer needs no font.
    assert!(b[INIT.len()..].starts_with(&[0x1D, 0x76, 0x30, 0x00]));
    assert!(find(b, &qr_command(QR)).is_none());
    // Bands of GS v 0, 72 bytes a row, each carrying some ink.
    let mut i = INIT.len();
    let mut bands = 0;
    while b[i..].starts_with(&[0x1D, 0x76, 0x30, 0x00]) {
        assert_eq!((b[i + 4], b[i + 5]), (72, 0));
        let h = usize::from(b[i + 6]) | usize::from(b[i + 7]) << 8;
        let data = &b[i + 8..i + 8 + 72 * h];
        bands += 1;
        if bands <= 3 {
            assert!(data.iter().any(|x| *x != 0), "band {bands} has ink");
        }
        i += 8 + 72 * h;
    }
    assert_eq!(&b[i..], FEED_AND_CUT);
    assert!(bands > 10, "{bands} bands");
}
