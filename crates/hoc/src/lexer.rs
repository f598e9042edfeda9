//! Hand-written hoc lexer.
//!
//! Whitespace and comments (`// …` to the end of the line, `/* … */`) are skipped; each
//! token records whether a line break preceded it (hoc is line-sensitive: a newline ends
//! an expression). A backslash right before a line break joins the two lines. Runs of
//! characters that start no token become one [`TokenKind::Unknown`] token, reported here;
//! the parser skips them.

use ranvier_span::{Diagnostic, TextRange};

use crate::parser::codes;

/// Token categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum TokenKind {
    /// Identifier or keyword (keywords are recognised by the parser).
    Ident,
    /// Numeric literal: `12`, `1.5`, `.5`, `2.`, `1e-3`.
    Number,
    /// String literal including its quotes (the closing one may be missing).
    String,
    /// Positional argument: `$1`, `$o1`, `$s1`, `$&1`.
    Arg,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `^`
    Caret,
    /// `%`
    Percent,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `==`
    EqEq,
    /// `!=`
    Ne,
    /// `!`
    Bang,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `&`
    Amp,
    /// `=`
    Eq,
    /// `+=`
    PlusEq,
    /// `-=`
    MinusEq,
    /// `*=`
    StarEq,
    /// `/=`
    SlashEq,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `;`
    Semi,
    /// `.`
    Dot,
    /// `:` (only in range-variable tapers `diam(0:1) = 2:1`)
    Colon,
    /// Characters that start no token (already reported).
    Unknown,
    /// End of input (always the last token, with an empty range).
    Eof,
}

impl TokenKind {
    /// A short human-readable description for error messages.
    pub(crate) fn describe(self) -> &'static str {
        use TokenKind::*;
        match self {
            Ident => "identifier",
            Number => "number",
            String => "string",
            Arg => "argument",
            Plus => "`+`",
            Minus => "`-`",
            Star => "`*`",
            Slash => "`/`",
            Caret => "`^`",
            Percent => "`%`",
            Lt => "`<`",
            Gt => "`>`",
            Le => "`<=`",
            Ge => "`>=`",
            EqEq => "`==`",
            Ne => "`!=`",
            Bang => "`!`",
            AndAnd => "`&&`",
            OrOr => "`||`",
            Amp => "`&`",
            Eq => "`=`",
            PlusEq => "`+=`",
            MinusEq => "`-=`",
            StarEq => "`*=`",
            SlashEq => "`/=`",
            LParen => "`(`",
            RParen => "`)`",
            LBrace => "`{`",
            RBrace => "`}`",
            LBracket => "`[`",
            RBracket => "`]`",
            Comma => "`,`",
            Semi => "`;`",
            Dot => "`.`",
            Colon => "`:`",
            Unknown => "unknown character",
            Eof => "end of file",
        }
    }
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// What kind of token.
    pub(crate) kind: TokenKind,
    /// Where it is.
    pub(crate) range: TextRange,
    /// Whether a line break (or the start of the file) precedes it.
    pub(crate) line_start: bool,
}

/// Lex `src` into tokens (ending with [`TokenKind::Eof`]) and lexical diagnostics
/// (unterminated strings and comments, unknown characters).
pub(crate) fn lex(src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lx = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        diags: Vec::new(),
        line_start: true,
    };
    lx.run();
    (lx.tokens, lx.diags)
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    diags: Vec<Diagnostic>,
    line_start: bool,
}

