//! Where each word of a [`Paper`] goes: blocks wrapped to the page's width and stacked down
//! it, a till roll as long as its content, A4 broken into pages (a table's header repeated on
//! each). Pure: the font's widths come in through [`Measure`]. Points, y growing downwards.

use crate::{Block, Paper, PaperSize};

/// How wide a text is in the paper's font.
pub trait Measure {
    fn width(&self, text: &str, size: f32) -> f32;
}

/// One thing drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Frame {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
    Qr {
        x: f32,
        y: f32,
        side: f32,
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

/// A paper size's measures.
struct Style {
    width: f32,
    /// None: one page as long as its content.
    height: Option<f32>,
    margin: f32,
    body: f32,
    heading: f32,
    banner: f32,
    qr: f32,
    center_headings: bool,
}

impl Style {
    fn of(size: PaperSize) -> Style {
        match size {
            // 80 mm.
            PaperSize::Roll80 => Style {
                width: 226.8,
                height: None,
                margin: 10.0,
                body: 8.5,
                heading: 12.0,
                banner: 14.0,
                qr: 90.0,
                center_headings: true,
            },
            PaperSize::A4 => Style {
                width: 595.3,
                height: Some(841.9),
                margin: 48.0,
                body: 9.5,
                heading: 14.0,
                banner: 16.0,
                qr: 110.0,
                center_headings: false,
            },
        }
    }

    fn line(&self, size: f32) -> f32 {
        size * 1.45
    }

    fn content(&self) -> f32 {
        self.width - 2.0 * self.margin
    }
}

/// Items of one block (or table row) placed from y = 0, and how tall they are.
struct Chunk {
    items: Vec<Item>,
    height: f32,
}

impl Chunk {
    fn new() -> Chunk {
        Chunk {
            items: Vec::new(),
            height: 0.0,
        }
    }

    /// A line of text at `x`, under what the chunk holds.
    fn text(&mut self, style: &Style, size: f32, x: f32, text: String) {
        let line = style.line(size);
        self.items.push(Item::Text {
            x,
            baseline: self.height + line * 0.78,
            size,
            text,
        });
        self.height += line;
    }

    fn moved(self, dy: f32) -> Vec<Item> {
        self.items
            .into_iter()
            .map(|item| match item {
                Item::Text {
                    x,
                    baseline,
                    size,
                    text,
                } => Item::Text {
                    x,
                    baseline: baseline + dy,
                    size,
                    text,
                },
                Item::Line { x1, y1, x2, y2 } => Item::Line {
                    x1,
                    y1: y1 + dy,
                    x2,
                    y2: y2 + dy,
                },
                Item::Frame {
                    x,
                    y,
                    width,
                    height,
                } => Item::Frame {
                    x,
                    y: y + dy,
                    width,
                    height,
                },
                Item::Qr { x, y, side, text } => Item::Qr {
                    x,
                    y: y + dy,
                    side,
                    text,
                },
            })
            .collect()
    }
}

/// The paper's pages.
pub fn lay_out(paper: &Paper, measure: &dyn Measure) -> Vec<Page> {
    let style = Style::of(paper.size);
    let mut pages = Pages::new(&style);
    for (i, block) in paper.blocks.iter().enumerate() {
        if i > 0 && matches!(block, Block::Heading { .. } | Block::Table { .. }) {
            pages.gap(style.line(style.body) * 0.5);
        }
        match block {
            Block::Table {
                columns,
                numeric,
                rows,
            } => {
                let table = Table::new(&style, measure, columns, numeric, rows);
                pages.place(table.header(&style, measure));
                for row in rows {
                    let chunk = table.row(&style, measure, row);
                    if pages.would_break(chunk.height) {
                        pages.new_page();
                        pages.place(table.header(&style, measure));
                    }
                    pages.place(chunk);
                }
            }
            other => pages.place(chunk_of(&style, measure, other)),
        }
    }
    pages.finish()
}

struct Pages<'a> {
    style: &'a Style,
    done: Vec<Page>,
    items: Vec<Item>,
    y: f32,
}

