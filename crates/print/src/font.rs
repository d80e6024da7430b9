//! The one font: Noto Serif CJK SC, embedded in the binary, parsed once per process.

use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::PrintError;

pub static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/NotoSerifSC-Regular.otf");

pub struct Font {
    pub parsed: ParsedFont,
    upem: f32,
}

impl Font {
    /// The advance of `c` in em. A character the font lacks counts as one em (and is reported
    /// by [`Font::missing`]).
    pub fn advance(&self, c: char) -> f32 {
        match self.parsed.lookup_glyph_index(c as u32) {
            Some(gid) => f32::from(self.parsed.get_horizontal_advance(gid)) / self.upem,
            None => 1.0,
        }
    }

    /// The characters of `text` the font cannot show.
    pub fn missing(&self, text: &str) -> Vec<char> {
        let mut v: Vec<char> =
            text.chars().filter(|c| !c.is_control() && self.parsed.lookup_glyph_index(*c as u32).is_none()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// The parsed font, shared by every document of the process.
pub fn font() -> Result<&'static Font, PrintError> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| {
        let mut warnings = vec![];
        let parsed = ParsedFont::from_bytes(FONT_BYTES, 0, &mut warnings)?;
        let upem = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
        Some(Font { parsed, upem })
    })
    .as_ref()
    .ok_or(PrintError::Font)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideographs_are_one_em_and_latin_is_narrower() {
        let f = font().unwrap();
        assert!((f.advance('受') - 1.0).abs() < 0.01);
        assert!((f.advance('，') - 1.0).abs() < 0.01);
        assert!(f.advance('1') < 0.7);
        assert!(f.missing("受理通知书〔2026〕·𠀾").is_empty() || f.missing("受理通知书〔2026〕·").is_empty());
        assert_eq!(f.missing("\u{E000}"), vec!['\u{E000}']);
    }
}
