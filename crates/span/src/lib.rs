//! Source positions and diagnostics for Ranvier's front ends.
//!
//! * [`TextSize`] / [`TextRange`]: `u32` byte offsets into a source text.
//! * [`LineIndex`]: maps a byte offset to a 1-based line and (character) column.
//! * [`SourceFile`]: a named text together with its line index.
//! * [`Diagnostic`]: a message with labelled ranges and notes, rendered rustc-style
//!   (`--> hh.mod:12:5`) by [`render`] through `annotate-snippets`.

use std::fmt;
use std::ops::{Add, Range};

mod render;

pub use render::{RenderStyle, render, render_all};

/// A byte offset into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextSize(pub u32);

impl TextSize {
    /// The offset as a `usize`, for slicing.
    pub fn to_usize(self) -> usize {
        self.0 as usize
    }

    /// The length of `text` in bytes, saturating at `u32::MAX`.
    pub fn of(text: &str) -> TextSize {
        TextSize(u32::try_from(text.len()).unwrap_or(u32::MAX))
    }
}

impl From<u32> for TextSize {
    fn from(v: u32) -> Self {
        TextSize(v)
    }
}

impl TryFrom<usize> for TextSize {
    type Error = std::num::TryFromIntError;
    fn try_from(v: usize) -> Result<Self, Self::Error> {
        u32::try_from(v).map(TextSize)
    }
}

impl Add for TextSize {
    type Output = TextSize;
    fn add(self, rhs: TextSize) -> TextSize {
        TextSize(self.0 + rhs.0)
    }
}

impl fmt::Display for TextSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A half-open byte range `start..end` into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextRange {
    start: TextSize,
    end: TextSize,
}

impl TextRange {
    /// A range from `start` to `end`. Panics if `end < start`.
    pub fn new(start: TextSize, end: TextSize) -> TextRange {
        assert!(start <= end, "TextRange start {start} is after end {end}");
        TextRange { start, end }
    }

    /// A range from two raw `u32` offsets.
    pub fn from_offsets(start: u32, end: u32) -> TextRange {
        TextRange::new(TextSize(start), TextSize(end))
    }

    /// A range from two byte offsets of a text; offsets past `u32::MAX` saturate and an
    /// `end` before `start` gives the empty range at `start` (never panics).
    pub fn from_usize(start: usize, end: usize) -> TextRange {
        let s = TextSize::try_from(start).unwrap_or(TextSize(u32::MAX));
        let e = TextSize::try_from(end).unwrap_or(TextSize(u32::MAX));
        TextRange::new(s, e.max(s))
    }

    /// The empty range at `offset`.
    pub fn empty(offset: TextSize) -> TextRange {
        TextRange::new(offset, offset)
    }

    /// The start offset.
    pub fn start(self) -> TextSize {
        self.start
    }

    /// The (exclusive) end offset.
    pub fn end(self) -> TextSize {
        self.end
    }

    /// The length in bytes.
    pub fn len(self) -> u32 {
        self.end.0 - self.start.0
    }

    /// Whether the range is empty.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest range covering both `self` and `other`.
    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Whether `offset` lies in `start..end`.
    pub fn contains(self, offset: TextSize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// The range as a `usize` range, for slicing.
    pub fn to_range(self) -> Range<usize> {
        self.start.to_usize()..self.end.to_usize()
    }
}

impl fmt::Display for TextRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters (Unicode scalar values).
    pub col: u32,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Maps byte offsets to line/column positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the first character of each line.
    line_starts: Vec<TextSize>,
    len: TextSize,
}

impl LineIndex {
    /// Index the line starts of `text` (lines end at `\n`; a preceding `\r` stays in the line).
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![TextSize(0)];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(TextSize::try_from(i + 1).unwrap_or(TextSize(u32::MAX)));
            }
        }
        LineIndex {
            line_starts,
            len: TextSize::of(text),
        }
    }

    /// Number of lines (a text without newline has one line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte offset where 1-based `line` starts, if it exists.
    pub fn line_start(&self, line: u32) -> Option<TextSize> {
        let idx = usize::try_from(line).ok()?.checked_sub(1)?;
        self.line_starts.get(idx).copied()
    }

    /// The 1-based line/column of `offset` in `text` (the text this index was built from).
    /// Offsets past the end clamp to the end; offsets inside a multi-byte character
    /// count as that character.
    pub fn line_col(&self, text: &str, offset: TextSize) -> LineCol {
        let offset = offset.min(self.len).min(TextSize::of(text));
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line].to_usize();
        let mut end = offset.to_usize();
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let col = text.get(start..end).map_or(0, |s| s.chars().count());
        LineCol {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            col: u32::try_from(col + 1).unwrap_or(u32::MAX),
        }
    }
}

/// A named source text and its line index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Display name, e.g. `hh.mod` or a path.
    pub name: String,
    /// The full text.
    pub text: String,
    /// Line starts of `text`.
    pub line_index: LineIndex,
}

impl SourceFile {
    /// Build a source file, indexing its lines.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_index = LineIndex::new(&text);
        SourceFile {
            name: name.into(),
            text,
            line_index,
        }
    }

    /// The 1-based line/column of `offset`.
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        self.line_index.line_col(&self.text, offset)
    }

    /// The text covered by `range` (empty if the range is out of bounds).
    pub fn slice(&self, range: TextRange) -> &str {
        self.text.get(range.to_range()).unwrap_or("")
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input is invalid.
    Error,
    /// Suspicious but accepted.
    Warning,
    /// Extra information.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// A labelled range within a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The range the label points at.
    pub range: TextRange,
    /// Text shown next to the underline (may be empty).
    pub message: String,
    /// Primary labels mark the cause (`^^^`); secondary ones give context (`---`).
    pub primary: bool,
}

