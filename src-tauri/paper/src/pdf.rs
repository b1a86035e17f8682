//! A [`Paper`] as PDF: laid out in the font chosen for it, that font embedded as a subset of
//! the glyphs it prints (a whole CJK font is tens of megabytes), text kept as text so it can be
//! searched and read back.

use std::sync::Arc;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;

use crate::layout::{lay_out, Item};
use crate::{fonts, Paper, PaperError};

/// The paper as a PDF file's bytes.
pub fn render(paper: &Paper) -> Result<Vec<u8>, PaperError> {
    let chosen = fonts::choose(&paper.text())?;
    let pages = lay_out(paper, &chosen);
    let data: Arc<dyn AsRef<[u8]> + Send + Sync> = chosen.data.clone();
    let font = Font::new(data.into(), chosen.index)
        .ok_or_else(|| PaperError::Pdf(format!("font {} cannot be read", chosen.family)))?;
    let mut document = Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(paper.title.clone())
            .creator("paydesk".into()),
    );
    for page in &pages {
        let settings = PageSettings::from_wh(page.width, page.height)
            .ok_or_else(|| PaperError::Pdf("a page of no size".into()))?;
        let mut pdf_page = document.start_page_with(settings);
        let mut surface = pdf_page.surface();
        for item in &page.items {
            draw(&mut surface, &font, item)?;
        }
        surface.finish();
        pdf_page.finish();
    }
    document
        .finish()
        .map_err(|e| PaperError::Pdf(format!("{e:?}")))
}

fn black_fill() -> Fill {
    Fill {
        paint: rgb::Color::black().into(),
        ..Fill::default()
    }
}

fn draw(
    surface: &mut krilla::surface::Surface,
    font: &Font,
    item: &Item,
) -> Result<(), PaperError> {
    match item {
        Item::Text {
            x,
            baseline,
            size,
            text,
        } => {
            surface.set_stroke(None);
            surface.set_fill(Some(black_fill()));
            surface.draw_text(
                Point::from_xy(*x, *baseline),
                font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Item::Line { x1, y1, x2, y2 } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y1);
            path.line_to(*x2, *y2);
            stroke(surface, path);
        }
        Item::Frame {
            x,
            y,
            width,
            height,
        } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) {
                path.push_rect(rect);
            }
            stroke(surface, path);
        }
        Item::Qr { x, y, side, text } => {
            let code =
                qrcode::QrCode::new(text.as_bytes()).map_err(|e| PaperError::Qr(e.to_string()))?;
            let modules = code.width();
            let colors = code.to_colors();
            // A quiet zone of one module each side is within the side given.
            let cell = side / (modules + 2) as f32;
            let mut path = PathBuilder::new();
            for (i, color) in colors.iter().enumerate() {
                if *color == qrcode::Color::Dark {
                    let (row, col) = ((i / modules) as f32, (i % modules) as f32);
                    if let Some(rect) =
                        Rect::from_xywh(x + (col + 1.0) * cell, y + (row + 1.0) * cell, cell, cell)
                    {
                        path.push_rect(rect);
                    }
                }
            }
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(black_fill()));
                surface.draw_path(&path);
            }
        }
    }
    Ok(())
}

fn stroke(surface: &mut krilla::surface::Surface, path: PathBuilder) {
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::black().into(),
            width: 0.6,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Block, PaperSize};

    fn pdftotext(pdf: &[u8]) -> String {
        let dir = std::env::temp_dir().join(format!("paydesk-paper-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("paper.pdf");
        std::fs::write(&file, pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-layout", file.to_str().unwrap(), "-"])
            .output()
            .expect("pdftotext (Debian poppler-utils) is installed by scripts/setup.sh");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn chinese_and_english_read_back_from_the_pdf_and_the_font_is_a_subset() {
        let paper = Paper {
            title: "收据 Receipt".into(),
            size: PaperSize::Roll80,
            blocks: vec![
                Block::Heading {
                    text: "益安便利店".into(),
                },
                Block::Banner {
                    text: "副本 COPY".into(),
                },
                Block::Field {
                    label: "订单号".into(),
                    value: "O-20261206-1".into(),
                },
                Block::Field {
                    label: "Amount".into(),
                    value: "¥12.34".into(),
                },
                Block::Rule,
                Block::Qr {
                    text: "O-20261206-1".into(),
                },
            ],
        };
        let pdf = render(&paper).unwrap();
        let text = pdftotext(&pdf);
        for expected in [
            "益安便利店",
            "副本 COPY",
            "订单号",
            "O-20261206-1",
            "Amount",
            "12.34",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
        // The whole Noto Sans CJK face is over 15 MB; a subset of these glyphs is tiny.
        assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
    }
}
