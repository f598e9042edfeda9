//! Tokenizer for the Python expression subset.

use std::ops::Range;

use crate::ExprError;

/// Token kinds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Num(f64),
    Ident(String),
    Plus,
    Minus,
    Star,
    Slash,
    SlashSlash,
    Percent,
    StarStar,
    LParen,
    RParen,
    Comma,
    Dot,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    And,
    Or,
    Not,
    If,
    Else,
    True,
    False,
    Eof,
}

impl Tok {
    /// Human-readable description for error messages.
    pub(crate) fn describe(&self) -> String {
        let s = match self {
            Tok::Num(v) => return format!("number `{v}`"),
            Tok::Ident(name) => return format!("`{name}`"),
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::SlashSlash => "//",
            Tok::Percent => "%",
            Tok::StarStar => "**",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Dot => ".",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::EqEq => "==",
            Tok::Ne => "!=",
            Tok::And => "and",
            Tok::Or => "or",
            Tok::Not => "not",
            Tok::If => "if",
            Tok::Else => "else",
            Tok::True => "True",
            Tok::False => "False",
            Tok::Eof => return "end of input".to_string(),
        };
        format!("`{s}`")
    }
}

/// A token and its byte span in the source.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) span: Range<usize>,
}

/// Python keywords (and soft keywords) that the subset does not support.
const UNSUPPORTED_KEYWORDS: &[&str] = &[
    "lambda", "in", "is", "for", "None", "yield", "await", "import", "from", "as", "def", "class",
    "return", "del", "global", "nonlocal", "pass", "raise", "try", "except", "finally", "while",
    "with", "assert", "break", "continue", "elif",
];

/// Split `src` into tokens; the last token is always [`Tok::Eof`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, ExprError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let (v, end) = lex_number(src, start)?;
            out.push(Token {
                tok: Tok::Num(v),
                span: start..end,
            });
            i = end;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &src[start..i];
            let tok = match word {
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                "if" => Tok::If,
                "else" => Tok::Else,
                "True" => Tok::True,
                "False" => Tok::False,
                w if UNSUPPORTED_KEYWORDS.contains(&w) => {
                    return Err(ExprError::new(
                        format!("Python keyword `{w}` is not supported in expressions"),
                        start..i,
                    ));
                }
                w => Tok::Ident(w.to_string()),
            };
            out.push(Token {
                tok,
                span: start..i,
            });
            continue;
        }
        let next = bytes.get(i + 1).copied();
        let (tok, len) = match (c, next) {
            (b'*', Some(b'*')) => (Tok::StarStar, 2),
            (b'/', Some(b'/')) => (Tok::SlashSlash, 2),
            (b'<', Some(b'=')) => (Tok::Le, 2),
            (b'>', Some(b'=')) => (Tok::Ge, 2),
            (b'=', Some(b'=')) => (Tok::EqEq, 2),
            (b'!', Some(b'=')) => (Tok::Ne, 2),
            (b'+', _) => (Tok::Plus, 1),
            (b'-', _) => (Tok::Minus, 1),
            (b'*', _) => (Tok::Star, 1),
            (b'/', _) => (Tok::Slash, 1),
            (b'%', _) => (Tok::Percent, 1),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b',', _) => (Tok::Comma, 1),
            (b'.', _) => (Tok::Dot, 1),
            (b'<', _) => (Tok::Lt, 1),
            (b'>', _) => (Tok::Gt, 1),
            (b'=', _) => {
                return Err(ExprError::new(
                    "assignment `=` is not allowed in an expression (use `==` to compare)",
                    i..i + 1,
                ));
            }
            (b'\'' | b'"', _) => {
                return Err(ExprError::new(
                    "string literals are not supported in expressions",
                    i..i + 1,
                ));
            }
            (b'^' | b'&' | b'|' | b'~' | b'@', _) => {
                return Err(ExprError::new(
                    format!("operator `{}` is not supported", c as char),
                    i..i + 1,
                ));
            }
            (b'[' | b']' | b'{' | b'}', _) => {
                return Err(ExprError::new(
                    "lists, indexing and dictionaries are not supported in expressions",
                    i..i + 1,
                ));
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
                let end = i + ch.len_utf8();
                return Err(ExprError::new(
                    format!("unexpected character `{}`", ch.escape_debug()),
                    i..end,
                ));
            }
        };
        out.push(Token {
            tok,
            span: i..i + len,
        });
        i += len;
    }
    out.push(Token {
        tok: Tok::Eof,
        span: src.len()..src.len(),
    });
    Ok(out)
}

/// Lex a Python float/int literal starting at `start`: `12`, `1.5`, `.5`, `5.`,
/// `1e-3`, `1_000`. Returns the value and the end offset.
fn lex_number(src: &str, start: usize) -> Result<(f64, usize), ExprError> {
    let bytes = src.as_bytes();
    let mut i = start;
    let digits = |i: &mut usize| {
        while *i < bytes.len() && (bytes[*i].is_ascii_digit() || bytes[*i] == b'_') {
            *i += 1;
        }
    };
    digits(&mut i);
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        digits(&mut i);
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = j;
            digits(&mut i);
        } else {
            return Err(ExprError::new(
                "invalid number: exponent has no digits",
                start..j.min(bytes.len()),
            ));
        }
    }
    // A letter or underscore glued to a number (`2x`, `1j`, `0x1f`) is a syntax error.
    if i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
        let mut j = i;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        return Err(ExprError::new(
            format!("invalid number literal `{}`", &src[start..j]),
            start..j,
        ));
    }
    let text = &src[start..i];
    // Python: underscores only between digits.
    let tb = text.as_bytes();
    let bad_underscore = tb.iter().enumerate().any(|(k, &b)| {
        b == b'_'
            && !(k > 0
                && tb[k - 1].is_ascii_digit()
                && tb.get(k + 1).is_some_and(u8::is_ascii_digit))
    });
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    match cleaned.parse::<f64>() {
        Ok(v) if !bad_underscore => Ok((v, i)),
        _ => Err(ExprError::new(
            format!("invalid number literal `{text}`"),
            start..i,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(src: &str) -> Vec<f64> {
        tokenize(src)
            .unwrap()
            .into_iter()
            .filter_map(|t| match t.tok {
                Tok::Num(v) => Some(v),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn number_forms() {
        assert_eq!(
            nums("1 1.5 .5 5. 1e-3 2E3 1_000 5.e1"),
            vec![1.0, 1.5, 0.5, 5.0, 1e-3, 2e3, 1000.0, 50.0]
        );
    }

    #[test]
    fn bad_numbers() {
        assert!(tokenize("1e").is_err());
        assert!(tokenize("2x").is_err());
        assert!(tokenize("1__0").is_err());
        assert!(tokenize("1_").is_err());
    }

    #[test]
    fn operators() {
        let toks: Vec<Tok> = tokenize("** // <= >= == != < > . ,")
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect();
        assert_eq!(
            toks,
            vec![
                Tok::StarStar,
                Tok::SlashSlash,
                Tok::Le,
                Tok::Ge,
                Tok::EqEq,
                Tok::Ne,
                Tok::Lt,
                Tok::Gt,
                Tok::Dot,
                Tok::Comma,
                Tok::Eof
            ]
        );
    }
}