impl Lexer<'_> {
    fn peek(&self, n: usize) -> u8 {
        self.bytes.get(self.pos + n).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            range: TextRange::from_usize(start, self.pos),
            line_start: self.line_start,
        });
        self.line_start = false;
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.bytes[self.pos];
            match b {
                // A lone `\r` (old Mac line ending) also ends a line.
                b'\n' | b'\r' => {
                    self.pos += 1;
                    self.line_start = true;
                }
                b' ' | b'\t' | 0x0b | 0x0c => self.pos += 1,
                // Line continuation.
                b'\\' if matches!(self.peek(1), b'\n' | b'\r') => {
                    self.pos += if self.peek(1) == b'\r' && self.peek(2) == b'\n' {
                        3
                    } else {
                        2
                    };
                }
                b'/' if self.peek(1) == b'/' => {
                    while self.pos < self.bytes.len()
                        && !matches!(self.bytes[self.pos], b'\n' | b'\r')
                    {
                        self.pos += 1;
                    }
                }
                b'/' if self.peek(1) == b'*' => self.block_comment(start),
                b'"' => self.string(start),
                b'0'..=b'9' => self.number(start),
                b'.' if self.peek(1).is_ascii_digit() => self.number(start),
                b'$' => self.arg(start),
                _ if ranvier_span::is_ident_start(b) => {
                    while self.pos < self.bytes.len()
                        && ranvier_span::is_ident_continue(self.bytes[self.pos])
                    {
                        self.pos += 1;
                    }
                    self.push(TokenKind::Ident, start);
                }
                _ => self.punct(start, b),
            }
        }
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            range: TextRange::from_usize(self.bytes.len(), self.bytes.len()),
            line_start: true,
        });
    }

    fn block_comment(&mut self, start: usize) {
        match self.src[start + 2..].find("*/") {
            Some(off) => {
                let end = start + 2 + off + 2;
                // A comment spanning lines separates statements like a line break.
                if self.src[start..end].contains(['\n', '\r']) {
                    self.line_start = true;
                }
                self.pos = end;
            }
            None => {
                self.diags.push(
                    Diagnostic::error("unterminated comment: missing `*/`")
                        .with_code(codes::UNTERMINATED_COMMENT)
                        .with_primary(
                            TextRange::from_usize(start, start + 2),
                            "comment starts here",
                        )
                        .with_secondary(
                            TextRange::from_usize(self.bytes.len(), self.bytes.len()),
                            "file ends here",
                        )
                        .with_note("everything after `/*` was skipped"),
                );
                self.pos = self.bytes.len();
            }
        }
    }

    fn string(&mut self, start: usize) {
        self.pos += 1;
        loop {
            match self.bytes.get(self.pos) {
                None | Some(b'\n' | b'\r') => {
                    self.diags.push(
                        Diagnostic::error("unterminated string literal")
                            .with_code(codes::UNTERMINATED_STRING)
                            .with_primary(
                                TextRange::from_usize(start, self.pos),
                                "string starts here",
                            )
                            .with_note("strings must close with `\"` on the same line"),
                    );
                    break;
                }
                // A backslash before a line break continues the string on the next line.
                Some(b'\\') if self.peek(1) == b'\r' && self.peek(2) == b'\n' => self.pos += 3,
                Some(b'\\') if self.pos + 1 < self.bytes.len() => {
                    // Skip the escaped character (whole, if multi-byte).
                    let ch_len = self.src[self.pos + 1..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                    self.pos += 1 + ch_len;
                }
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => self.pos += 1,
            }
        }
        self.push(TokenKind::String, start);
    }

    fn digits(&mut self) {
        while self.peek(0).is_ascii_digit() {
            self.pos += 1;
        }
    }

    fn number(&mut self, start: usize) {
        self.digits();
        if self.peek(0) == b'.' {
            self.pos += 1;
            self.digits();
        }
        if matches!(self.peek(0), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek(1), b'+' | b'-'));
            if self.peek(1 + sign).is_ascii_digit() {
                self.pos += 1 + sign;
                self.digits();
            }
        }
        self.push(TokenKind::Number, start);
    }

    /// `$1`, `$o1`, `$s1`, `$&1` (and `$i`, `$oi`, … which the parser rejects); a `$`
    /// not followed by that is an unknown character.
    fn arg(&mut self, start: usize) {
        let prefix = usize::from(matches!(self.peek(1), b'o' | b's' | b'&'));
        if self.peek(1 + prefix).is_ascii_digit() {
            self.pos += 1 + prefix;
            self.digits();
            self.push(TokenKind::Arg, start);
        } else if self.peek(1 + prefix) == b'i'
            && !ranvier_span::is_ident_continue(self.peek(2 + prefix))
        {
            self.pos += 2 + prefix;
            self.push(TokenKind::Arg, start);
        } else {
            self.pos += 1;
            self.unknown(start, "arguments are written `$1`, `$o1`, `$s1` or `$&1`");
        }
    }

    /// Report the unknown character(s) from `start` to `self.pos` (extended over any
    /// directly following unknown characters) and push one token for them.
    fn unknown(&mut self, start: usize, note: &str) {
        while self.pos < self.bytes.len() && self.starts_nothing(self.pos) {
            self.pos += self.char_len(self.pos);
        }
        let text = &self.src[start..self.pos];
        let what = if text.chars().count() == 1 {
            format!("unknown character `{text}`")
        } else {
            format!("unknown characters `{text}`")
        };
        self.diags.push(
            Diagnostic::error(what)
                .with_code(codes::UNKNOWN_CHAR)
                .with_primary(
                    TextRange::from_usize(start, self.pos),
                    "not part of hoc syntax",
                )
                .with_note(note),
        );
        self.push(TokenKind::Unknown, start);
    }

    fn char_len(&self, at: usize) -> usize {
        self.src[at..].chars().next().map_or(1, char::len_utf8)
    }

    /// Whether the character at `at` starts no token (and is not whitespace).
    fn starts_nothing(&self, at: usize) -> bool {
        let b = self.bytes[at];
        let next = self.bytes.get(at + 1).copied().unwrap_or(0);
        match b {
            b'|' => next != b'|',
            b'\\' => !matches!(next, b'\n' | b'\r'),
            b'$' => false,
            _ => {
                !(b.is_ascii_whitespace()
                    || ranvier_span::is_ident_start(b)
                    || b.is_ascii_digit()
                    || b"\"+-*/^%<>=!&(){}[],;.:".contains(&b))
            }
        }
    }

    fn punct(&mut self, start: usize, b: u8) {
        use TokenKind::*;
        let (kind, len) = match (b, self.peek(1)) {
            (b'<', b'=') => (Le, 2),
            (b'>', b'=') => (Ge, 2),
            (b'=', b'=') => (EqEq, 2),
            (b'!', b'=') => (Ne, 2),
            (b'&', b'&') => (AndAnd, 2),
            (b'|', b'|') => (OrOr, 2),
            (b'+', b'=') => (PlusEq, 2),
            (b'-', b'=') => (MinusEq, 2),
            (b'*', b'=') => (StarEq, 2),
            (b'/', b'=') => (SlashEq, 2),
            (b'<', _) => (Lt, 1),
            (b'>', _) => (Gt, 1),
            (b'=', _) => (Eq, 1),
            (b'!', _) => (Bang, 1),
            (b'&', _) => (Amp, 1),
            (b'+', _) => (Plus, 1),
            (b'-', _) => (Minus, 1),
            (b'*', _) => (Star, 1),
            (b'/', _) => (Slash, 1),
            (b'^', _) => (Caret, 1),
            (b'%', _) => (Percent, 1),
            (b'(', _) => (LParen, 1),
            (b')', _) => (RParen, 1),
            (b'{', _) => (LBrace, 1),
            (b'}', _) => (RBrace, 1),
            (b'[', _) => (LBracket, 1),
            (b']', _) => (RBracket, 1),
            (b',', _) => (Comma, 1),
            (b';', _) => (Semi, 1),
            (b'.', _) => (Dot, 1),
            (b':', _) => (Colon, 1),
            _ => {
                self.pos += self.char_len(start);
                let note = match b {
                    b'#' => "comments start with `//` or are written `/* … */`",
                    b'|' => "logical or is written `||`",
                    b'\'' => "strings are written in double quotes",
                    _ => "this character is not part of hoc syntax",
                };
                self.unknown(start, note);
                return;
            }
        };
        self.pos += len;
        self.push(kind, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        lex(src).0.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn numbers_and_operators() {
        use TokenKind::*;
        assert_eq!(
            kinds("1e-3 .5 2. 3E+2 1.5 x += -= *= /= <= >= == != && || ^ & ! ; ."),
            vec![
                Number, Number, Number, Number, Number, Ident, PlusEq, MinusEq, StarEq, SlashEq,
                Le, Ge, EqEq, Ne, AndAnd, OrOr, Caret, Amp, Bang, Semi, Dot, Eof
            ]
        );
        let (toks, _) = lex("1e-3 1e x");
        assert_eq!(toks[1].range, TextRange::from_offsets(5, 6));
        assert_eq!(toks[2].kind, TokenKind::Ident);
        assert_eq!(kinds("a.b[1].c"), {
            vec![
                Ident, Dot, Ident, LBracket, Number, RBracket, Dot, Ident, Eof,
            ]
        });
    }

    #[test]
    fn args() {
        use TokenKind::*;
        let (toks, diags) = lex("$1 $o2 $s13 $&4");
        assert!(diags.is_empty());
        assert_eq!(
            toks.iter().map(|t| t.kind).collect::<Vec<_>>(),
            vec![Arg, Arg, Arg, Arg, Eof]
        );
        assert_eq!(toks[2].range, TextRange::from_offsets(7, 11));
        let (toks, diags) = lex("$x");
        assert_eq!(diags.len(), 1);
        assert_eq!(toks[0].kind, Unknown);
        assert_eq!(toks[1].kind, Ident);
    }

    #[test]
    fn comments_and_lines() {
        use TokenKind::*;
        let src = "a // comment\nb /* x\n y */ c /* z */ d \\\n e";
        let (toks, diags) = lex(src);
        assert!(diags.is_empty());
        let k: Vec<_> = toks.iter().map(|t| t.kind).collect();
        assert_eq!(k, vec![Ident, Ident, Ident, Ident, Ident, Eof]);
        let starts: Vec<_> = toks.iter().map(|t| t.line_start).collect();
        assert_eq!(starts, vec![true, true, true, false, false, true]);
    }

    #[test]
    fn unterminated_and_unknown() {
        let (_, d) = lex("/* never ends");
        assert_eq!(d.len(), 1);
        let (toks, d) = lex("x = \"abc\ny");
        assert_eq!(d.len(), 1);
        assert_eq!(toks[2].range, TextRange::from_offsets(4, 8));
        let (toks, d) = lex("é## x @");
        assert_eq!(d.len(), 2);
        assert_eq!(toks[0].kind, TokenKind::Unknown);
        assert_eq!(toks[0].range.len(), 4);
        assert_eq!(toks[1].kind, TokenKind::Ident);
        let (toks, d) = lex(r#""a\"b\\" c"#);
        assert!(d.is_empty());
        assert_eq!(toks[0].range, TextRange::from_offsets(0, 8));
    }
}
