//! Hand-written NMODL lexer.
//!
//! Comments (`:` and `?` to end of line) and whitespace are skipped; each token records
//! whether a line break preceded it, which the parser uses where NMODL is line-sensitive.
//! `COMMENT … ENDCOMMENT`, `VERBATIM … ENDVERBATIM` and `TITLE …` (rest of line) become
//! single raw tokens. Characters that start no token become [`TokenKind::Unknown`]; the
//! parser reports them only where it does not expect free-form text (e.g. inside units).

use ranvier_span::{Diagnostic, TextRange};

/// Token categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Identifier or keyword (keywords are contextual and recognised by the parser).
    Ident,
    /// Numeric literal: `12`, `1.5`, `.5`, `1e-3`, `2.`.
    Number,
    /// String literal including quotes.
    String,
    /// `TITLE` and the rest of its line.
    Title,
    /// `COMMENT … ENDCOMMENT`.
    BlockComment,
    /// `VERBATIM … ENDVERBATIM`.
    Verbatim,
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
    /// `=`
    Eq,
    /// `'`
    Prime,
    /// `~`
    Tilde,
    /// `<->`
    LtMinusGt,
    /// `->`
    Arrow,
    /// `<<`
    LtLt,
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
    /// A character that starts no token.
    Unknown,
    /// End of input (always the last token, with an empty range).
    Eof,
}

impl TokenKind {
    /// A short human-readable description for error messages.
    pub fn describe(self) -> &'static str {
        use TokenKind::*;
        match self {
            Ident => "identifier",
            Number => "number",
            String => "string",
            Title => "TITLE",
            BlockComment => "COMMENT block",
            Verbatim => "VERBATIM block",
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
            Eq => "`=`",
            Prime => "`'`",
            Tilde => "`~`",
            LtMinusGt => "`<->`",
            Arrow => "`->`",
            LtLt => "`<<`",
            LParen => "`(`",
            RParen => "`)`",
            LBrace => "`{`",
            RBrace => "`}`",
            LBracket => "`[`",
            RBracket => "`]`",
            Comma => "`,`",
            Unknown => "unknown character",
            Eof => "end of file",
        }
    }
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What kind of token.
    pub kind: TokenKind,
    /// Where it is.
    pub range: TextRange,
    /// Whether a line break (or the start of the file) precedes it.
    pub line_start: bool,
}

