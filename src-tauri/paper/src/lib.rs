//! Printed pages: a receipt or a report as blocks of words ([`Paper`]), already in the reader's
//! language, laid out once ([`layout`]) and written as PDF ([`pdf`]) with the one installed
//! font that has every character they hold, embedded as a subset. The window shows the same
//! blocks as HTML for the system's print dialog, so what is printed and what is saved read the
//! same.

pub mod fonts;
pub mod layout;
pub mod pdf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A page's paper: a till roll (80 mm wide, as long as its content) or A4 (pages as needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PaperSize {
    Roll80,
    A4,
}

/// A printed document: its title (the PDF's, and the window's) and what it says, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Paper {
    pub title: String,
    pub size: PaperSize,
    pub blocks: Vec<Block>,
}

/// One block of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// The document's or a section's heading.
    Heading { text: String },
    /// Lines of text, wrapped to the page.
    Text { text: String },
    /// A mark the reader must not miss (COPY / 副本, SPECIMEN / 样张), boxed.
    Banner { text: String },
    /// A label and its value on one line where they fit.
    Field { label: String, value: String },
    /// Rows under a header; `numeric` columns align right.
    Table {
        columns: Vec<String>,
        numeric: Vec<bool>,
        rows: Vec<Vec<String>>,
    },
    /// A QR code of `text`.
    Qr { text: String },
    /// A thin line across the page.
    Rule,
}

impl Paper {
    /// Every character the paper prints, for choosing its font.
    pub fn text(&self) -> String {
        let mut all = self.title.clone();
        for block in &self.blocks {
            match block {
                Block::Heading { text } | Block::Text { text } | Block::Banner { text } => {
                    all.push_str(text)
                }
                Block::Field { label, value } => {
                    all.push_str(label);
                    all.push_str(value);
                }
                Block::Table { columns, rows, .. } => {
                    columns.iter().for_each(|c| all.push_str(c));
                    rows.iter().flatten().for_each(|c| all.push_str(c));
                }
                Block::Qr { .. } | Block::Rule => {}
            }
        }
        all
    }
}

/// Why a paper could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    /// No installed font has these characters (the first few of them).
    #[error("no installed font has the characters {missing:?}; install one that does (on Debian, fonts-noto-cjk)")]
    NoFont { missing: String },
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the QR code could not be made: {0}")]
    Qr(String),
}