impl<'a> Pages<'a> {
    fn new(style: &'a Style) -> Pages<'a> {
        Pages {
            style,
            done: Vec::new(),
            items: Vec::new(),
            y: style.margin,
        }
    }

    fn would_break(&self, height: f32) -> bool {
        self.style.height.is_some_and(|page| {
            self.y + height > page - self.style.margin && !self.items.is_empty()
        })
    }

    fn new_page(&mut self) {
        let items = std::mem::take(&mut self.items);
        self.done.push(Page {
            width: self.style.width,
            height: self.style.height.unwrap_or(self.y + self.style.margin),
            items,
        });
        self.y = self.style.margin;
    }

    fn gap(&mut self, height: f32) {
        if !self.items.is_empty() {
            self.y += height;
        }
    }

    fn place(&mut self, chunk: Chunk) {
        if self.would_break(chunk.height) {
            self.new_page();
        }
        let height = chunk.height;
        self.items.extend(chunk.moved(self.y));
        self.y += height;
    }

    fn finish(mut self) -> Vec<Page> {
        if !self.items.is_empty() || self.done.is_empty() {
            self.new_page();
        }
        self.done
    }
}

fn chunk_of(style: &Style, measure: &dyn Measure, block: &Block) -> Chunk {
    let (left, width) = (style.margin, style.content());
    let centered =
        |text: &str, size: f32| left + ((width - measure.width(text, size)) / 2.0).max(0.0);
    let mut chunk = Chunk::new();
    match block {
        Block::Heading { text } => {
            for line in wrap(text, style.heading, width, measure) {
                let x = match style.center_headings {
                    true => centered(&line, style.heading),
                    false => left,
                };
                chunk.text(style, style.heading, x, line);
            }
        }
        Block::Text { text } => {
            for line in wrap(text, style.body, width, measure) {
                let x = match style.center_headings {
                    true => centered(&line, style.body),
                    false => left,
                };
                chunk.text(style, style.body, x, line);
            }
        }
        Block::Banner { text } => {
            let pad = 4.0;
            chunk.height += pad;
            for line in wrap(text, style.banner, width - 2.0 * pad, measure) {
                chunk.text(style, style.banner, centered(&line, style.banner), line);
            }
            chunk.height += pad;
            chunk.items.push(Item::Frame {
                x: left,
                y: 0.0,
                width,
                height: chunk.height,
            });
            chunk.height += pad;
        }
        Block::Field { label, value } => {
            let size = style.body;
            let (label_w, value_w) = (measure.width(label, size), measure.width(value, size));
            let right = |text: &str| left + width - measure.width(text, size);
            if label_w + size + value_w <= width {
                chunk.text(style, size, right(value), value.clone());
                // The label on the same line as the value.
                if let Some(Item::Text { baseline, .. }) = chunk.items.last().cloned() {
                    chunk.items.push(Item::Text {
                        x: left,
                        baseline,
                        size,
                        text: label.clone(),
                    });
                }
            } else {
                for line in wrap(label, size, width, measure) {
                    chunk.text(style, size, left, line);
                }
                for line in wrap(value, size, width, measure) {
                    chunk.text(style, size, right(&line), line);
                }
            }
        }
        Block::Qr { text } => {
            let side = style.qr.min(width);
            chunk.height += 4.0;
            chunk.items.push(Item::Qr {
                x: left + (width - side) / 2.0,
                y: chunk.height,
                side,
                text: text.clone(),
            });
            chunk.height += side + 4.0;
        }
        Block::Rule => {
            let y = style.line(style.body) / 2.0;
            chunk.items.push(Item::Line {
                x1: left,
                y1: y,
                x2: left + width,
                y2: y,
            });
            chunk.height = style.line(style.body);
        }
        Block::Table { .. } => unreachable!("tables are placed row by row"),
    }
    chunk
}

/// A table's columns: where each starts and how wide it is.
struct Table {
    lefts: Vec<f32>,
    widths: Vec<f32>,
    numeric: Vec<bool>,
    columns: Vec<String>,
}

impl Table {
    fn new(
        style: &Style,
        measure: &dyn Measure,
        columns: &[String],
        numeric: &[bool],
        rows: &[Vec<String>],
    ) -> Table {
        let gap = style.body;
        let natural: Vec<f32> = (0..columns.len())
            .map(|c| {
                rows.iter()
                    .filter_map(|row| row.get(c))
                    .chain(std::iter::once(&columns[c]))
                    .map(|text| measure.width(text, style.body))
                    .fold(0.0, f32::max)
                    + gap
            })
            .collect();
        let total: f32 = natural.iter().sum::<f32>().max(1.0);
        // Wider than the page: every column gives up the same share of its width.
        let scale = (style.content() / total).min(1.0);
        let widths: Vec<f32> = natural.iter().map(|w| w * scale).collect();
        let mut lefts = Vec::with_capacity(widths.len());
        let mut x = style.margin;
        for w in &widths {
            lefts.push(x);
            x += w;
        }
        Table {
            lefts,
            widths,
            numeric: (0..columns.len())
                .map(|c| numeric.get(c).copied().unwrap_or(false))
                .collect(),
            columns: columns.to_vec(),
        }
    }

