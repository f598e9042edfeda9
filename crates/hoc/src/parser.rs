//! Error-tolerant recursive-descent parser for hoc (Pratt parsing for expressions).
//!
//! hoc is line-sensitive: a newline ends an expression unless it directly follows a
//! binary or assignment operator, `,`, `(` or `[` (inside parentheses and brackets a
//! newline never ends one). Statements may also share a line with no separator: a
//! statement ends where the next token cannot continue it (`L = 15  diam = 16`).
//!
//! Before parsing, the whole token stream is scanned for `create` statements; a
//! statement that starts with a reference to such a name (`soma`, `dend[i]`,
//! `cell.axon`) followed by the start of another statement is a section statement.
//!
//! Recovery: a bad statement is skipped to the next line, `;` or `}` (a `{ … }` group on
//! the way is skipped whole). A block that meets the end of file, `endtemplate` or the
//! next definition before its `}` is reported as unclosed, pointing at its opening brace.
//! Every loop either consumes a token or stops, so parsing always terminates; nesting
//! depth is capped so it never overflows the stack.

use std::collections::HashSet;

use ranvier_span::{Diagnostic, Label, TextRange, TextSize};

use crate::ast::*;
use crate::lexer::{Token, TokenKind, lex};

/// Diagnostic codes used by the hoc front end.
pub(crate) mod codes {
    /// A character that starts no hoc token.
    pub(crate) const UNKNOWN_CHAR: &str = "E0001";
    /// Unterminated string literal.
    pub(crate) const UNTERMINATED_STRING: &str = "E0003";
    /// Unterminated `/* … */` comment.
    pub(crate) const UNTERMINATED_COMMENT: &str = "E0004";
    /// A specific token was expected.
    pub(crate) const EXPECTED: &str = "E0010";
    /// A block's `}` (or a template's `endtemplate`) is missing.
    pub(crate) const UNCLOSED: &str = "E0011";
    /// A closing token with nothing to close (`}`, `endtemplate`, `else`).
    pub(crate) const STRAY: &str = "E0012";
    /// Extra tokens after a complete statement.
    pub(crate) const TRAILING: &str = "E0014";
    /// Invalid assignment target or call.
    pub(crate) const BAD_TARGET: &str = "E0015";
    /// Nesting too deep.
    pub(crate) const TOO_DEEP: &str = "E0016";
    /// `endtemplate` names another template.
    pub(crate) const TEMPLATE_MISMATCH: &str = "E0017";
    /// A construct in the wrong place (`$1` or `return` outside a function, `public`
    /// outside a template, nested definitions).
    pub(crate) const MISPLACED: &str = "E0018";
    /// hoc that this parser does not support.
    pub(crate) const UNSUPPORTED: &str = "E0019";
}

/// Parse a hoc file. Never fails: errors come back as diagnostics (lexical ones first,
/// then syntactic ones, each group in source order) next to a best-effort tree.
#[must_use]
pub fn parse(src: &str) -> (Program, Vec<Diagnostic>) {
    let (raw, lex_diags) = lex(src);
    // Unknown characters were reported by the lexer; the parser does not see them.
    let mut toks = Vec::with_capacity(raw.len());
    let mut pending_line_start = false;
    for tok in raw {
        if tok.kind == TokenKind::Unknown {
            pending_line_start |= tok.line_start;
            continue;
        }
        let mut tok = tok;
        tok.line_start |= pending_line_start;
        pending_line_start = false;
        toks.push(tok);
    }
    let sections = section_names(src, &toks);
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        prev_end: TextSize(0),
        diags: Vec::new(),
        last_error: None,
        depth: 0,
        too_deep_reported: false,
        stmt_start: 0,
        sections,
        nest: 0,
        sec_call: false,
        no_call: false,
        in_func: false,
        in_template: false,
        defs_ok: true,
    };
    let stmts = p.stmts(ListCtx::File);
    let mut diags = lex_diags;
    diags.extend(p.diags);
    (Program { stmts }, diags)
}

/// Every name some `create` statement in the file declares.
fn section_names(src: &str, toks: &[Token]) -> HashSet<String> {
    let text = |t: &Token| &src[t.range.to_range()];
    let mut names = HashSet::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].kind == TokenKind::Ident && text(&toks[i]) == "create" {
            i += 1;
            while i < toks.len() && toks[i].kind == TokenKind::Ident {
                names.insert(text(&toks[i]).to_string());
                i += 1;
                // Skip dimensions `[ … ]`.
                while i < toks.len() && toks[i].kind == TokenKind::LBracket {
                    let mut depth = 0u32;
                    while i < toks.len() {
                        match toks[i].kind {
                            TokenKind::LBracket => depth += 1,
                            TokenKind::RBracket => depth = depth.saturating_sub(1),
                            TokenKind::LBrace | TokenKind::RBrace | TokenKind::Eof => {
                                depth = 0;
                            }
                            _ => {}
                        }
                        if depth == 0 {
                            break;
                        }
                        i += 1;
                    }
                    if i < toks.len() && toks[i].kind == TokenKind::RBracket {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if i < toks.len() && toks[i].kind == TokenKind::Comma {
                    i += 1;
                } else {
                    break;
                }
            }
        } else {
            i += 1;
        }
    }
    names
}

const MAX_DEPTH: u32 = 200;

/// The three parts of `for (init; cond; step)`.
type ForHeader = (Option<Expr>, Option<Expr>, Option<Expr>);

/// What the parentheses after `for` hold.
enum ForHead {
    /// `(init; cond; step)`
    C(ForHeader),
    /// `(x)` or `(x, ends)`: a segment loop.
    Seg(Name, Option<Expr>),
}

/// Words that start statements (or are otherwise reserved) and so cannot be names.
const KEYWORDS: &[&str] = &[
    "if",
    "else",
    "while",
    "for",
    "break",
    "continue",
    "return",
    "stop",
    "create",
    "access",
    "connect",
    "insert",
    "uninsert",
    "objref",
    "objectvar",
    "strdef",
    "double",
    "local",
    "localobj",
    "public",
    "external",
    "print",
    "forall",
    "forsec",
    "ifsec",
    "proc",
    "func",
    "obfunc",
    "begintemplate",
    "endtemplate",
    "new",
    "iterator",
    "iterator_statement",
    "setpointer",
    "delete",
];

/// Keywords that can only start a definition at file or template level; meeting one
/// inside a block means that block's `}` is missing.
const DEFINITION_KEYWORDS: &[&str] = &["proc", "func", "obfunc", "begintemplate", "endtemplate"];

/// What ends a statement list.
#[derive(Clone, Debug)]
enum ListCtx {
    /// The whole file: ends at end of file.
    File,
    /// A template body: ends at `endtemplate`.
    Template { begin: TextRange, name: Name },
    /// A `{ … }` block: ends at `}`.
    Block { open: Token },
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    prev_end: TextSize,
    diags: Vec<Diagnostic>,
    last_error: Option<TextSize>,
    depth: u32,
    too_deep_reported: bool,
    /// Token index where the statement being parsed started.
    stmt_start: usize,
    /// Names declared by `create` anywhere in the file.
    sections: HashSet<String>,
    /// Open parentheses / brackets in the current expression (newlines do not end it).
    nest: u32,
    /// Parsing a `connect` operand: `sec[i](x)` is a section location.
    sec_call: bool,
    /// Parsing the range variable of a taper: stop before its `(`.
    no_call: bool,
    /// Inside a `proc` / `func` / `obfunc` body.
    in_func: bool,
    /// Inside a template.
    in_template: bool,
    /// The statement about to be parsed is directly in the file or a template (where
    /// definitions are allowed).
    defs_ok: bool,
}

fn func_kind_keyword(k: FuncKind) -> &'static str {
    match k {
        FuncKind::Proc => "proc",
        FuncKind::Func => "func",
        FuncKind::Obfunc => "obfunc",
    }
}