impl Label {
    /// A primary label.
    pub fn primary(range: TextRange, message: impl Into<String>) -> Label {
        Label {
            range,
            message: message.into(),
            primary: true,
        }
    }

    /// A secondary (context) label.
    pub fn secondary(range: TextRange, message: impl Into<String>) -> Label {
        Label {
            range,
            message: message.into(),
            primary: false,
        }
    }
}

/// A message about a source file, with labelled ranges and trailing notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error, warning or note.
    pub severity: Severity,
    /// A short stable code such as `E0101`.
    pub code: Option<&'static str>,
    /// The headline.
    pub message: String,
    /// Labelled ranges; the first primary one determines the `-->` position.
    pub labels: Vec<Label>,
    /// Free-form notes printed after the snippet.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with the given severity and message and no labels.
    pub fn new(severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code: None,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// An error.
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, message)
    }

    /// A warning.
    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, message)
    }

    /// Set the code.
    pub fn with_code(mut self, code: &'static str) -> Diagnostic {
        self.code = Some(code);
        self
    }

    /// Add a primary label.
    pub fn with_primary(mut self, range: TextRange, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label::primary(range, message));
        self
    }

    /// Add a secondary label.
    pub fn with_secondary(mut self, range: TextRange, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label::secondary(range, message));
        self
    }

    /// Add a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// The range of the first primary label (or the first label).
    pub fn primary_range(&self) -> Option<TextRange> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or_else(|| self.labels.first())
            .map(|l| l.range)
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether byte `b` may start an identifier (`[A-Za-z_]`), as NMODL and hoc lex them.
pub fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Whether byte `b` may continue an identifier (`[A-Za-z0-9_]`).
pub fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_ascii_and_unicode() {
        let text = "ab\ncé d\n\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(text, TextSize(0)), LineCol { line: 1, col: 1 });
        assert_eq!(idx.line_col(text, TextSize(2)), LineCol { line: 1, col: 3 });
        assert_eq!(idx.line_col(text, TextSize(3)), LineCol { line: 2, col: 1 });
        // 'é' is two bytes: "d" is at byte 7, character column 4.
        assert_eq!(idx.line_col(text, TextSize(7)), LineCol { line: 2, col: 4 });
        // Inside the multi-byte char counts as that char.
        assert_eq!(idx.line_col(text, TextSize(5)), LineCol { line: 2, col: 2 });
        assert_eq!(idx.line_col(text, TextSize(9)), LineCol { line: 3, col: 1 });
        assert_eq!(
            idx.line_col(text, TextSize(10)),
            LineCol { line: 4, col: 1 }
        );
        assert_eq!(
            idx.line_col(text, TextSize(99)),
            LineCol { line: 4, col: 2 }
        );
        assert_eq!(idx.line_start(2), Some(TextSize(3)));
        assert_eq!(idx.line_start(0), None);
    }

    #[test]
    fn range_ops() {
        let a = TextRange::from_offsets(2, 5);
        let b = TextRange::from_offsets(7, 9);
        assert_eq!(a.cover(b), TextRange::from_offsets(2, 9));
        assert_eq!(a.len(), 3);
        assert!(a.contains(TextSize(4)));
        assert!(!a.contains(TextSize(5)));
        assert!(TextRange::empty(TextSize(3)).is_empty());
        assert_eq!(a.to_string(), "2..5");
    }

    #[test]
    fn render_plain_frame() {
        let src = SourceFile::new("hh.mod", "NEURON {\n    SUFFIX hh\n    RANGE gnabar,\n}\n");
        let d = Diagnostic::error("expected a name after `,`")
            .with_code("E0001")
            .with_primary(TextRange::from_offsets(41, 42), "found `}`")
            .with_secondary(TextRange::from_offsets(27, 32), "in this RANGE list")
            .with_note("RANGE takes a comma-separated list of names");
        let out = render(&d, &src, RenderStyle::Plain);
        insta::assert_snapshot!(out);
        assert!(out.contains("--> hh.mod:4:1"));
    }

    #[test]
    fn render_without_labels_and_at_eof() {
        let src = SourceFile::new("x.mod", "PARAMETER {");
        let d = Diagnostic::warning("file is odd").with_note("just a note");
        insta::assert_snapshot!("no_labels", render(&d, &src, RenderStyle::Plain));
        let d = Diagnostic::error("unexpected end of file")
            .with_primary(TextRange::from_offsets(11, 11), "file ends here")
            .with_secondary(TextRange::from_offsets(10, 11), "block opened here");
        insta::assert_snapshot!("eof", render(&d, &src, RenderStyle::Plain));
        let colored = render(&d, &src, RenderStyle::Color);
        assert!(colored.contains('\u{1b}'));
    }

    #[test]
    fn render_empty_file() {
        let src = SourceFile::new("empty.mod", "");
        let d = Diagnostic::error("nothing here").with_primary(TextRange::empty(TextSize(0)), "");
        let out = render(&d, &src, RenderStyle::Plain);
        assert!(out.contains("empty.mod"));
    }
}