/// Lex `src` into tokens (ending with [`TokenKind::Eof`]) and lexical diagnostics
/// (unterminated strings and raw blocks).
pub fn lex(src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
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

    fn skip_to_eol(&mut self) {
        while self.pos < self.bytes.len() && !matches!(self.bytes[self.pos], b'\n' | b'\r') {
            self.pos += 1;
        }
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
                b':' | b'?' => self.skip_to_eol(),
                b'"' => self.string(start),
                b'0'..=b'9' => self.number(start),
                b'.' if self.peek(1).is_ascii_digit() => self.number(start),
                _ if ranvier_span::is_ident_start(b) => self.word(start),
                _ => self.punct(start, b),
            }
        }
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            range: TextRange::from_usize(self.bytes.len(), self.bytes.len()),
            line_start: true,
        });
    }

    fn string(&mut self, start: usize) {
        self.pos += 1;
        loop {
            match self.bytes.get(self.pos) {
                None | Some(b'\n' | b'\r') => {
                    self.diags.push(
                        Diagnostic::error("unterminated string literal")
                            .with_code("E0003")
                            .with_primary(
                                TextRange::from_usize(start, self.pos),
                                "string starts here",
                            )
                            .with_note("strings must close with `\"` on the same line"),
                    );
                    break;
                }
                Some(b'\\') => self.pos = (self.pos + 2).min(self.bytes.len()),
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

    fn word(&mut self, start: usize) {
        while self.pos < self.bytes.len() && ranvier_span::is_ident_continue(self.bytes[self.pos]) {
            self.pos += 1;
        }
        match &self.src[start..self.pos] {
            "COMMENT" => self.raw_block(start, "ENDCOMMENT", TokenKind::BlockComment, "E0004"),
            "VERBATIM" => self.raw_block(start, "ENDVERBATIM", TokenKind::Verbatim, "E0005"),
            "TITLE" => {
                self.skip_to_eol();
                self.push(TokenKind::Title, start);
            }
            _ => self.push(TokenKind::Ident, start),
        }
    }

    fn raw_block(&mut self, start: usize, end_kw: &str, kind: TokenKind, code: &'static str) {
        let kw_end = self.pos;
        match self.src[self.pos..].find(end_kw) {
            Some(off) => self.pos += off + end_kw.len(),
            None => {
                let kw = &self.src[start..kw_end];
                self.diags.push(
                    Diagnostic::error(format!("unterminated {kw} block: missing `{end_kw}`"))
                        .with_code(code)
                        .with_primary(
                            TextRange::from_usize(start, kw_end),
                            format!("{kw} block starts here"),
                        )
                        .with_secondary(
                            TextRange::from_usize(self.bytes.len(), self.bytes.len()),
                            "file ends here",
                        )
                        .with_note(format!("everything after `{kw}` was treated as raw text")),
                );
                self.pos = self.bytes.len();
            }
        }
        self.push(kind, start);
    }

    fn punct(&mut self, start: usize, b: u8) {
        use TokenKind::*;
        let (kind, len) = match (b, self.peek(1), self.peek(2)) {
            (b'<', b'-', b'>') => (LtMinusGt, 3),
            (b'<', b'<', _) => (LtLt, 2),
            (b'<', b'=', _) => (Le, 2),
            (b'>', b'=', _) => (Ge, 2),
            (b'=', b'=', _) => (EqEq, 2),
            (b'!', b'=', _) => (Ne, 2),
            (b'&', b'&', _) => (AndAnd, 2),
            (b'|', b'|', _) => (OrOr, 2),
            (b'-', b'>', _) => (Arrow, 2),
            (b'<', ..) => (Lt, 1),
            (b'>', ..) => (Gt, 1),
            (b'=', ..) => (Eq, 1),
            (b'!', ..) => (Bang, 1),
            (b'+', ..) => (Plus, 1),
            (b'-', ..) => (Minus, 1),
            (b'*', ..) => (Star, 1),
            (b'/', ..) => (Slash, 1),
            (b'^', ..) => (Caret, 1),
            (b'%', ..) => (Percent, 1),
            (b'\'', ..) => (Prime, 1),
            (b'~', ..) => (Tilde, 1),
            (b'(', ..) => (LParen, 1),
            (b')', ..) => (RParen, 1),
            (b'{', ..) => (LBrace, 1),
            (b'}', ..) => (RBrace, 1),
            (b'[', ..) => (LBracket, 1),
            (b']', ..) => (RBracket, 1),
            (b',', ..) => (Comma, 1),
            _ => {
                // One whole character (may be multi-byte).
                let ch_len = self.src[start..].chars().next().map_or(1, char::len_utf8);
                (Unknown, ch_len)
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
            kinds("1e-3 .5 2. 3E+2 x' <-> << <= -> ~ != && || ^"),
            vec![
                Number, Number, Number, Number, Ident, Prime, LtMinusGt, LtLt, Le, Arrow, Tilde,
                Ne, AndAnd, OrOr, Caret, Eof
            ]
        );
        let (toks, _) = lex("1e-3 1e x");
        assert_eq!(toks[1].range, TextRange::from_offsets(5, 6));
        assert_eq!(toks[2].kind, TokenKind::Ident);
    }

    #[test]
    fn comments_and_raw_blocks() {
        use TokenKind::*;
        let src = "a : comment\n? also\nCOMMENT x : y ENDCOMMENT b\nVERBATIM int x; ENDVERBATIM";
        let (toks, diags) = lex(src);
        assert!(diags.is_empty());
        let k: Vec<_> = toks.iter().map(|t| t.kind).collect();
        assert_eq!(k, vec![Ident, BlockComment, Ident, Verbatim, Eof]);
        assert!(toks[1].line_start);
        assert!(!toks[2].line_start);
    }

    #[test]
    fn unterminated() {
        let (_, d) = lex("COMMENT never ends");
        assert_eq!(d.len(), 1);
        let (_, d) = lex("x = \"abc\ny");
        assert_eq!(d.len(), 1);
        let (toks, _) = lex("é$");
        assert_eq!(toks[0].kind, TokenKind::Unknown);
        assert_eq!(toks[0].range.len(), 2);
    }
}