/// The last name of a section-like reference: `soma`, `dend[i]` → `dend`, `a.b` → `b`.
fn final_name(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Name(n) | ExprKind::Member(_, n) => Some(&n.text),
        ExprKind::Index(base, _) => match &base.kind {
            ExprKind::Name(n) | ExprKind::Member(_, n) => Some(&n.text),
            _ => None,
        },
        _ => None,
    }
}

/// `x.sec`, `x.parent`, `x.trueparent`, `x.root` or `x.child[i]`: a section of a
/// SectionRef.
fn is_sectionref_section(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Member(_, n) => {
            matches!(n.text.as_str(), "sec" | "parent" | "trueparent" | "root")
        }
        ExprKind::Index(base, _) => {
            matches!(&base.kind, ExprKind::Member(_, n) if n.text == "child")
        }
        _ => false,
    }
}

fn is_reference(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Name(_)
            | ExprKind::Index(..)
            | ExprKind::Member(..)
            | ExprKind::Call(..)
            | ExprKind::Arg { .. }
    )
}

/// The contents of a string token with hoc's escapes (`\n`, `\t`, `\b`, `\f`, `\r`; any
/// other escaped character stands for itself).
fn unescape(tok: &str) -> String {
    let s = tok.strip_prefix('"').unwrap_or(tok);
    let s = s.strip_suffix('"').unwrap_or(s);
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('r') => out.push('\r'),
            // A backslash before a line break: the string continues on the next line.
            Some('\r') => {
                if chars.clone().next() == Some('\n') {
                    chars.next();
                }
                out.push('\n');
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

impl Parser<'_> {
    // ----- token access -------------------------------------------------------------

    fn cur(&self) -> Token {
        self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn kind(&self) -> TokenKind {
        self.cur().kind
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.kind() == kind
    }

    fn text(&self, tok: Token) -> &str {
        &self.src[tok.range.to_range()]
    }

    fn at_kw(&self, kw: &str) -> bool {
        let t = self.cur();
        t.kind == TokenKind::Ident && self.text(t) == kw
    }

    fn at_any_kw(&self, kws: &[&str]) -> bool {
        let t = self.cur();
        t.kind == TokenKind::Ident && kws.contains(&self.text(t))
    }

    fn at_eof(&self) -> bool {
        self.at(TokenKind::Eof)
    }

    fn bump(&mut self) -> Token {
        let t = self.cur();
        if t.kind != TokenKind::Eof {
            self.pos += 1;
            self.prev_end = t.range.end();
        }
        t
    }

    fn eat(&mut self, kind: TokenKind) -> Option<Token> {
        if self.at(kind) {
            Some(self.bump())
        } else {
            None
        }
    }

    /// Range from `start` to the end of the last consumed token.
    fn range_from(&self, start: TextSize) -> TextRange {
        TextRange::new(start, self.prev_end.max(start))
    }

    /// Whether the current token may continue the expression being parsed: it is on the
    /// same line, or inside parentheses / brackets.
    fn continues(&self) -> bool {
        !self.cur().line_start || self.nest > 0
    }

    /// Run `f` inside parentheses or brackets (where newlines do not end expressions).
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.nest += 1;
        let no_call = std::mem::replace(&mut self.no_call, false);
        let r = f(self);
        self.no_call = no_call;
        self.nest -= 1;
        r
    }

    fn slice(&self, range: TextRange) -> &str {
        &self.src[range.to_range()]
    }

    // ----- diagnostics --------------------------------------------------------------

    /// Describe the current token for "found …" messages.
    fn found(&self) -> String {
        let t = self.cur();
        match t.kind {
            TokenKind::Ident | TokenKind::Arg => format!("`{}`", self.text(t)),
            TokenKind::Number => format!("number `{}`", self.text(t)),
            TokenKind::String => "a string".to_string(),
            k => k.describe().to_string(),
        }
    }

    fn push_error(&mut self, diag: Diagnostic) {
        let at = diag.primary_range().map(|r| r.start());
        if at.is_some() && at == self.last_error {
            return;
        }
        self.last_error = at;
        self.diags.push(diag);
    }

    /// "expected X, found Y" at the current token. In the middle of a statement, a token
    /// on the next line means this line ended early: then it points just after the last
    /// token and says "found end of line".
    fn error_expected(&mut self, what: &str) {
        let t = self.cur();
        if t.line_start && self.pos > self.stmt_start {
            let found = if t.kind == TokenKind::Eof {
                "end of file"
            } else {
                "end of line"
            };
            self.push_error(
                Diagnostic::error(format!("expected {what}, found {found}"))
                    .with_code(codes::EXPECTED)
                    .with_primary(
                        TextRange::empty(self.prev_end),
                        format!("expected {what} here"),
                    ),
            );
        } else {
            self.error_expected_at_token(what);
        }
    }

    /// "expected X, found Y" labelled at the current token, wherever it is.
    fn error_expected_at_token(&mut self, what: &str) {
        let t = self.cur();
        let found = self.found();
        let label = if t.kind == TokenKind::Eof {
            "file ends here".to_string()
        } else {
            format!("found {found}")
        };
        self.push_error(
            Diagnostic::error(format!("expected {what}, found {found}"))
                .with_code(codes::EXPECTED)
                .with_primary(t.range, label),
        );
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> Option<Token> {
        if let Some(t) = self.eat(kind) {
            Some(t)
        } else {
            self.error_expected(what);
            None
        }
    }

    /// Expect a closing `)` / `]`, with a secondary label at its opening token.
    fn expect_close(&mut self, kind: TokenKind, what: &str, open: Token, msg: &str) -> bool {
        if self.eat(kind).is_some() {
            return true;
        }
        self.error_expected(what);
        self.secondary_on_last(open.range, msg);
        false
    }

    fn secondary_on_last(&mut self, range: TextRange, msg: &str) {
        if let Some(d) = self.diags.last_mut()
            && !d.labels.iter().any(|l| l.range == range)
        {
            d.labels.push(Label::secondary(range, msg));
        }
    }

    fn note_on_last(&mut self, note: &str) {
        if let Some(d) = self.diags.last_mut()
            && d.notes.is_empty()
        {
            d.notes.push(note.to_string());
        }
    }

    /// A name that is not a keyword.
    fn expect_name(&mut self, what: &str) -> Option<Name> {
        if self.at(TokenKind::Ident) && !self.at_any_kw(KEYWORDS) {
            Some(self.name())
        } else {
            self.error_expected(what);
            None
        }
    }

    fn name(&mut self) -> Name {
        let t = self.bump();
        Name {
            text: self.text(t).to_string(),
            range: t.range,
        }
    }

    fn misplaced(&mut self, range: TextRange, msg: String, label: &str) {
        self.push_error(
            Diagnostic::error(msg)
                .with_code(codes::MISPLACED)
                .with_primary(range, label),
        );
    }

    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            if !self.too_deep_reported {
                self.too_deep_reported = true;
                let r = self.cur().range;
                self.push_error(
                    Diagnostic::error("nesting is too deep")
                        .with_code(codes::TOO_DEEP)
                        .with_primary(r, format!("more than {MAX_DEPTH} levels of nesting")),
                );
            }
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ----- recovery -----------------------------------------------------------------

    /// Skip to the start of the next line, a `;`, or a `}` closing the current block.
    /// `{ … }` groups on the way are skipped whole.
    fn recover_stmt(&mut self) {
        let start = self.pos;
        loop {
            let t = self.cur();
            match t.kind {
                TokenKind::Eof | TokenKind::RBrace | TokenKind::Semi => return,
                _ if t.line_start && (self.pos > start || self.pos != self.stmt_start) => return,
                TokenKind::LBrace => self.skip_group(),
                _ => {
                    self.bump();
                }
            }
        }
    }

    /// Skip a balanced `{ … }` group (stopping early at a definition keyword that starts
    /// a line, which means a `}` is missing).
    fn skip_group(&mut self) {
        self.bump();
        let mut depth = 1u32;
        while depth > 0 && !self.at_eof() {
            if self.cur().line_start && self.at_any_kw(DEFINITION_KEYWORDS) {
                return;
            }
            match self.bump().kind {
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => depth -= 1,
                _ => {}
            }
        }
    }

    fn error_stmt(&self) -> Stmt {
        Stmt {
            kind: StmtKind::Error,
            range: TextRange::empty(self.prev_end),
        }
    }

    // ----- statement lists ----------------------------------------------------------

    fn stmts(&mut self, ctx: ListCtx) -> Vec<Stmt> {
        let mut out: Vec<Stmt> = Vec::new();
        // The previous statement, when nothing separates it from the current token.
        let mut prev: Option<TextRange> = None;
        loop {
            let t = self.cur();
            if t.line_start {
                prev = None;
            }
            match t.kind {
                TokenKind::Semi => {
                    self.bump();
                    prev = None;
                    continue;
                }
                TokenKind::RBrace => {
                    if matches!(ctx, ListCtx::Block { .. }) {
                        self.bump();
                        return out;
                    }
                    self.bump();
                    self.push_error(
                        Diagnostic::error("unexpected `}`: no block is open")
                            .with_code(codes::STRAY)
                            .with_primary(t.range, "nothing to close"),
                    );
                    prev = None;
                    continue;
                }
                TokenKind::Eof => {
                    match &ctx {
                        ListCtx::File => {}
                        ListCtx::Template { begin, name } => {
                            self.unclosed_template(*begin, &name.text);
                        }
                        ListCtx::Block { open } => self.unclosed_block(*open),
                    }
                    return out;
                }
                _ => {}
            }
            if self.at_kw("endtemplate") {
                match &ctx {
                    ListCtx::File => {
                        let kw = self.bump();
                        if self.at(TokenKind::Ident) && !self.cur().line_start {
                            self.bump();
                        }
                        self.push_error(
                            Diagnostic::error("`endtemplate` without a matching `begintemplate`")
                                .with_code(codes::STRAY)
                                .with_primary(kw.range, "no template is open"),
                        );
                        prev = None;
                        continue;
                    }
                    ListCtx::Template { name, .. } => {
                        self.end_template(name);
                        return out;
                    }
                    ListCtx::Block { open } => {
                        self.unclosed_block(*open);
                        return out;
                    }
                }
            }
            if let ListCtx::Block { open } = &ctx
                && self.at_any_kw(DEFINITION_KEYWORDS)
            {
                self.unclosed_block(*open);
                return out;
            }
            self.stmt_start = self.pos;
            if let Some(prev_range) = prev
                && !matches!(
                    t.kind,
                    TokenKind::Ident | TokenKind::LBrace | TokenKind::Arg
                )
            {
                let found = self.found();
                self.push_error(
                    Diagnostic::error(format!("unexpected {found} after the end of a statement"))
                        .with_code(codes::TRAILING)
                        .with_primary(t.range, "expected a new statement, `;` or a line break")
                        .with_secondary(prev_range, "this statement is complete"),
                );
                self.recover_stmt();
                prev = None;
                continue;
            }
            let before = self.pos;
            self.defs_ok = !matches!(ctx, ListCtx::Block { .. });
            let s = self.stmt();
            prev = Some(s.range);
            out.push(s);
            if self.pos == before {
                self.bump();
                prev = None;
            }
        }
    }

    fn unclosed_block(&mut self, open: Token) {
        let t = self.cur();
        let found = self.found();
        let label = if t.kind == TokenKind::Eof {
            "file ends here".to_string()
        } else {
            format!("expected `}}` before {found}")
        };
        self.push_error(
            Diagnostic::error(format!("unclosed block: expected `}}`, found {found}"))
                .with_code(codes::UNCLOSED)
                .with_primary(open.range, "this `{` is never closed")
                .with_secondary(t.range, label),
        );
    }

    fn unclosed_template(&mut self, begin: TextRange, name: &str) {
        let t = self.cur();
        self.push_error(
            Diagnostic::error(format!(
                "expected `endtemplate {name}` to close the template"
            ))
            .with_code(codes::UNCLOSED)
            .with_primary(begin, format!("template `{name}` is never closed"))
            .with_secondary(t.range, "file ends here"),
        );
    }

    /// At `endtemplate` closing the template `name`.
    fn end_template(&mut self, name: &Name) {
        let kw = self.bump();
        if self.at(TokenKind::Ident) && !self.cur().line_start {
            let end = self.name();
            if end.text != name.text && !name.text.is_empty() {
                self.push_error(
                    Diagnostic::error(format!(
                        "`endtemplate {}` does not match `begintemplate {}`",
                        end.text, name.text
                    ))
                    .with_code(codes::TEMPLATE_MISMATCH)
                    .with_primary(end.range, format!("expected `{}`", name.text))
                    .with_secondary(name.range, "template begins here"),
                );
            }
        } else {
            self.push_error(
                Diagnostic::error(format!(
                    "expected the template name after `endtemplate`, found {}",
                    if self.cur().line_start {
                        "end of line".to_string()
                    } else {
                        self.found()
                    }
                ))
                .with_code(codes::EXPECTED)
                .with_primary(kw.range, format!("expected `endtemplate {}`", name.text)),
            );
        }
    }

    // ----- statements ---------------------------------------------------------------

    fn stmt(&mut self) -> Stmt {
        let start = self.cur().range.start();
        if !self.enter() {
            if self.at(TokenKind::LBrace) {
                self.skip_group();
            } else {
                self.recover_stmt();
            }
            return Stmt {
                kind: StmtKind::Error,
                range: self.range_from(start),
            };
        }
        let kind = self.stmt_kind();
        self.leave();
        Stmt {
            kind,
            range: self.range_from(start),
        }
    }

    /// A statement nested in another one (`if (c) stmt`, `sec stmt`, …).
    fn body_stmt(&mut self, after: &str) -> Box<Stmt> {
        if matches!(
            self.kind(),
            TokenKind::RBrace | TokenKind::Eof | TokenKind::Semi
        ) || self.at_any_kw(&["else", "endtemplate"])
        {
            self.error_expected_at_token(&format!("a statement after {after}"));
            return Box::new(self.error_stmt());
        }
        self.defs_ok = false;
        Box::new(self.stmt())
    }

    fn stmt_kind(&mut self) -> StmtKind {
        let t = self.cur();
        match t.kind {
            TokenKind::LBrace => {
                let open = self.bump();
                StmtKind::Block(self.stmts(ListCtx::Block { open }))
            }
            TokenKind::Ident => {
                let kw = self.text(t).to_string();
                self.keyword_stmt(&kw)
            }
            TokenKind::Arg
            | TokenKind::Number
            | TokenKind::String
            | TokenKind::LParen
            | TokenKind::Minus
            | TokenKind::Bang
            | TokenKind::Amp => self.expr_stmt(),
            _ => {
                let found = self.found();
                self.push_error(
                    Diagnostic::error(format!("expected a statement, found {found}"))
                        .with_code(codes::EXPECTED)
                        .with_primary(t.range, "not the start of a statement"),
                );
                self.recover_stmt();
                StmtKind::Error
            }
        }
    }

    fn keyword_stmt(&mut self, kw: &str) -> StmtKind {
        let t = self.cur();
        match kw {
            "if" => self.if_stmt(),
            "else" => {
                self.bump();
                self.push_error(
                    Diagnostic::error("`else` without a preceding `if`")
                        .with_code(codes::STRAY)
                        .with_primary(t.range, "no `if` statement ends right before this"),
                );
                self.recover_stmt();
                StmtKind::Error
            }
            "while" => {
                self.bump();
                let Some(cond) = self.paren_cond("while") else {
                    self.recover_stmt();
                    return StmtKind::Error;
                };
                let body = self.body_stmt("`while (…)`");
                StmtKind::While { cond, body }
            }
            "for" => self.for_stmt(),
            "break" => {
                self.bump();
                StmtKind::Break
            }
            "continue" => {
                self.bump();
                StmtKind::Continue
            }
            "stop" => {
                self.bump();
                StmtKind::Stop
            }
            "return" => {
                self.bump();
                if !self.in_func {
                    self.misplaced(
                        t.range,
                        "`return` outside a proc, func or obfunc".to_string(),
                        "not inside a definition",
                    );
                }
                if self.continues() && self.can_start_expr() {
                    match self.expr() {
                        Some(e) => StmtKind::Return(Some(e)),
                        None => {
                            self.recover_stmt();
                            StmtKind::Error
                        }
                    }
                } else {
                    StmtKind::Return(None)
                }
            }
            "create" => self.decl_stmt(kw, true, StmtKind::Create),
            "objref" | "objectvar" => self.decl_stmt(kw, true, StmtKind::Objref),
            "strdef" => self.decl_stmt(kw, false, StmtKind::Strdef),
            "double" => self.decl_stmt(kw, true, StmtKind::Double),
            "local" => {
                self.check_in_func(t);
                self.decl_stmt(kw, true, StmtKind::Local)
            }
            "localobj" => {
                self.check_in_func(t);
                self.names_stmt(kw, StmtKind::LocalObj)
            }
            "public" | "external" => {
                if !self.in_template {
                    self.misplaced(
                        t.range,
                        format!("`{kw}` outside a template"),
                        "only valid between `begintemplate` and `endtemplate`",
                    );
                }
                if kw == "public" {
                    self.names_stmt(kw, StmtKind::Public)
                } else {
                    self.names_stmt(kw, StmtKind::External)
                }
            }
            "access" => {
                self.bump();
                if !self.continues() {
                    self.error_expected("a section after `access`");
                    self.recover_stmt();
                    return StmtKind::Error;
                }
                match self.postfix() {
                    Some(e) if is_reference(&e) => StmtKind::Access(e),
                    Some(e) => {
                        self.push_error(
                            Diagnostic::error("expected a section after `access`")
                                .with_code(codes::EXPECTED)
                                .with_primary(e.range, "not a section"),
                        );
                        StmtKind::Error
                    }
                    None => {
                        self.recover_stmt();
                        StmtKind::Error
                    }
                }
            }
            "connect" => self.connect_stmt(),
            "insert" | "uninsert" => {
                self.bump();
                if self.continues()
                    && let Some(name) = self.expect_name(&format!("a mechanism name after `{kw}`"))
                {
                    if kw == "insert" {
                        StmtKind::Insert(name)
                    } else {
                        StmtKind::Uninsert(name)
                    }
                } else {
                    if !self.continues() {
                        self.error_expected(&format!("a mechanism name after `{kw}`"));
                    }
                    self.recover_stmt();
                    StmtKind::Error
                }
            }
            "print" => {
                self.bump();
                let mut items = Vec::new();
                loop {
                    if (items.is_empty() && !self.continues()) || !self.can_start_expr() {
                        self.error_expected("an expression to print");
                        self.recover_stmt();
                        return StmtKind::Error;
                    }
                    match self.expr() {
                        Some(e) => items.push(e),
                        None => {
                            self.recover_stmt();
                            return StmtKind::Error;
                        }
                    }
                    if self.eat(TokenKind::Comma).is_none() {
                        break;
                    }
                }
                StmtKind::Print(items)
            }
            "forall" => {
                self.bump();
                StmtKind::Forall(self.body_stmt("`forall`"))
            }
            "forsec" | "ifsec" => {
                self.bump();
                if !self.continues() {
                    self.error_expected(&format!("a section name pattern or list after `{kw}`"));
                    self.recover_stmt();
                    return StmtKind::Error;
                }
                let Some(target) = self.postfix() else {
                    self.recover_stmt();
                    return StmtKind::Error;
                };
                let body = self.body_stmt(&format!("`{kw} {}`", self.slice(target.range)));
                if kw == "forsec" {
                    StmtKind::Forsec { target, body }
                } else {
                    StmtKind::Ifsec {
                        pattern: target,
                        body,
                    }
                }
            }
            "proc" => self.func_def(FuncKind::Proc),
            "func" => self.func_def(FuncKind::Func),
            "obfunc" => self.func_def(FuncKind::Obfunc),
            "begintemplate" => self.template(),
            "endtemplate" => {
                self.bump();
                self.push_error(
                    Diagnostic::error("`endtemplate` without a matching `begintemplate`")
                        .with_code(codes::STRAY)
                        .with_primary(t.range, "no template is open here"),
                );
                self.recover_stmt();
                StmtKind::Error
            }
            "iterator" | "iterator_statement" | "setpointer" | "delete" => {
                self.bump();
                self.push_error(
                    Diagnostic::error(format!("`{kw}` is not supported"))
                        .with_code(codes::UNSUPPORTED)
                        .with_primary(t.range, "not supported by Ranvier's hoc"),
                );
                if self.at(TokenKind::Ident) && !self.cur().line_start {
                    self.bump();
                }
                if self.at(TokenKind::LParen) {
                    self.bump();
                    self.eat(TokenKind::RParen);
                }
                if self.at(TokenKind::LBrace) {
                    self.skip_group();
                }
                self.recover_stmt();
                StmtKind::Error
            }
            _ => self.expr_stmt(),
        }
    }

    fn check_in_func(&mut self, t: Token) {
        if !self.in_func {
            let kw = self.text(t).to_string();
            self.misplaced(
                t.range,
                format!("`{kw}` outside a proc, func or obfunc"),
                "not inside a definition",
            );
        }
    }

    /// Whether the current token can start an expression.
    fn can_start_expr(&self) -> bool {
        match self.kind() {
            TokenKind::Number
            | TokenKind::String
            | TokenKind::Arg
            | TokenKind::LParen
            | TokenKind::Minus
            | TokenKind::Bang
            | TokenKind::Amp => true,
            TokenKind::Ident => self.at_kw("new") || !self.at_any_kw(KEYWORDS),
            _ => false,
        }
    }

    /// An expression statement, a taper, or a section statement `sec stmt`.
    fn expr_stmt(&mut self) -> StmtKind {
        if self.at_taper() {
            return self.taper_stmt();
        }
        let Some(e) = self.expr() else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        let next = self.cur();
        // `sr.sec stmt`, `sr.child[i] { ... }`: the sections a SectionRef names.
        let sectionref =
            is_sectionref_section(&e) && (next.kind == TokenKind::LBrace || !next.line_start);
        let is_section = sectionref || final_name(&e).is_some_and(|n| self.sections.contains(n));
        if !is_section {
            return StmtKind::Expr(e);
        }
        if next.kind == TokenKind::LBrace
            || (next.kind == TokenKind::Ident && !self.at_any_kw(&["else", "endtemplate"]))
        {
            let body = self.body_stmt("the section");
            return StmtKind::SecStmt { sec: e, body };
        }
        let what = format!("a statement to run in section `{}`", self.slice(e.range));
        self.error_expected_at_token(&what);
        self.note_on_last(
            "a section name followed by a statement makes it the current section for that \
             statement, e.g. `soma { insert hh }`",
        );
        StmtKind::Expr(e)
    }

    /// Whether the statement here is a taper: a reference (`diam`, `dend[1].diam`)
    /// whose first parentheses, on this line, hold a `:` outside any inner brackets.
    fn at_taper(&self) -> bool {
        let toks = &self.toks;
        let is_name = |t: &Token| {
            t.kind == TokenKind::Ident && !KEYWORDS.contains(&&self.src[t.range.to_range()])
        };
        if !toks.get(self.pos).is_some_and(is_name) {
            return false;
        }
        let mut i = self.pos + 1;
        // Members and indices up to the first `(`.
        loop {
            let Some(t) = toks.get(i) else {
                return false;
            };
            if t.line_start {
                return false;
            }
            match t.kind {
                TokenKind::Dot => {
                    if !toks.get(i + 1).is_some_and(|n| is_name(n) && !n.line_start) {
                        return false;
                    }
                    i += 2;
                }
                TokenKind::LBracket => {
                    let mut depth = 0u32;
                    loop {
                        let Some(t) = toks.get(i) else {
                            return false;
                        };
                        match t.kind {
                            TokenKind::LBracket => depth += 1,
                            TokenKind::RBracket => depth -= 1,
                            TokenKind::Eof
                            | TokenKind::LBrace
                            | TokenKind::RBrace
                            | TokenKind::Semi => return false,
                            _ => {}
                        }
                        i += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                }
                TokenKind::LParen => break,
                _ => return false,
            }
        }
        let mut depth = 0u32;
        for t in &toks[i..] {
            match t.kind {
                TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RParen | TokenKind::RBracket => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return false;
                    }
                }
                TokenKind::Colon if depth == 1 => return true,
                TokenKind::Eof | TokenKind::LBrace | TokenKind::RBrace | TokenKind::Semi => {
                    return false;
                }
                _ => {}
            }
        }
        false
    }

    /// `rangevar(x1:x2) op y1:y2` (the caller checked [`Self::at_taper`]).
    fn taper_stmt(&mut self) -> StmtKind {
        match self.taper() {
            Some(t) => StmtKind::Taper(Box::new(t)),
            None => {
                self.recover_stmt();
                StmtKind::Error
            }
        }
    }

    fn taper(&mut self) -> Option<Taper> {
        let saved = std::mem::replace(&mut self.no_call, true);
        let var = self.postfix();
        self.no_call = saved;
        let var = var?;
        let is_range_var = match &var.kind {
            ExprKind::Name(n) => !self.sections.contains(&n.text),
            ExprKind::Member(base, _) => {
                matches!(base.kind, ExprKind::Name(_) | ExprKind::Index(..))
            }
            _ => false,
        };
        if !is_range_var {
            self.push_error(
                Diagnostic::error("expected a range variable before `(x1:x2)`")
                    .with_code(codes::BAD_TARGET)
                    .with_primary(var.range, "not a range variable")
                    .with_note(
                        "a taper is written `rangevar(x1:x2) = y1:y2` or \
                         `sec.rangevar(x1:x2) = y1:y2`, e.g. `diam(0:1) = 2:1`",
                    ),
            );
            return None;
        }
        let open = self.expect(TokenKind::LParen, "`(` after the range variable")?;
        let (x1, x2) = self.nested(|p| {
            let x1 = p.expr()?;
            p.expect(TokenKind::Colon, "`:` between the two locations")?;
            let x2 = p.expr()?;
            p.expect_close(
                TokenKind::RParen,
                "`)` after the two locations",
                open,
                "opened here",
            )
            .then_some((x1, x2))
        })?;
        let shown = self.slice(var.range).to_string();
        let op = if self.continues() {
            self.assign_op()
        } else {
            None
        };
        let Some(op) = op else {
            self.error_expected(&format!("`=` after `{shown}(…:…)`"));
            self.note_on_last("a taper assigns two values: `diam(0:1) = 2:1`");
            return None;
        };
        self.bump();
        let y1 = self.expr()?;
        if !self.continues() || self.eat(TokenKind::Colon).is_none() {
            self.error_expected("`:` between the two values of the taper");
            self.note_on_last("a taper assigns two values: `diam(0:1) = 2:1`");
            return None;
        }
        // As in NEURON, the second value must follow on the same line.
        if !self.continues() {
            self.error_expected("the second value of the taper after `:`");
            return None;
        }
        let y2 = self.expr()?;
        Some(Taper {
            var,
            op,
            x1,
            x2,
            y1,
            y2,
        })
    }

    fn names_stmt(&mut self, kw: &str, make: fn(Vec<Name>) -> StmtKind) -> StmtKind {
        self.bump();
        let mut names = Vec::new();
        let mut after = format!("`{kw}`");
        loop {
            if !self.continues() && after != "`,`" {
                self.error_expected(&format!("a name after {after}"));
                self.recover_stmt();
                return StmtKind::Error;
            }
            let Some(n) = self.expect_name(&format!("a name after {after}")) else {
                self.recover_stmt();
                return StmtKind::Error;
            };
            names.push(n);
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
            after = "`,`".to_string();
        }
        make(names)
    }

    /// `kw a, b[n], …`
    fn decl_stmt(&mut self, kw: &str, dims_ok: bool, make: fn(Vec<Decl>) -> StmtKind) -> StmtKind {
        self.bump();
        let mut decls = Vec::new();
        let mut after = format!("`{kw}`");
        loop {
            if !self.continues() && after != "`,`" {
                self.error_expected(&format!("a name after {after}"));
                self.recover_stmt();
                return StmtKind::Error;
            }
            let Some(name) = self.expect_name(&format!("a name after {after}")) else {
                self.recover_stmt();
                return StmtKind::Error;
            };
            let mut dims = Vec::new();
            while self.at(TokenKind::LBracket) && self.continues() {
                let open = self.bump();
                let dim = self.nested(|p| {
                    let e = p.expr()?;
                    p.expect_close(
                        TokenKind::RBracket,
                        "`]` after the dimension",
                        open,
                        "`[` opened here",
                    )
                    .then_some(e)
                });
                let Some(dim) = dim else {
                    self.recover_stmt();
                    return StmtKind::Error;
                };
                dims.push(dim);
            }
            if !dims_ok && let Some(first) = dims.first() {
                let range = first.range;
                self.push_error(
                    Diagnostic::error(format!("`{kw}` names cannot have array dimensions"))
                        .with_code(codes::EXPECTED)
                        .with_primary(range, "dimension not allowed here"),
                );
                dims.clear();
            }
            decls.push(Decl { name, dims });
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
            after = "`,`".to_string();
        }
        make(decls)
    }

    /// `( cond )` after `if` / `while`.
    fn paren_cond(&mut self, kw: &str) -> Option<Expr> {
        if !self.continues() {
            self.error_expected(&format!("`(` after `{kw}`"));
            return None;
        }
        let open = self.expect(TokenKind::LParen, &format!("`(` after `{kw}`"))?;
        self.nested(|p| {
            let cond = p.expr()?;
            p.expect_close(
                TokenKind::RParen,
                &format!("`)` to close the `{kw}` condition"),
                open,
                "condition opened here",
            )
            .then_some(cond)
        })
    }

    fn if_stmt(&mut self) -> StmtKind {
        self.bump();
        let Some(cond) = self.paren_cond("if") else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        let then = self.body_stmt("`if (…)`");
        // `if (c) a = 1; else a = 2`
        if self.at(TokenKind::Semi) && {
            let next = self.toks[(self.pos + 1).min(self.toks.len() - 1)];
            next.kind == TokenKind::Ident && self.text(next) == "else"
        } {
            self.bump();
        }
        let otherwise = if self.at_kw("else") {
            self.bump();
            Some(self.body_stmt("`else`"))
        } else {
            None
        };
        StmtKind::If {
            cond,
            then,
            otherwise,
        }
    }

    fn for_stmt(&mut self) -> StmtKind {
        let kw = self.bump();
        if !self.continues() {
            self.error_expected("a loop variable or `(` after `for`");
            self.recover_stmt();
            return StmtKind::Error;
        }
        if let Some(open) = self.eat(TokenKind::LParen) {
            let header = self.nested(|p| p.for_header(open));
            return match header {
                Some(ForHead::C((init, cond, step))) => {
                    let body = self.body_stmt("`for (…)`");
                    StmtKind::For {
                        init,
                        cond,
                        step,
                        body,
                    }
                }
                Some(ForHead::Seg(var, ends)) => {
                    let body = self.body_stmt(&format!("`for ({} …)`", var.text));
                    StmtKind::ForSeg { var, ends, body }
                }
                None => {
                    self.recover_stmt();
                    StmtKind::Error
                }
            };
        }
        // for i = a, b stmt
        if !self.at(TokenKind::Ident) || self.at_any_kw(KEYWORDS) {
            self.error_expected("a loop variable or `(` after `for`");
            self.recover_stmt();
            return StmtKind::Error;
        }
        let Some(var) = self.postfix() else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        if matches!(var.kind, ExprKind::Call(..))
            || (matches!(var.kind, ExprKind::Member(..)) && self.at(TokenKind::LBrace))
        {
            self.push_error(
                Diagnostic::error("iterator loops `for iter(…) stmt` are not supported")
                    .with_code(codes::UNSUPPORTED)
                    .with_primary(kw.range.cover(var.range), "iterator loop")
                    .with_note("write `for (init; cond; step)` or `for i = a, b`"),
            );
            self.recover_stmt();
            return StmtKind::Error;
        }
        if !matches!(
            var.kind,
            ExprKind::Name(_) | ExprKind::Index(..) | ExprKind::Member(..)
        ) {
            self.push_error(
                Diagnostic::error("expected a loop variable after `for`")
                    .with_code(codes::EXPECTED)
                    .with_primary(var.range, "not a variable"),
            );
            self.recover_stmt();
            return StmtKind::Error;
        }
        if !self.continues() || self.eat(TokenKind::Eq).is_none() {
            self.error_expected("`=` after the loop variable");
            self.note_on_last(
                "the forms are `for i = a, b stmt` and `for (init; cond; step) stmt`",
            );
            self.recover_stmt();
            return StmtKind::Error;
        }
        let Some(from) = self.binary(0) else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        if !self.continues() || self.eat(TokenKind::Comma).is_none() {
            self.error_expected("`,` between the loop bounds");
            self.recover_stmt();
            return StmtKind::Error;
        }
        let Some(to) = self.binary(0) else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        let head = self
            .slice(TextRange::new(kw.range.start(), self.prev_end))
            .to_string();
        let body = self.body_stmt(&format!("`{head}`"));
        StmtKind::ForRange {
            var,
            from,
            to,
            body,
        }
    }

    /// `init; cond; step)`, `x)` or `x, ends)` after `for (`.
    fn for_header(&mut self, open: Token) -> Option<ForHead> {
        let init = self.optional_expr(TokenKind::Semi)?;
        if matches!(self.kind(), TokenKind::RParen | TokenKind::Comma) {
            // A segment loop: `for (x)` or `for (x, 0)`.
            let var = match init {
                Some(Expr {
                    kind: ExprKind::Name(n),
                    ..
                }) => n,
                other => {
                    let range = other.map_or(self.cur().range, |e| e.range);
                    self.push_error(
                        Diagnostic::error("expected a variable name in the segment loop `for (x)`")
                            .with_code(codes::EXPECTED)
                            .with_primary(range, "not a plain variable name")
                            .with_note(
                                "`for (x) stmt` runs `stmt` with `x` at 0, each segment centre \
                                 and 1 of the current section; `for (x, 0) stmt` at the \
                                 centres only",
                            ),
                    );
                    return None;
                }
            };
            let ends = if self.eat(TokenKind::Comma).is_some() {
                Some(self.expr()?)
            } else {
                None
            };
            self.close_header(
                TokenKind::RParen,
                "`)` to close the segment loop header",
                open,
            )?;
            return Some(ForHead::Seg(var, ends));
        }
        self.close_header(TokenKind::Semi, "`;` after the loop initialisation", open)?;
        let cond = self.optional_expr(TokenKind::Semi)?;
        self.close_header(TokenKind::Semi, "`;` after the loop condition", open)?;
        let step = self.optional_expr(TokenKind::RParen)?;
        self.close_header(TokenKind::RParen, "`)` to close the loop header", open)?;
        Some(ForHead::C((init, cond, step)))
    }

    /// An expression, or nothing when the next token is `end` (parts of a `for` header).
    fn optional_expr(&mut self, end: TokenKind) -> Option<Option<Expr>> {
        if self.at(end) {
            Some(None)
        } else {
            self.expr().map(Some)
        }
    }

    /// The separator `kind` of a `for` header opened at `open`.
    fn close_header(&mut self, kind: TokenKind, what: &str, open: Token) -> Option<()> {
        self.expect_close(kind, what, open, "loop header opened here")
            .then_some(())
    }

    /// `connect child[(x)], parent(x)` or `connect child[(x)], x`.
    fn connect_stmt(&mut self) -> StmtKind {
        self.bump();
        if !self.continues() {
            self.error_expected("a section after `connect`");
            self.recover_stmt();
            return StmtKind::Error;
        }
        let saved = self.sec_call;
        self.sec_call = true;
        let parsed = self.connect_parts();
        self.sec_call = saved;
        match parsed {
            Some(c) => StmtKind::Connect(c),
            None => {
                self.recover_stmt();
                StmtKind::Error
            }
        }
    }

    fn connect_parts(&mut self) -> Option<Connect> {
        let first = self.postfix()?;
        let (child, child_x) = match first {
            Expr {
                kind: ExprKind::Call(callee, mut args),
                range,
            } => {
                if args.len() != 1 {
                    self.push_error(
                        Diagnostic::error(format!(
                            "expected one location in `{}(…)`, found {} arguments",
                            self.slice(callee.range),
                            args.len()
                        ))
                        .with_code(codes::EXPECTED)
                        .with_primary(range, "the child end is 0 or 1"),
                    );
                    return None;
                }
                (*callee, args.pop())
            }
            e if is_reference(&e) => (e, None),
            e => {
                self.push_error(
                    Diagnostic::error("expected a section after `connect`")
                        .with_code(codes::EXPECTED)
                        .with_primary(e.range, "not a section"),
                );
                return None;
            }
        };
        if !self.continues() || self.eat(TokenKind::Comma).is_none() {
            self.error_expected("`,` after the child section");
            self.note_on_last(
                "the forms are `connect child(0), parent(1)` and `connect child(0), 1`",
            );
            return None;
        }
        let second = self.binary(0)?;
        // `parent(x)`: a one-argument call of a section reference. Any other expression
        // is the location on the current section.
        let (parent, parent_x) = match second.kind {
            ExprKind::Call(callee, mut args)
                if args.len() == 1
                    && matches!(
                        callee.kind,
                        ExprKind::Name(_) | ExprKind::Index(..) | ExprKind::Member(..)
                    ) =>
            {
                let x = args.pop()?;
                (Some(*callee), x)
            }
            kind => (
                None,
                Expr {
                    kind,
                    range: second.range,
                },
            ),
        };
        Some(Connect {
            child,
            child_x,
            parent,
            parent_x,
        })
    }

    fn func_def(&mut self, kind: FuncKind) -> StmtKind {
        let kw_tok = self.bump();
        let kw = func_kind_keyword(kind);
        if !self.defs_ok || self.in_func {
            self.misplaced(
                kw_tok.range,
                format!("`{kw}` definitions are only allowed at file or template level"),
                "definition inside a statement",
            );
        }
        let Some(name) = self.expect_name(&format!("a name after `{kw}`")) else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        let what = format!("`{kw} {}`", name.text);
        if let Some(open) = self.eat(TokenKind::LParen) {
            if self.eat(TokenKind::RParen).is_none() {
                self.error_expected(&format!("`)` after `{kw} {}(`", name.text));
                self.secondary_on_last(open.range, "opened here");
                self.note_on_last(
                    "hoc definitions have no parameter list: arguments are read as `$1`, `$o2`, …",
                );
                // Skip to the `)` or `{` on this line.
                let mut skipped = false;
                while !(self.at_eof()
                    || self.at(TokenKind::LBrace)
                    || (skipped && self.cur().line_start))
                {
                    skipped = true;
                    if self.bump().kind == TokenKind::RParen {
                        break;
                    }
                }
            }
        } else {
            self.error_expected(&format!("`()` after {what}"));
        }
        let Some(open) = self.eat(TokenKind::LBrace) else {
            self.error_expected_at_token(&format!("`{{` to open the body of {what}"));
            self.recover_stmt();
            return StmtKind::Error;
        };
        let saved = self.in_func;
        self.in_func = true;
        let body = self.stmts(ListCtx::Block { open });
        self.in_func = saved;
        StmtKind::Func(FuncDef { kind, name, body })
    }

    fn template(&mut self) -> StmtKind {
        let kw = self.bump();
        if !self.defs_ok || self.in_func {
            self.misplaced(
                kw.range,
                "templates can only begin at file or template level".to_string(),
                "`begintemplate` inside another construct",
            );
        }
        let name = if self.at(TokenKind::Ident) && !self.cur().line_start {
            self.name()
        } else {
            self.error_expected("a template name after `begintemplate`");
            Name {
                text: String::new(),
                range: kw.range,
            }
        };
        let saved = self.in_template;
        self.in_template = true;
        let begin = kw.range.cover(name.range);
        let body = self.stmts(ListCtx::Template {
            begin,
            name: name.clone(),
        });
        self.in_template = saved;
        StmtKind::Template { name, body }
    }

    // ----- expressions --------------------------------------------------------------

    /// A full expression, assignments included.
    fn expr(&mut self) -> Option<Expr> {
        if !self.enter() {
            return None;
        }
        let r = self.assign_expr();
        self.leave();
        r
    }

    fn assign_op(&self) -> Option<AssignOp> {
        Some(match self.kind() {
            TokenKind::Eq => AssignOp::Set,
            TokenKind::PlusEq => AssignOp::Add,
            TokenKind::MinusEq => AssignOp::Sub,
            TokenKind::StarEq => AssignOp::Mul,
            TokenKind::SlashEq => AssignOp::Div,
            _ => return None,
        })
    }

    fn assign_expr(&mut self) -> Option<Expr> {
        let lhs = self.binary(0)?;
        let Some(op) = self.assign_op() else {
            return Some(lhs);
        };
        if !self.continues() {
            return Some(lhs);
        }
        let op_tok = self.bump();
        if !is_reference(&lhs) {
            let spans_lines = self.slice(lhs.range).contains(['\n', '\r']);
            self.push_error(
                Diagnostic::error("invalid assignment target")
                    .with_code(codes::BAD_TARGET)
                    .with_primary(lhs.range, "cannot assign to this")
                    .with_secondary(op_tok.range, "assignment here")
                    .with_note(
                        "the left side must be a variable, `a[i]`, `obj.x`, `$1` or a range \
                         variable at a location such as `diam(0.5)`",
                    ),
            );
            if spans_lines && let Some(d) = self.diags.last_mut() {
                d.notes.push(
                    "a line that ends with an operator continues on the next line".to_string(),
                );
            }
        }
        let value = self.expr()?;
        let range = lhs.range.cover(value.range);
        Some(Expr {
            kind: ExprKind::Assign {
                op,
                target: Box::new(lhs),
                value: Box::new(value),
            },
            range,
        })
    }

    fn binop(&self) -> Option<(BinOp, u8, u8)> {
        // (op, left binding power, right binding power)
        Some(match self.kind() {
            TokenKind::OrOr => (BinOp::Or, 1, 2),
            TokenKind::AndAnd => (BinOp::And, 3, 4),
            TokenKind::EqEq => (BinOp::Eq, 5, 6),
            TokenKind::Ne => (BinOp::Ne, 5, 6),
            TokenKind::Lt => (BinOp::Lt, 7, 8),
            TokenKind::Gt => (BinOp::Gt, 7, 8),
            TokenKind::Le => (BinOp::Le, 7, 8),
            TokenKind::Ge => (BinOp::Ge, 7, 8),
            TokenKind::Plus => (BinOp::Add, 9, 10),
            TokenKind::Minus => (BinOp::Sub, 9, 10),
            TokenKind::Star => (BinOp::Mul, 11, 12),
            TokenKind::Slash => (BinOp::Div, 11, 12),
            TokenKind::Percent => (BinOp::Rem, 11, 12),
            // Unary operators bind at 13; `^` is tighter and right-associative.
            TokenKind::Caret => (BinOp::Pow, 15, 15),
            _ => return None,
        })
    }

    /// A binary expression whose operators bind at least as tightly as `min_bp`.
    fn binary(&mut self, min_bp: u8) -> Option<Expr> {
        if !self.enter() {
            return None;
        }
        let r = self.binary_inner(min_bp);
        self.leave();
        r
    }

    fn binary_inner(&mut self, min_bp: u8) -> Option<Expr> {
        let mut lhs = self.unary()?;
        while let Some((op, lbp, rbp)) = self.binop() {
            if lbp < min_bp || !self.continues() {
                break;
            }
            self.bump();
            let rhs = self.binary(rbp)?;
            let range = lhs.range.cover(rhs.range);
            lhs = Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                range,
            };
        }
        Some(lhs)
    }

    fn unary(&mut self) -> Option<Expr> {
        let t = self.cur();
        let op = match t.kind {
            TokenKind::Minus => UnOp::Neg,
            TokenKind::Bang => UnOp::Not,
            _ => return self.postfix(),
        };
        self.bump();
        let operand = self.binary(13)?;
        let range = t.range.cover(operand.range);
        Some(Expr {
            kind: ExprKind::Unary(op, Box::new(operand)),
            range,
        })
    }

    /// A primary expression followed by calls, indexing and member accesses.
    fn postfix(&mut self) -> Option<Expr> {
        if !self.enter() {
            return None;
        }
        let r = self.postfix_inner();
        self.leave();
        r
    }

    fn postfix_inner(&mut self) -> Option<Expr> {
        let mut e = self.primary()?;
        let start = e.range.start();
        loop {
            if !self.continues() {
                break;
            }
            match self.kind() {
                TokenKind::LBracket
                    if matches!(
                        e.kind,
                        ExprKind::Name(_)
                            | ExprKind::Member(..)
                            | ExprKind::Arg { .. }
                            | ExprKind::Index(..)
                    ) =>
                {
                    let open = self.bump();
                    let idx = self.nested(|p| {
                        let i = p.expr()?;
                        p.expect_close(
                            TokenKind::RBracket,
                            "`]` to close the index",
                            open,
                            "`[` opened here",
                        )
                        .then_some(i)
                    })?;
                    let range = self.range_from(start);
                    e = match e.kind {
                        ExprKind::Index(base, mut idxs) => {
                            idxs.push(idx);
                            Expr {
                                kind: ExprKind::Index(base, idxs),
                                range,
                            }
                        }
                        kind => Expr {
                            kind: ExprKind::Index(
                                Box::new(Expr {
                                    kind,
                                    range: e.range,
                                }),
                                vec![idx],
                            ),
                            range,
                        },
                    };
                }
                TokenKind::Dot
                    if matches!(
                        e.kind,
                        ExprKind::Name(_)
                            | ExprKind::Member(..)
                            | ExprKind::Arg { .. }
                            | ExprKind::Index(..)
                            | ExprKind::Call(..)
                    ) =>
                {
                    self.bump();
                    // Any word may follow `.` (`v.insert(…)`, `list.remove(…)`).
                    if !self.at(TokenKind::Ident) {
                        self.error_expected("a member name after `.`");
                        return None;
                    }
                    let name = self.name();
                    let range = self.range_from(start);
                    e = Expr {
                        kind: ExprKind::Member(Box::new(e), name),
                        range,
                    };
                }
                TokenKind::LParen
                    if !self.no_call
                        && matches!(
                            e.kind,
                            ExprKind::Name(_) | ExprKind::Member(..) | ExprKind::Index(..)
                        ) =>
                {
                    let section = final_name(&e).filter(|n| self.sections.contains(*n));
                    if let Some(sec) = section
                        && !self.sec_call
                    {
                        let r = self.cur().range;
                        self.push_error(
                            Diagnostic::error(format!(
                                "section location `{}(…)` outside `connect`",
                                self.slice(e.range)
                            ))
                            .with_code(codes::BAD_TARGET)
                            .with_primary(r, "a section cannot be called")
                            .with_secondary(e.range, format!("`{sec}` is a section"))
                            .with_note(
                                "`sec(x)` is only valid in `connect`; write `sec { … }` to \
                                 work in a section or `sec.var(x)` for a range variable",
                            ),
                        );
                    }
                    let open = self.bump();
                    let callee = self.slice(e.range).to_string();
                    let args = self.call_args(open, &callee)?;
                    let range = self.range_from(start);
                    e = Expr {
                        kind: ExprKind::Call(Box::new(e), args),
                        range,
                    };
                }
                _ => break,
            }
        }
        Some(e)
    }

    /// Arguments after `(` up to and including `)`.
    fn call_args(&mut self, open: Token, callee: &str) -> Option<Vec<Expr>> {
        self.nested(|p| {
            let mut args = Vec::new();
            if p.eat(TokenKind::RParen).is_some() {
                return Some(args);
            }
            loop {
                args.push(p.expr()?);
                if p.eat(TokenKind::Comma).is_some() {
                    continue;
                }
                if p.eat(TokenKind::RParen).is_some() {
                    return Some(args);
                }
                if p.at(TokenKind::Colon) {
                    let colon = p.cur().range;
                    p.push_error(
                        Diagnostic::error(format!(
                            "the taper `{callee}(x1:x2) = y1:y2` must be a statement of its own"
                        ))
                        .with_code(codes::EXPECTED)
                        .with_primary(colon, "`:` is only valid in a taper statement")
                        .with_secondary(open.range, format!("arguments of `{callee}`"))
                        .with_note(format!("to read a value, give one location: `{callee}(x)`")),
                    );
                    return None;
                }
                p.error_expected(&format!("`,` or `)` in the call to `{callee}`"));
                p.secondary_on_last(open.range, "argument list opened here");
                return None;
            }
        })
    }

    fn primary(&mut self) -> Option<Expr> {
        let t = self.cur();
        match t.kind {
            TokenKind::Number => {
                self.bump();
                let value = self.text(t).parse::<f64>().unwrap_or(f64::NAN);
                Some(Expr {
                    kind: ExprKind::Num(value),
                    range: t.range,
                })
            }
            TokenKind::String => {
                self.bump();
                Some(Expr {
                    kind: ExprKind::Str(unescape(self.text(t))),
                    range: t.range,
                })
            }
            TokenKind::Arg => {
                self.bump();
                self.arg(t)
            }
            TokenKind::LParen => {
                let open = self.bump();
                let inner = self.nested(|p| {
                    let e = p.expr()?;
                    p.expect_close(
                        TokenKind::RParen,
                        "`)` to close the parenthesis",
                        open,
                        "opened here",
                    )
                    .then_some(e)
                })?;
                Some(Expr {
                    kind: inner.kind,
                    range: self.range_from(open.range.start()),
                })
            }
            TokenKind::Amp => {
                self.bump();
                let operand = self.postfix()?;
                if !is_reference(&operand) {
                    self.push_error(
                        Diagnostic::error("expected a variable after `&`")
                            .with_code(codes::EXPECTED)
                            .with_primary(operand.range, "cannot take the address of this"),
                    );
                }
                let range = t.range.cover(operand.range);
                Some(Expr {
                    kind: ExprKind::AddrOf(Box::new(operand)),
                    range,
                })
            }
            TokenKind::Ident if self.at_kw("new") => {
                self.bump();
                let name = self.expect_name("a template name after `new`")?;
                let Some(open) = self.eat(TokenKind::LParen) else {
                    self.error_expected(&format!("`(` after `new {}`", name.text));
                    return None;
                };
                let args = self.call_args(open, &name.text)?;
                Some(Expr {
                    kind: ExprKind::New(name, args),
                    range: self.range_from(t.range.start()),
                })
            }
            TokenKind::Ident if !self.at_any_kw(KEYWORDS) => {
                let name = self.name();
                Some(Expr {
                    range: name.range,
                    kind: ExprKind::Name(name),
                })
            }
            _ => {
                self.error_expected("an expression");
                None
            }
        }
    }

    /// `$1`, `$o2`, `$s3`, `$&4` (the token is already consumed).
    fn arg(&mut self, t: Token) -> Option<Expr> {
        let text = self.text(t).to_string();
        let rest = &text[1..];
        let (kind, digits) = match rest.as_bytes().first() {
            Some(b'o') => (ArgKind::Obj, &rest[1..]),
            Some(b's') => (ArgKind::Str, &rest[1..]),
            Some(b'&') => (ArgKind::Ptr, &rest[1..]),
            _ => (ArgKind::Num, rest),
        };
        if digits == "i" {
            self.push_error(
                Diagnostic::error(format!("`{text}` is not supported"))
                    .with_code(codes::UNSUPPORTED)
                    .with_primary(t.range, "argument numbered by the variable `i`"),
            );
        }
        let index = match digits.parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ if digits == "i" => 1,
            _ => {
                self.push_error(
                    Diagnostic::error(format!("invalid argument `{text}`"))
                        .with_code(codes::EXPECTED)
                        .with_primary(t.range, "arguments are numbered from 1"),
                );
                1
            }
        };
        if !self.in_func {
            self.misplaced(
                t.range,
                format!("`{text}` outside a proc, func or obfunc"),
                "arguments exist only inside a definition",
            );
        }
        Some(Expr {
            kind: ExprKind::Arg { kind, index },
            range: t.range,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Program {
        let (p, d) = parse(src);
        assert!(d.is_empty(), "{src:?}: {d:#?}");
        p
    }

    #[test]
    fn numbers_parse() {
        let p = ok("x = 2.\ny = .5e1");
        let vals: Vec<f64> = p
            .stmts
            .iter()
            .map(|s| match &s.kind {
                StmtKind::Expr(Expr {
                    kind: ExprKind::Assign { value, .. },
                    ..
                }) => match value.kind {
                    ExprKind::Num(v) => v,
                    _ => f64::NAN,
                },
                _ => f64::NAN,
            })
            .collect();
        assert_eq!(vals, vec![2.0, 5.0]);
    }

    #[test]
    fn section_names_are_collected() {
        let src = "create soma, dend[n+1][2], axon\nproc p() { create extra }";
        let (toks, _) = lex(src);
        let mut names: Vec<_> = section_names(src, &toks).into_iter().collect();
        names.sort();
        assert_eq!(names, vec!["axon", "dend", "extra", "soma"]);
    }

    #[test]
    fn unescape_strings() {
        assert_eq!(unescape(r#""a\"b\n\\c\q""#), "a\"b\n\\cq");
        assert_eq!(unescape("\"open"), "open");
        assert_eq!(unescape("\"a\\\nb\\\r\nc\""), "a\nb\nc");
    }
}