    fn header(&self, style: &Style, measure: &dyn Measure) -> Chunk {
        let mut chunk = self.row(style, measure, &self.columns);
        let right = self.lefts.last().unwrap_or(&style.margin) + self.widths.last().unwrap_or(&0.0);
        chunk.items.push(Item::Line {
            x1: style.margin,
            y1: chunk.height,
            x2: right,
            y2: chunk.height,
        });
        chunk.height += 2.0;
        chunk
    }

    fn row(&self, style: &Style, measure: &dyn Measure, cells: &[String]) -> Chunk {
        let (size, gap) = (style.body, style.body);
        let line = style.line(size);
        let mut chunk = Chunk::new();
        let mut tallest = 0;
        for (c, text) in cells.iter().enumerate().take(self.widths.len()) {
            let room = (self.widths[c] - gap).max(size);
            let lines = wrap(text, size, room, measure);
            tallest = tallest.max(lines.len());
            for (i, text) in lines.into_iter().enumerate() {
                let x = match self.numeric[c] {
                    true => self.lefts[c] + room - measure.width(&text, size),
                    false => self.lefts[c],
                };
                chunk.items.push(Item::Text {
                    x,
                    baseline: i as f32 * line + line * 0.78,
                    size,
                    text,
                });
            }
        }
        chunk.height = tallest.max(1) as f32 * line;
        chunk
    }
}

/// Characters a line may break after one another: Chinese, Japanese and Korean script and
/// their punctuation.
fn breaks_anywhere(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// `text`'s lines at `size` within `width`: its own line breaks kept, words kept whole where
/// they fit, Chinese broken between any two characters.
pub fn wrap(text: &str, size: f32, width: f32, measure: &dyn Measure) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for token in tokens(paragraph) {
            let candidate = format!("{line}{token}");
            if measure.width(candidate.trim_end(), size) <= width || line.trim().is_empty() {
                line = candidate;
                // A word wider than the line on its own: broken between characters.
                while measure.width(line.trim_end(), size) > width && line.chars().count() > 1 {
                    let fits = fitting_prefix(&line, size, width, measure);
                    lines.push(line[..fits].trim_end().to_string());
                    line = line[fits..].to_string();
                }
            } else {
                lines.push(line.trim_end().to_string());
                line = token.trim_start().to_string();
            }
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// The longest prefix (in bytes) of `text` within `width`, at least one character.
fn fitting_prefix(text: &str, size: f32, width: f32, measure: &dyn Measure) -> usize {
    let mut end = text.chars().next().map_or(0, char::len_utf8);
    for (i, c) in text.char_indices().skip(1) {
        if measure.width(&text[..i + c.len_utf8()], size) > width {
            break;
        }
        end = i + c.len_utf8();
    }
    end
}

/// Words with the spaces before them, and each Chinese character on its own.
fn tokens(paragraph: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in paragraph.chars() {
        if breaks_anywhere(c) {
            current.push(c);
            tokens.push(std::mem::take(&mut current));
        } else if c.is_whitespace() && !current.trim().is_empty() {
            tokens.push(std::mem::take(&mut current));
            current.push(c);
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character as wide as its size; Chinese twice that.
    struct Monospace;

    impl Measure for Monospace {
        fn width(&self, text: &str, size: f32) -> f32 {
            text.chars()
                .map(|c| if breaks_anywhere(c) { 2.0 } else { 1.0 })
                .sum::<f32>()
                * size
        }
    }

    #[test]
    fn lines_break_between_words_and_between_chinese_characters() {
        let table: [(&str, f32, &[&str]); 5] = [
            ("paid by alipay", 9.0, &["paid by", "alipay"]),
            ("收款成功谢谢", 8.0, &["收款成功", "谢谢"]),
            ("line one\nline two", 100.0, &["line one", "line two"]),
            // A word longer than the line is broken inside it.
            (
                "20261206000123456789",
                8.0,
                &["20261206", "00012345", "6789"],
            ),
            ("订单 O-1 已付", 7.0, &["订单", "O-1 已", "付"]),
        ];
        for (text, width, expected) in table {
            assert_eq!(wrap(text, 1.0, width, &Monospace), expected, "{text}");
        }
    }

    fn texts(page: &Page) -> Vec<&str> {
        page.items
            .iter()
            .filter_map(|item| match item {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_roll_is_one_page_as_long_as_what_it_prints() {
        let short = Paper {
            title: "r".into(),
            size: PaperSize::Roll80,
            blocks: vec![Block::Heading {
                text: "Shop".into(),
            }],
        };
        let mut long = short.clone();
        long.blocks.extend((0..200).map(|i| Block::Field {
            label: format!("line {i}"),
            value: "1.00".into(),
        }));
        let (short, long) = (lay_out(&short, &Monospace), lay_out(&long, &Monospace));
        assert_eq!((short.len(), long.len()), (1, 1));
        assert!(long[0].height > short[0].height * 50.0);
        assert!(texts(&long[0]).contains(&"line 199"));
    }

    #[test]
    fn a4_breaks_a_long_table_into_pages_with_its_header_on_each() {
        let paper = Paper {
            title: "report".into(),
            size: PaperSize::A4,
            blocks: vec![Block::Table {
                columns: vec!["Order".into(), "Amount".into()],
                numeric: vec![false, true],
                rows: (0..150)
                    .map(|i| vec![format!("O-{i}"), "9.99".into()])
                    .collect(),
            }],
        };
        let pages = lay_out(&paper, &Monospace);
        assert!(pages.len() >= 2, "{}", pages.len());
        for page in &pages {
            assert_eq!(texts(page)[0], "Order", "each page starts with the header");
            for item in &page.items {
                if let Item::Text { baseline, .. } = item {
                    assert!(*baseline < page.height - 40.0, "inside the bottom margin");
                }
            }
        }
        let all: Vec<&str> = pages.iter().flat_map(texts).collect();
        assert!(all.contains(&"O-0") && all.contains(&"O-149"));
    }

    #[test]
    fn a_field_puts_its_value_on_the_right_and_wraps_what_does_not_fit() {
        let paper = |value: &str| Paper {
            title: "r".into(),
            size: PaperSize::Roll80,
            blocks: vec![Block::Field {
                label: "Ref".into(),
                value: value.into(),
            }],
        };
        let page = &lay_out(&paper("1.00"), &Monospace)[0];
        let [Item::Text { x: value_x, .. }, Item::Text { x: label_x, .. }] = &page.items[..] else {
            panic!("{:?}", page.items)
        };
        assert_eq!(*label_x, 10.0);
        assert!((value_x + 4.0 * 8.5 - (226.8 - 10.0)).abs() < 0.01);
        let page = &lay_out(&paper(&"9".repeat(40)), &Monospace)[0];
        assert_eq!(texts(page).len(), 3, "label, then the value on two lines");
    }
}
