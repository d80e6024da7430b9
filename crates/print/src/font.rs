//! The fonts: Noto Serif CJK SC, embedded in the binary, parsed once per process; and for the
//! rare characters of names (生僻字: CJK Extension B and on, which Noto CJK lacks), the
//! system's HanaMinB (Debian's `fonts-hanazono`, which the installer depends on), parsed the
//! first time a document needs it. A citizen's name is printed as it is on the card, or the
//! characters neither font has are named (`Font::missing`), never a silent box.

use std::path::PathBuf;
use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::PrintError;

pub static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/NotoSerifSC-Regular.otf");

pub struct Font {
    pub parsed: ParsedFont,
    upem: f32,
}

impl Font {
    fn own_advance(&self, c: char) -> Option<f32> {
        self.parsed.lookup_glyph_index(c as u32).map(|gid| f32::from(self.parsed.get_horizontal_advance(gid)) / self.upem)
    }

    /// Whether this font has `c`.
    pub fn has(&self, c: char) -> bool {
        self.parsed.lookup_glyph_index(c as u32).is_some()
    }

    /// The advance of `c` in em, from this font or, for a rare character it lacks, from the
    /// rare-character font. A character neither has counts as one em (and is reported by
    /// [`Font::missing`]).
    pub fn advance(&self, c: char) -> f32 {
        self.own_advance(c).or_else(|| rare().and_then(|r| r.own_advance(c))).unwrap_or(1.0)
    }

    /// Whether `c` is printed in the rare-character font: the main one lacks it, that one has it.
    pub fn from_rare(&self, c: char) -> bool {
        !c.is_control() && !self.has(c) && rare().is_some_and(|r| r.has(c))
    }

    /// The characters of `text` that neither font can show.
    pub fn missing(&self, text: &str) -> Vec<char> {
        let mut v: Vec<char> = text.chars().filter(|c| !c.is_control() && !self.has(*c) && !rare().is_some_and(|r| r.has(*c))).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Where the rare-character font is looked for: `YICHUANG_RARE_FONT` if set, then Debian's
/// `fonts-hanazono`.
const RARE_FONT_PATHS: &[&str] = &["/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", "/usr/share/fonts/hanazono/HanaMinB.ttf"];

/// The rare-character font, if the PC has it.
pub fn rare() -> Option<&'static Font> {
    static RARE: OnceLock<Option<Font>> = OnceLock::new();
    RARE.get_or_init(|| {
        let path = std::env::var_os("YICHUANG_RARE_FONT").map(PathBuf::from).into_iter().chain(RARE_FONT_PATHS.iter().map(PathBuf::from)).find(|p| p.is_file())?;
        let bytes = std::fs::read(path).ok()?;
        let mut warnings = vec![];
        let parsed = ParsedFont::from_bytes(&bytes, 0, &mut warnings)?;
        let upem = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
        Some(Font { parsed, upem })
    })
    .as_ref()
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

    /// 王𪚥 (U+2A6A5, Extension B): not in Noto CJK, printed from the rare-character font.
    #[test]
    fn a_rare_character_of_a_name_comes_from_the_rare_font() {
        let f = font().unwrap();
        assert!(!f.has('𪚥'), "Noto Serif SC lacks it");
        assert!(rare().is_some(), "the rare-character font (fonts-hanazono, installed by scripts/lib.sh) is missing");
        assert!(f.from_rare('𪚥') && !f.from_rare('王'));
        assert!(f.missing("王𪚥").is_empty());
        assert!((f.advance('𪚥') - 1.0).abs() < 0.05);
    }
}
