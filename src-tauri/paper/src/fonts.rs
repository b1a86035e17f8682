//! The font a paper is printed in: the first installed face, among families made for Chinese
//! and Latin text alike, that has every character the paper holds; else any installed face
//! that has them. Its widths wrap the lines ([`crate::layout::Measure`]).

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::PaperError;

/// Families tried first, in order: each has both Chinese and Latin letters, or failing that,
/// Latin ones for papers without Chinese.
const PREFERRED: [&str; 10] = [
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Noto Sans",
    "DejaVu Sans",
    "Liberation Sans",
];

/// An installed face, read whole.
#[derive(Clone)]
pub struct ChosenFont {
    pub family: String,
    pub data: Arc<Vec<u8>>,
    pub index: u32,
}

impl std::fmt::Debug for ChosenFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChosenFont({} #{})", self.family, self.index)
    }
}

impl ChosenFont {
    fn font_ref(&self) -> Option<FontRef<'_>> {
        FontRef::from_index(self.data.as_slice(), self.index).ok()
    }

    /// The characters of `text` (other than line breaks) this face has no glyph for.
    fn missing(&self, text: &str) -> BTreeSet<char> {
        let Some(font) = self.font_ref() else {
            return text.chars().collect();
        };
        let charmap = font.charmap();
        text.chars()
            .filter(|c| !c.is_control() && charmap.map(*c).is_none())
            .collect()
    }
}

impl crate::layout::Measure for ChosenFont {
    fn width(&self, text: &str, size: f32) -> f32 {
        let Some(font) = self.font_ref() else {
            return 0.0;
        };
        let (charmap, metrics) = (
            font.charmap(),
            font.glyph_metrics(Size::new(size), LocationRef::default()),
        );
        text.chars()
            .filter_map(|c| charmap.map(c))
            .filter_map(|glyph| metrics.advance_width(glyph))
            .sum()
    }
}

fn system_fonts() -> &'static fontdb::Database {
    static FONTS: OnceLock<fontdb::Database> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        tracing::debug!(faces = db.len(), "system fonts read");
        db
    })
}

fn read(db: &fontdb::Database, id: fontdb::ID) -> Option<ChosenFont> {
    let face = db.face(id)?;
    let family = face.families.first().map(|(name, _)| name.clone())?;
    db.with_face_data(id, |data, index| ChosenFont {
        family,
        data: Arc::new(data.to_vec()),
        index,
    })
}

/// The face `text` is printed in, or which of its characters no installed font has.
pub fn choose(text: &str) -> Result<ChosenFont, PaperError> {
    let db = system_fonts();
    let regular = |family: &str| {
        db.query(&fontdb::Query {
            families: &[fontdb::Family::Name(family)],
            ..fontdb::Query::default()
        })
    };
    let mut fewest_missing: Option<BTreeSet<char>> = None;
    let mut consider = |id: fontdb::ID| -> Option<ChosenFont> {
        let font = read(db, id)?;
        let missing = font.missing(text);
        if missing.is_empty() {
            return Some(font);
        }
        if fewest_missing
            .as_ref()
            .is_none_or(|m| missing.len() < m.len())
        {
            fewest_missing = Some(missing);
        }
        None
    };
    let preferred: Vec<fontdb::ID> = PREFERRED.iter().filter_map(|f| regular(f)).collect();
    if let Some(font) = preferred.iter().find_map(|id| consider(*id)) {
        return Ok(font);
    }
    // Any other regular face: a merchant's own font may be the only one with their name.
    let others: Vec<fontdb::ID> = db
        .faces()
        .filter(|f| f.style == fontdb::Style::Normal && !preferred.contains(&f.id))
        .map(|f| f.id)
        .collect();
    if let Some(font) = others.into_iter().find_map(&mut consider) {
        return Ok(font);
    }
    let missing: String = match fewest_missing {
        Some(missing) => missing.into_iter().take(8).collect(),
        None => text.chars().filter(|c| !c.is_control()).take(8).collect(),
    };
    Err(PaperError::NoFont { missing })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Measure;

    /// The test machines install fonts-noto-cjk (scripts/setup.sh), as the package recommends.
    #[test]
    fn chinese_and_latin_text_finds_one_face_with_both() {
        let font = choose("收款 Receipt 123.45 ¥").unwrap();
        assert!(font.missing("收款 Receipt").is_empty(), "{font:?}");
        let wide = font.width("收款", 10.0);
        let narrow = font.width("ab", 10.0);
        assert!(wide > narrow && narrow > 0.0, "{wide} {narrow}");
    }

    #[test]
    fn characters_no_font_has_are_named() {
        // Code points of the last private-use plane: no installed font draws them.
        let refused = choose("paid \u{10FFFD}\u{10FFFC}").unwrap_err();
        let PaperError::NoFont { missing } = refused else {
            panic!("{refused}")
        };
        assert!(missing.contains('\u{10FFFD}'), "{missing:?}");
        assert!(!missing.contains('p'), "{missing:?}");
    }
}
