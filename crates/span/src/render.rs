//! Rendering diagnostics as rustc-style text frames via `annotate-snippets`.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::{Diagnostic, Severity, SourceFile, TextRange};

/// Whether to emit ANSI colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum RenderStyle {
    /// No escape codes; stable output for tests and logs.
    #[default]
    Plain,
    /// ANSI-coloured output for terminals.
    Color,
}

/// Clamp `range` into `text` and onto character boundaries.
fn clamp(text: &str, range: TextRange) -> std::ops::Range<usize> {
    let len = text.len();
    let mut start = range.start().to_usize().min(len);
    let mut end = range.end().to_usize().min(len).max(start);
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    while end < len && !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Render one diagnostic against its source file, rustc-style:
///
/// ```text
/// error[E0101]: expected `}` to close the NEURON block
///  --> hh.mod:12:5
///   |
/// ...
/// ```
pub fn render(diag: &Diagnostic, file: &SourceFile, style: RenderStyle) -> String {
    let level = match diag.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let mut title = level.primary_title(diag.message.as_str());
    if let Some(code) = diag.code {
        title = title.id(code);
    }
    let mut group: Group<'_> = if diag.labels.is_empty() {
        Group::with_title(title).element(Origin::path(file.name.as_str()))
    } else {
        let mut snippet = Snippet::source(file.text.as_str())
            .path(file.name.as_str())
            .fold(true);
        // Primary labels first so the `-->` line points at the first primary one.
        let mut labels: Vec<_> = diag.labels.iter().collect();
        labels.sort_by_key(|l| !l.primary);
        for label in labels {
            let kind = if label.primary {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            let mut ann = kind.span(clamp(&file.text, label.range));
            if !label.message.is_empty() {
                ann = ann.label(label.message.as_str());
            }
            snippet = snippet.annotation(ann);
        }
        Group::with_title(title).element(snippet)
    };
    for note in &diag.notes {
        group = group.element(Level::NOTE.message(note.as_str()));
    }
    let renderer = match style {
        RenderStyle::Plain => Renderer::plain(),
        RenderStyle::Color => Renderer::styled(),
    };
    renderer.render(&[group])
}

/// Render several diagnostics, separated by blank lines.
pub fn render_all(diags: &[Diagnostic], file: &SourceFile, style: RenderStyle) -> String {
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&render(d, file, style));
    }
    out
}
