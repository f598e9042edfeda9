//! Error-tolerant recursive-descent parser (Pratt parsing for expressions).
//!
//! Recovery: a bad statement is skipped to the next line (or to the enclosing `}`); a bad
//! top-level item is skipped to the next top-level keyword. A block that meets the next
//! top-level keyword or the end of file before its `}` is reported as unclosed, with a
//! secondary label at its opening brace. Every loop either consumes a token or stops, so
//! parsing always terminates; nesting depth is capped so it never overflows the stack.

use ranvier_span::{Diagnostic, TextRange, TextSize};

use crate::ast::*;
use crate::codes;
use crate::lexer::{Token, TokenKind, lex};

/// Parse NMODL source text. Never fails: problems are returned as diagnostics (lexical
/// ones first, then syntactic ones, each group in source order) next to a best-effort tree.
pub fn parse(src: &str) -> (Module, Vec<Diagnostic>) {
    let (raw, lex_diags) = lex(src);
    let mut tokens = Vec::with_capacity(raw.len());
    let mut comments = Vec::new();
    let mut pending_line_start = false;
    for tok in raw {
        if tok.kind == TokenKind::BlockComment {
            comments.push(raw_block(src, tok.range, "COMMENT", "ENDCOMMENT"));
            pending_line_start |= tok.line_start;
            continue;
        }
        let mut tok = tok;
        tok.line_start |= pending_line_start;
        pending_line_start = false;
        tokens.push(tok);
    }
    let mut p = Parser {
        src,
        toks: tokens,
        pos: 0,
        prev_end: TextSize(0),
        diags: Vec::new(),
        last_error: None,
        depth: 0,
        too_deep_reported: false,
        stmt_start: 0,
    };
    let items = p.module();
    let mut diags = lex_diags;
    diags.extend(p.diags);
    (Module { items, comments }, diags)
}

fn raw_block(src: &str, range: TextRange, open: &str, close: &str) -> RawBlock {
    let text = &src[range.to_range()];
    let inner = text.strip_prefix(open).unwrap_or(text);
    let inner = inner.strip_suffix(close).unwrap_or(inner);
    RawBlock {
        text: inner.to_string(),
        range,
    }
}

const MAX_DEPTH: u32 = 100;

/// Keywords that can only start a top-level item; meeting one inside a block means that
/// block's `}` is missing.
const TOP_LEVEL_KEYWORDS: &[&str] = &[
    "NEURON",
    "UNITS",
    "PARAMETER",
    "CONSTANT",
    "ASSIGNED",
    "STATE",
    "INDEPENDENT",
    "BREAKPOINT",
    "DERIVATIVE",
    "KINETIC",
    "LINEAR",
    "NONLINEAR",
    "PROCEDURE",
    "FUNCTION",
    "FUNCTION_TABLE",
    "NET_RECEIVE",
    "DESTRUCTOR",
    "CONSTRUCTOR",
    "BEFORE",
    "AFTER",
    "DEFINE",
    "INITIAL",
];

/// Statement keywords that can never be used as a variable in an expression.
const RESERVED_IN_EXPR: &[&str] = &[
    "if",
    "else",
    "while",
    "IF",
    "ELSE",
    "WHILE",
    "LOCAL",
    "SOLVE",
    "METHOD",
    "STEADYSTATE",
    "TABLE",
    "DEPEND",
    "FROM",
    "TO",
    "WITH",
    "BY",
    "WATCH",
    "FOR_NETCONS",
    "PROTECT",
    "MUTEXLOCK",
    "MUTEXUNLOCK",
    "UNITSON",
    "UNITSOFF",
    "CONSERVE",
    "COMPARTMENT",
    "LONGITUDINAL_DIFFUSION",
    "VERBATIM",
];

const NEURON_KEYWORDS: &[&str] = &[
    "SUFFIX",
    "POINT_PROCESS",
    "ARTIFICIAL_CELL",
    "USEION",
    "READ",
    "WRITE",
    "VALENCE",
    "REPRESENTS",
    "NONSPECIFIC_CURRENT",
    "ELECTRODE_CURRENT",
    "RANGE",
    "GLOBAL",
    "POINTER",
    "BBCOREPOINTER",
    "EXTERNAL",
    "RANDOM",
    "THREADSAFE",
    "SECTION",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum DeclKind {
    Parameter,
    Constant,
    Assigned,
    State,
    Independent,
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
    /// Token index where the statement / declaration / item being parsed started.
    stmt_start: usize,
}

impl Parser<'_> {
    // ----- token access -------------------------------------------------------------

    fn cur(&self) -> Token {
        self.nth(0)
    }

    fn nth(&self, n: usize) -> Token {
        let last = self.toks.len() - 1;
        self.toks[(self.pos + n).min(last)]
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

    fn eat_kw(&mut self, kw: &str) -> Option<Token> {
        if self.at_kw(kw) {
            Some(self.bump())
        } else {
            None
        }
    }

    /// Range from `start` to the end of the last consumed token.
    fn range_from(&self, start: TextSize) -> TextRange {
        TextRange::new(start, self.prev_end.max(start))
    }

    /// Whether the current token starts a top-level item (and so ends any open block).
    fn at_top_level_kw(&self, allow_initial: bool) -> bool {
        let t = self.cur();
        match t.kind {
            TokenKind::Title => true,
            TokenKind::Ident => {
                let s = self.text(t);
                TOP_LEVEL_KEYWORDS.contains(&s) && !(allow_initial && s == "INITIAL")
            }
            _ => false,
        }
    }

    // ----- diagnostics --------------------------------------------------------------

    /// Describe the current token for "found …" messages.
    fn found(&self) -> String {
        let t = self.cur();
        match t.kind {
            TokenKind::Ident | TokenKind::Unknown => format!("`{}`", self.text(t)),
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

    /// "expected X, found Y" at the current token.
    fn error_expected(&mut self, what: &str) {
        let t = self.cur();
        // In the middle of a statement, a token on the next line means this line ended
        // early: point just after the last token instead of at the next line.
        let (found, range, label) = if t.line_start && self.pos > self.stmt_start {
            (
                if t.kind == TokenKind::Eof {
                    "end of file"
                } else {
                    "end of line"
                }
                .to_string(),
                TextRange::empty(self.prev_end),
                format!("expected {what} here"),
            )
        } else if t.kind == TokenKind::Eof {
            (self.found(), t.range, "file ends here".to_string())
        } else {
            let f = self.found();
            let label = format!("found {f}");
            (f, t.range, label)
        };
        let mut d = Diagnostic::error(format!("expected {what}, found {found}"))
            .with_code(codes::EXPECTED)
            .with_primary(range, label);
        if t.kind == TokenKind::Unknown {
            d.code = Some(codes::UNKNOWN_CHAR);
            d = d.with_note("this character is not part of NMODL syntax");
        }
        self.push_error(d);
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> Option<Token> {
        if let Some(t) = self.eat(kind) {
            Some(t)
        } else {
            self.error_expected(what);
            None
        }
    }

    fn expect_name(&mut self, what: &str) -> Option<Name> {
        if self.at(TokenKind::Ident) {
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

    /// Skip to the start of the next line, a `}` closing the current block, or a
    /// top-level keyword. Balanced `{ … }` groups are skipped whole.
    fn recover_stmt(&mut self) {
        let start = self.pos;
        let mut depth = 0u32;
        loop {
            let t = self.cur();
            if t.kind == TokenKind::Eof {
                return;
            }
            if depth == 0 && t.line_start && (self.pos > start || self.pos != self.stmt_start) {
                return;
            }
            if depth == 0 && t.kind == TokenKind::RBrace {
                return;
            }
            if self.at_top_level_kw(true) && !self.at_kw("INITIAL") {
                return;
            }
            match t.kind {
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => depth -= 1,
                _ => {}
            }
            self.bump();
        }
    }

    /// Skip to the next top-level keyword (always consuming at least one token).
    fn recover_item(&mut self) {
        self.bump();
        while !self.at_eof() && !self.at_top_level_kw(false) && !self.at(TokenKind::Verbatim) {
            if (self.at_kw("UNITSON") || self.at_kw("UNITSOFF")) && self.cur().line_start {
                return;
            }
            self.bump();
        }
    }

    // ----- top level ----------------------------------------------------------------

    fn module(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        while !self.at_eof() {
            let before = self.pos;
            self.stmt_start = self.pos;
            if let Some(item) = self.item() {
                items.push(item);
            }
            if self.pos == before {
                self.bump();
            }
        }
        items
    }

    fn item(&mut self) -> Option<Item> {
        let t = self.cur();
        let start = t.range.start();
        let kind = match t.kind {
            TokenKind::Title => {
                self.bump();
                let text = self.text(t);
                ItemKind::Title(
                    text.strip_prefix("TITLE")
                        .unwrap_or(text)
                        .trim()
                        .to_string(),
                )
            }
            TokenKind::Verbatim => {
                self.bump();
                ItemKind::Verbatim(raw_block(self.src, t.range, "VERBATIM", "ENDVERBATIM"))
            }
            TokenKind::Ident => return self.keyword_item(),
            TokenKind::RBrace => {
                self.bump();
                self.push_error(
                    Diagnostic::error("unexpected `}` at file scope")
                        .with_code(codes::UNKNOWN_ITEM)
                        .with_primary(t.range, "no block is open here"),
                );
                return None;
            }
            _ => {
                let found = self.found();
                self.push_error(
                    Diagnostic::error(format!("expected a top-level block, found {found}"))
                        .with_code(if t.kind == TokenKind::Unknown {
                            codes::UNKNOWN_CHAR
                        } else {
                            codes::UNKNOWN_ITEM
                        })
                        .with_primary(t.range, "not valid at file scope"),
                );
                self.recover_item();
                return None;
            }
        };
        Some(Item {
            kind,
            range: self.range_from(start),
        })
    }

    fn keyword_item(&mut self) -> Option<Item> {
        let t = self.cur();
        let start = t.range.start();
        let kw = self.text(t).to_string();
        let kind = match kw.as_str() {
            "NEURON" => {
                self.bump();
                ItemKind::Neuron(self.neuron_block(t.range))
            }
            "UNITS" => {
                self.bump();
                ItemKind::Units(self.units_block(t.range))
            }
            "PARAMETER" => {
                self.bump();
                ItemKind::Parameter(self.decl_block("PARAMETER", DeclKind::Parameter))
            }
            "CONSTANT" => {
                self.bump();
                ItemKind::Constant(self.decl_block("CONSTANT", DeclKind::Constant))
            }
            "ASSIGNED" => {
                self.bump();
                ItemKind::Assigned(self.decl_block("ASSIGNED", DeclKind::Assigned))
            }
            "STATE" => {
                self.bump();
                ItemKind::State(self.decl_block("STATE", DeclKind::State))
            }
            "INDEPENDENT" => {
                self.bump();
                ItemKind::Independent(self.decl_block("INDEPENDENT", DeclKind::Independent))
            }
            "INITIAL" | "BREAKPOINT" | "DESTRUCTOR" | "CONSTRUCTOR" | "BEFORE" | "AFTER" => {
                self.bump();
                let kind = match kw.as_str() {
                    "INITIAL" => BlockKind::Initial,
                    "BREAKPOINT" => BlockKind::Breakpoint,
                    "DESTRUCTOR" => BlockKind::Destructor,
                    "CONSTRUCTOR" => BlockKind::Constructor,
                    "BEFORE" => BlockKind::Before,
                    _ => BlockKind::After,
                };
                let when = if matches!(kind, BlockKind::Before | BlockKind::After) {
                    Some(self.expect_name(&format!(
                        "`BREAKPOINT`, `SOLVE`, `INITIAL` or `STEP` after `{kw}`"
                    ))?)
                } else {
                    None
                };
                let body = self.block(&kw, false)?;
                ItemKind::Block(BlockItem { kind, when, body })
            }
            "DERIVATIVE" | "KINETIC" | "LINEAR" | "NONLINEAR" => {
                self.bump();
                let kind = match kw.as_str() {
                    "DERIVATIVE" => SolveKind::Derivative,
                    "KINETIC" => SolveKind::Kinetic,
                    "LINEAR" => SolveKind::Linear,
                    _ => SolveKind::NonLinear,
                };
                let Some(name) = self.expect_name(&format!("a block name after `{kw}`")) else {
                    self.recover_item();
                    return None;
                };
                if self.eat_kw("SOLVEFOR").is_some() {
                    self.name_list("SOLVEFOR");
                }
                let body = self.block(&format!("{kw} {}", name.text), false)?;
                ItemKind::Solvable(SolveBlock { kind, name, body })
            }
            "PROCEDURE" | "FUNCTION" => {
                self.bump();
                let is_function = kw == "FUNCTION";
                let Some(name) = self.expect_name(&format!("a name after `{kw}`")) else {
                    self.recover_item();
                    return None;
                };
                let params = self.params(&format!("`(` after `{kw} {}`", name.text))?;
                let unit = self.opt_unit();
                let body = self.block(&format!("{kw} {}", name.text), false)?;
                ItemKind::Callable(Callable {
                    is_function,
                    name,
                    params,
                    unit,
                    body,
                })
            }
            "FUNCTION_TABLE" => {
                self.bump();
                let Some(name) = self.expect_name("a name after `FUNCTION_TABLE`") else {
                    self.recover_item();
                    return None;
                };
                let params = self.params("`(` after the FUNCTION_TABLE name")?;
                let unit = self.opt_unit();
                ItemKind::FunctionTable { name, params, unit }
            }
            "NET_RECEIVE" => {
                self.bump();
                let params = self.params("`(` after `NET_RECEIVE`")?;
                let body = self.block("NET_RECEIVE", true)?;
                ItemKind::NetReceive { params, body }
            }
            "INCLUDE" => {
                self.bump();
                if self.at(TokenKind::String) {
                    let s = self.bump();
                    ItemKind::Include(string_contents(self.text(s)))
                } else {
                    self.error_expected("a quoted file name after `INCLUDE`");
                    self.recover_item();
                    return None;
                }
            }
            "UNITSON" | "UNITSOFF" => {
                self.bump();
                ItemKind::UnitsFlag(kw == "UNITSON")
            }
            "LOCAL" => {
                self.bump();
                ItemKind::Local(self.local_vars())
            }
            "DEFINE" => {
                self.bump();
                let name = self.expect_name("a name after `DEFINE`")?;
                let value = self.signed_number("a value for the DEFINE")?;
                ItemKind::Define(name, value)
            }
            "ENDCOMMENT" | "ENDVERBATIM" => {
                self.bump();
                let open = kw.trim_start_matches("END");
                self.push_error(
                    Diagnostic::error(format!("`{kw}` without a matching `{open}`"))
                        .with_code(codes::UNKNOWN_ITEM)
                        .with_primary(t.range, format!("no {open} block is open")),
                );
                return None;
            }
            _ => {
                let msg = if kw.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                    format!("unknown block keyword `{kw}`")
                } else {
                    format!("expected a top-level block, found `{kw}`")
                };
                self.push_error(
                    Diagnostic::error(msg)
                        .with_code(codes::UNKNOWN_ITEM)
                        .with_primary(t.range, "not a top-level NMODL keyword")
                        .with_note(
                            "expected one of TITLE, NEURON, UNITS, PARAMETER, CONSTANT, ASSIGNED, \
                             STATE, INDEPENDENT, INITIAL, BREAKPOINT, DERIVATIVE, KINETIC, LINEAR, \
                             NONLINEAR, PROCEDURE, FUNCTION, FUNCTION_TABLE, NET_RECEIVE, \
                             DESTRUCTOR, CONSTRUCTOR, VERBATIM, INCLUDE, LOCAL, UNITSON, UNITSOFF",
                        ),
                );
                self.recover_item();
                return None;
            }
        };
        Some(Item {
            kind,
            range: self.range_from(start),
        })
    }

    /// Expect `{`, reporting "expected `{` to open the X block". On failure, recovers to
    /// the next top-level item and returns `None`.
    fn open_brace(&mut self, ctx: &str, top_level: bool) -> Option<Token> {
        if let Some(t) = self.eat(TokenKind::LBrace) {
            return Some(t);
        }
        self.error_expected(&format!("`{{` to open the {ctx} block"));
        if top_level {
            // Skip the rest of this item unless we are already at the next one.
            if !self.at_top_level_kw(false) {
                self.recover_item();
            }
        }
        None
    }

    /// Report a missing `}` for a block opened at `open`.
    fn unclosed(&mut self, ctx: &str, open: Token) {
        let t = self.cur();
        let label = if t.kind == TokenKind::Eof {
            "file ends here".to_string()
        } else {
            format!("found {} before the block was closed", self.found())
        };
        self.push_error(
            Diagnostic::error(format!(
                "expected `}}` to close the {ctx} block opened here"
            ))
            .with_code(codes::UNCLOSED)
            .with_primary(t.range, label)
            .with_secondary(open.range, format!("{ctx} block opened here")),
        );
    }

    /// Whether the current token ends a block body: `}` (consumed, returns true), or the
    /// end of file / the next top-level item (reported as unclosed, returns true).
    fn block_end(&mut self, ctx: &str, open: Token, allow_initial: bool) -> bool {
        if self.eat(TokenKind::RBrace).is_some() {
            return true;
        }
        if self.at_eof() || self.at_top_level_kw(allow_initial) {
            self.unclosed(ctx, open);
            return true;
        }
        false
    }

    // ----- NEURON block -------------------------------------------------------------

    fn neuron_block(&mut self, _kw: TextRange) -> Vec<NeuronStmt> {
        let mut stmts = Vec::new();
        let Some(open) = self.open_brace("NEURON", true) else {
            return stmts;
        };
        while !self.block_end("NEURON", open, false) {
            let before = self.pos;
            self.stmt_start = self.pos;
            if let Some(s) = self.neuron_stmt() {
                stmts.push(s);
            }
            if self.pos == before {
                self.bump();
            }
        }
        stmts
    }

    fn neuron_stmt(&mut self) -> Option<NeuronStmt> {
        let t = self.cur();
        let start = t.range.start();
        if t.kind == TokenKind::Verbatim {
            self.bump();
            return None;
        }
        if t.kind != TokenKind::Ident {
            self.error_expected("a NEURON block statement");
            self.recover_stmt();
            return None;
        }
        let kw = self.text(t).to_string();
        let list = |k| Some(k);
        let list_kind = match kw.as_str() {
            "RANGE" => list(ListKind::Range),
            "GLOBAL" => list(ListKind::Global),
            "POINTER" => list(ListKind::Pointer),
            "BBCOREPOINTER" => list(ListKind::BbcorePointer),
            "EXTERNAL" => list(ListKind::External),
            "RANDOM" => list(ListKind::Random),
            "NONSPECIFIC_CURRENT" => list(ListKind::NonspecificCurrent),
            "ELECTRODE_CURRENT" => list(ListKind::ElectrodeCurrent),
            "SECTION" => list(ListKind::Section),
            _ => None,
        };
        let kind = if let Some(lk) = list_kind {
            self.bump();
            NeuronStmtKind::List(lk, self.name_list(&kw))
        } else {
            match kw.as_str() {
                "SUFFIX" | "POINT_PROCESS" | "ARTIFICIAL_CELL" => {
                    self.bump();
                    let mk = match kw.as_str() {
                        "SUFFIX" => MechKind::Suffix,
                        "POINT_PROCESS" => MechKind::PointProcess,
                        _ => MechKind::ArtificialCell,
                    };
                    let Some(name) = self.expect_name(&format!("a mechanism name after `{kw}`"))
                    else {
                        self.recover_stmt();
                        return None;
                    };
                    NeuronStmtKind::Mechanism(mk, name)
                }
                "USEION" => {
                    self.bump();
                    let Some(ion) = self.expect_name("an ion name after `USEION`") else {
                        self.recover_stmt();
                        return None;
                    };
                    let (mut read, mut write, mut valence) = (Vec::new(), Vec::new(), None);
                    let mut represents = None;
                    loop {
                        if self.eat_kw("READ").is_some() {
                            read.extend(self.name_list("READ"));
                        } else if self.eat_kw("WRITE").is_some() {
                            write.extend(self.name_list("WRITE"));
                        } else if self.eat_kw("VALENCE").is_some() {
                            valence = self.signed_number("a number after `VALENCE`");
                        } else if self.at_kw("REPRESENTS") {
                            represents = self.represents();
                        } else {
                            break;
                        }
                    }
                    NeuronStmtKind::UseIon {
                        ion,
                        read,
                        write,
                        valence,
                        represents,
                    }
                }
                "REPRESENTS" => match self.represents() {
                    Some(id) => NeuronStmtKind::Represents(id),
                    None => return None,
                },
                "THREADSAFE" => {
                    self.bump();
                    let mut names = Vec::new();
                    if self.at(TokenKind::Ident)
                        && !self.cur().line_start
                        && !NEURON_KEYWORDS.contains(&self.text(self.cur()))
                    {
                        names = self.name_list("THREADSAFE");
                    }
                    NeuronStmtKind::ThreadSafe(names)
                }
                _ => {
                    self.push_error(
                        Diagnostic::error(format!("unknown NEURON block statement `{kw}`"))
                            .with_code(codes::UNKNOWN_NEURON_STMT)
                            .with_primary(t.range, "not a NEURON block keyword")
                            .with_note(
                                "expected one of SUFFIX, POINT_PROCESS, ARTIFICIAL_CELL, USEION, \
                                 NONSPECIFIC_CURRENT, ELECTRODE_CURRENT, RANGE, GLOBAL, POINTER, \
                                 BBCOREPOINTER, EXTERNAL, RANDOM, THREADSAFE, REPRESENTS",
                            ),
                    );
                    self.recover_stmt();
                    return None;
                }
            }
        };
        Some(NeuronStmt {
            kind,
            range: self.range_from(start),
        })
    }

    /// `REPRESENTS id`: the id is taken verbatim from the source up to whitespace, since
    /// ontology ids such as `NCIT:C17145` contain `:`, which otherwise starts a comment.
    fn represents(&mut self) -> Option<String> {
        let kw = self.bump();
        let t = self.cur();
        if t.kind != TokenKind::Ident || t.line_start {
            self.push_error(
                Diagnostic::error("expected an ontology id after `REPRESENTS`")
                    .with_code(codes::EXPECTED)
                    .with_primary(kw.range, "REPRESENTS needs an id such as `NCIT:C17145`"),
            );
            return None;
        }
        self.bump();
        let start = t.range.start().to_usize();
        let rest = &self.src[start..];
        let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        Some(rest[..len].to_string())
    }

    /// `a, b, c` (a comma may be omitted between names on the same line).
    fn name_list(&mut self, after: &str) -> Vec<Name> {
        let mut names = Vec::new();
        match self.expect_name(&format!("a name after `{after}`")) {
            Some(n) => names.push(n),
            None => return names,
        }
        loop {
            if self.eat(TokenKind::Comma).is_some() {
                match self.expect_name("a name after `,`") {
                    Some(n) => names.push(n),
                    None => break,
                }
            } else if self.at(TokenKind::Ident)
                && !self.cur().line_start
                && !NEURON_KEYWORDS.contains(&self.text(self.cur()))
                && !self.at_top_level_kw(false)
                && !["DEPEND", "FROM"].contains(&self.text(self.cur()))
            {
                names.push(self.name());
            } else {
                break;
            }
        }
        names
    }

    // ----- UNITS and declaration blocks ---------------------------------------------

    fn units_block(&mut self, _kw: TextRange) -> Vec<UnitDef> {
        let mut defs = Vec::new();
        let Some(open) = self.open_brace("UNITS", true) else {
            return defs;
        };
        while !self.block_end("UNITS", open, false) {
            let before = self.pos;
            self.stmt_start = self.pos;
            if let Some(d) = self.unit_def() {
                defs.push(d);
            }
            if self.pos == before {
                self.bump();
            }
        }
        defs
    }

    fn unit_def(&mut self) -> Option<UnitDef> {
        let start = self.cur().range.start();
        if self.at(TokenKind::LParen) {
            let name = self.unit()?;
            if self
                .expect(TokenKind::Eq, "`=` after the unit name")
                .is_none()
            {
                self.recover_stmt();
                return None;
            }
            if !self.at(TokenKind::LParen) {
                self.error_expected("a unit in parentheses after `=`");
                self.recover_stmt();
                return None;
            }
            let def = self.unit()?;
            return Some(UnitDef::Alias { name, def });
        }
        let Some(name) =
            self.expect_name("a unit definition `(name) = (unit)` or a named constant")
        else {
            self.recover_stmt();
            return None;
        };
        if self
            .expect(TokenKind::Eq, &format!("`=` after `{}`", name.text))
            .is_none()
        {
            self.recover_stmt();
            return None;
        }
        let (mut value, mut factor) = (None, None);
        if self.at(TokenKind::LParen) {
            factor = self.unit();
        } else {
            value = self.signed_number("a value or a unit after `=`");
            if value.is_none() {
                self.recover_stmt();
                return None;
            }
        }
        let unit = self.opt_unit();
        Some(UnitDef::Constant {
            name,
            value,
            factor,
            unit,
            range: self.range_from(start),
        })
    }

    fn decl_block(&mut self, ctx: &str, kind: DeclKind) -> Vec<Decl> {
        let mut decls = Vec::new();
        let Some(open) = self.open_brace(ctx, true) else {
            return decls;
        };
        while !self.block_end(ctx, open, false) {
            let before = self.pos;
            self.stmt_start = self.pos;
            if self.at(TokenKind::Ident) {
                if self.at_kw("UNITSON") || self.at_kw("UNITSOFF") {
                    self.bump();
                } else if let Some(d) = self.decl(kind) {
                    decls.push(d);
                }
            } else if self.at(TokenKind::Verbatim) {
                self.bump();
            } else {
                self.error_expected(&format!("a name in the {ctx} block"));
                self.recover_stmt();
            }
            if self.pos == before {
                self.bump();
            }
        }
        decls
    }

    fn decl(&mut self, kind: DeclKind) -> Option<Decl> {
        let name = self.name();
        let start = name.range.start();
        let mut d = Decl {
            name,
            array_len: None,
            value: None,
            unit: None,
            limits: None,
            tolerance: false,
            from_to: None,
            with: None,
            range: TextRange::default(),
        };
        if self.at(TokenKind::LBracket) {
            d.array_len = self.array_len();
        }
        if kind != DeclKind::State
            && kind != DeclKind::Independent
            && self.eat(TokenKind::Eq).is_some()
        {
            d.value = self.signed_number(&format!("a number after `{} =`", d.name.text));
            d.value?;
        }
        d.unit = self.opt_unit();
        loop {
            if self.at(TokenKind::Lt) && !self.cur().line_start {
                let lt = self.bump();
                let lo = self.signed_number("a lower limit after `<`")?;
                if self.eat(TokenKind::Comma).is_some() {
                    let hi = self.signed_number("an upper limit after `,`")?;
                    d.limits = Some((lo, hi));
                } else {
                    d.limits = Some((lo, lo));
                    d.tolerance = true;
                }
                if self.eat(TokenKind::Gt).is_none() {
                    self.error_expected("`>` to close the limits");
                    self.push_secondary_to_last(lt.range, "limits start here");
                    self.recover_stmt();
                    return None;
                }
            } else if self.at_kw("FROM") {
                self.bump();
                let lo = self.signed_number("a number after `FROM`")?;
                if self.eat_kw("TO").is_none() {
                    self.error_expected("`TO` after the FROM value");
                    self.recover_stmt();
                    return None;
                }
                let hi = self.signed_number("a number after `TO`")?;
                d.from_to = Some((lo, hi));
            } else if self.at_kw("WITH") {
                self.bump();
                d.with = Some(self.signed_number("a number after `WITH`")?);
                if d.unit.is_none() {
                    d.unit = self.opt_unit();
                }
            } else if self.at_kw("START") {
                self.bump();
                self.signed_number("a number after `START`")?;
            } else if d.unit.is_none() && self.at(TokenKind::LParen) && !self.cur().line_start {
                d.unit = self.opt_unit();
            } else {
                break;
            }
        }
        d.range = self.range_from(start);
        Some(d)
    }

    /// Add a note to the last diagnostic if it has none yet.
    fn note_on_last(&mut self, note: &str) {
        if let Some(d) = self.diags.last_mut()
            && d.notes.is_empty()
        {
            d.notes.push(note.to_string());
        }
    }

    fn push_secondary_to_last(&mut self, range: TextRange, msg: &str) {
        if let Some(d) = self.diags.last_mut() {
            d.labels.push(ranvier_span::Label::secondary(range, msg));
        }
    }

    fn array_len(&mut self) -> Option<u32> {
        let open = self.bump();
        let n = if self.at(TokenKind::Number) {
            let t = self.bump();
            let txt = self.text(t);
            match txt.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.push_error(
                        Diagnostic::error(format!(
                            "array length must be a whole number, found `{txt}`"
                        ))
                        .with_code(codes::EXPECTED)
                        .with_primary(t.range, "not a whole number"),
                    );
                    None
                }
            }
        } else if self.at(TokenKind::Ident) {
            // A DEFINEd size; kept as unknown length.
            self.bump();
            None
        } else {
            self.error_expected("an array length");
            None
        };
        if self.eat(TokenKind::RBracket).is_none() {
            self.error_expected("`]` to close the array length");
            self.push_secondary_to_last(open.range, "`[` opened here");
        }
        n
    }

    fn signed_number(&mut self, what: &str) -> Option<f64> {
        let neg = if self.eat(TokenKind::Minus).is_some() {
            true
        } else {
            self.eat(TokenKind::Plus);
            false
        };
        if !self.at(TokenKind::Number) {
            self.error_expected(what);
            return None;
        }
        let t = self.bump();
        let v = self.text(t).parse::<f64>().unwrap_or(f64::NAN);
        Some(if neg { -v } else { v })
    }

    /// A unit `( … )` if the current token is `(` on the same line.
    fn opt_unit(&mut self) -> Option<Unit> {
        if self.at(TokenKind::LParen) && !self.cur().line_start {
            self.unit()
        } else {
            None
        }
    }

    /// Parse `( … )` as a unit: any tokens up to the matching `)` on the same line.
    fn unit(&mut self) -> Option<Unit> {
        let open = self.bump();
        let mut depth = 0u32;
        loop {
            let t = self.cur();
            match t.kind {
                TokenKind::RParen if depth == 0 => break,
                TokenKind::RParen => depth -= 1,
                TokenKind::LParen => depth += 1,
                TokenKind::Eof | TokenKind::LBrace | TokenKind::RBrace => {
                    self.unclosed_unit(open);
                    return None;
                }
                _ if t.line_start => {
                    self.unclosed_unit(open);
                    return None;
                }
                _ => {}
            }
            self.bump();
        }
        let close = self.bump();
        let inner = &self.src[open.range.end().to_usize()..close.range.start().to_usize()];
        Some(Unit {
            text: inner.split_whitespace().collect::<Vec<_>>().join(" "),
            range: open.range.cover(close.range),
        })
    }

    fn unclosed_unit(&mut self, open: Token) {
        let t = self.cur();
        let range = if t.kind == TokenKind::Eof || t.line_start {
            TextRange::empty(self.prev_end)
        } else {
            t.range
        };
        self.push_error(
            Diagnostic::error("expected `)` to close the unit")
                .with_code(codes::UNCLOSED)
                .with_primary(range, "unit should end here")
                .with_secondary(open.range, "unit opened here")
                .with_note("units are written in parentheses on one line, e.g. `(mA/cm2)`"),
        );
    }

    /// `( name [unit], … )`
    fn params(&mut self, what: &str) -> Option<Vec<Param>> {
        let Some(open) = self.expect(TokenKind::LParen, what) else {
            self.recover_item();
            return None;
        };
        let mut params = Vec::new();
        if self.eat(TokenKind::RParen).is_some() {
            return Some(params);
        }
        loop {
            let Some(name) = self.expect_name("a parameter name") else {
                self.recover_params(open);
                return Some(params);
            };
            let unit = self.opt_unit();
            params.push(Param { name, unit });
            if self.eat(TokenKind::Comma).is_some() {
                continue;
            }
            if self.eat(TokenKind::RParen).is_some() {
                return Some(params);
            }
            self.error_expected("`,` or `)` in the parameter list");
            self.push_secondary_to_last(open.range, "parameter list opened here");
            self.recover_params(open);
            return Some(params);
        }
    }

    /// Skip to the `)` closing a parameter list, stopping before `{` or a new item.
    fn recover_params(&mut self, _open: Token) {
        while !self.at_eof()
            && !self.at(TokenKind::LBrace)
            && !self.at_top_level_kw(false)
            && self.eat(TokenKind::RParen).is_none()
        {
            self.bump();
        }
    }

    // ----- statements ---------------------------------------------------------------

    /// A `{ … }` statement block. `ctx` names it in diagnostics.
    fn block(&mut self, ctx: &str, allow_initial: bool) -> Option<Block> {
        let open = self.open_brace(ctx, true)?;
        Some(self.block_body(ctx, open, allow_initial))
    }

    /// A block nested in a statement: a missing `{` does not skip the enclosing item.
    fn inner_block(&mut self, ctx: &str) -> Block {
        match self.open_brace(ctx, false) {
            Some(open) => self.block_body(ctx, open, false),
            None => {
                self.recover_stmt();
                Block {
                    stmts: Vec::new(),
                    range: TextRange::empty(self.prev_end),
                }
            }
        }
    }

    fn block_body(&mut self, ctx: &str, open: Token, allow_initial: bool) -> Block {
        let start = open.range.start();
        let mut stmts: Vec<Stmt> = Vec::new();
        if !self.enter() {
            // Skip the whole nested group without recursing.
            let mut depth = 1u32;
            while !self.at_eof() && depth > 0 {
                match self.bump().kind {
                    TokenKind::LBrace => depth += 1,
                    TokenKind::RBrace => depth -= 1,
                    _ => {}
                }
            }
            return Block {
                stmts,
                range: self.range_from(start),
            };
        }
        while !self.block_end(ctx, open, allow_initial) {
            let before = self.pos;
            self.stmt_start = self.pos;
            let prev_range = stmts.last().map(|s: &Stmt| s.range);
            if let Some(s) = self.stmt(allow_initial, prev_range) {
                stmts.push(s);
            }
            if self.pos == before {
                self.bump();
            }
        }
        self.leave();
        Block {
            stmts,
            range: self.range_from(start),
        }
    }

    fn stmt(&mut self, allow_initial: bool, prev: Option<TextRange>) -> Option<Stmt> {
        let t = self.cur();
        let start = t.range.start();
        let kind = match t.kind {
            TokenKind::Verbatim => {
                self.bump();
                StmtKind::Verbatim(raw_block(self.src, t.range, "VERBATIM", "ENDVERBATIM"))
            }
            TokenKind::LBrace => {
                let open = self.bump();
                StmtKind::Block(self.block_body("nested", open, false))
            }
            TokenKind::Tilde => {
                self.bump();
                match self.reaction() {
                    Some(r) => StmtKind::Reaction(r),
                    None => {
                        self.recover_stmt();
                        StmtKind::Error
                    }
                }
            }
            TokenKind::Ident => self.ident_stmt(allow_initial),
            _ => {
                let found = self.found();
                let mut d = if let (Some(prev), false) = (prev, t.line_start) {
                    Diagnostic::error(format!("unexpected {found} after the end of a statement"))
                        .with_code(codes::TRAILING)
                        .with_primary(t.range, "expected a new statement or a line break")
                        .with_secondary(prev, "this statement is complete")
                } else {
                    Diagnostic::error(format!("expected a statement, found {found}"))
                        .with_code(codes::EXPECTED)
                        .with_primary(t.range, "not the start of a statement")
                };
                if t.kind == TokenKind::Unknown {
                    d.code = Some(codes::UNKNOWN_CHAR);
                }
                self.push_error(d);
                self.recover_stmt();
                return None;
            }
        };
        Some(Stmt {
            kind,
            range: self.range_from(start),
        })
    }

    fn ident_stmt(&mut self, allow_initial: bool) -> StmtKind {
        let t = self.cur();
        let kw = self.text(t).to_string();
        match kw.as_str() {
            "LOCAL" => {
                self.bump();
                StmtKind::Local(self.local_vars())
            }
            // nocmodl takes these in either case.
            "if" | "IF" => self.if_stmt(),
            "else" | "ELSE" => {
                self.bump();
                self.push_error(
                    Diagnostic::error("`else` without a preceding `if`")
                        .with_code(codes::EXPECTED)
                        .with_primary(t.range, "no `if` block ends right before this"),
                );
                self.recover_stmt();
                StmtKind::Error
            }
            "while" | "WHILE" => {
                self.bump();
                let Some(cond) = self.paren_cond("while") else {
                    self.recover_stmt();
                    return StmtKind::Error;
                };
                let body = self.inner_block("while");
                StmtKind::While { cond, body }
            }
            "FROM" => self.counted_loop_stmt(),
            "SOLVE" => self.solve_stmt(),
            "TABLE" => self.table_stmt(),
            "WATCH" => self.watch_stmt(),
            "FOR_NETCONS" => {
                self.bump();
                let Some(params) = self.stmt_params("`(` after `FOR_NETCONS`") else {
                    return StmtKind::Error;
                };
                let body = self.inner_block("FOR_NETCONS");
                StmtKind::ForNetcons { params, body }
            }
            "PROTECT" => {
                self.bump();
                let start = self.cur().range.start();
                let inner = self.assign_or_call();
                let s = Stmt {
                    kind: inner,
                    range: self.range_from(start),
                };
                StmtKind::Protect(Box::new(s))
            }
            "MUTEXLOCK" => {
                self.bump();
                StmtKind::MutexLock
            }
            "MUTEXUNLOCK" => {
                self.bump();
                StmtKind::MutexUnlock
            }
            "UNITSON" | "UNITSOFF" => {
                self.bump();
                StmtKind::UnitsFlag(kw == "UNITSON")
            }
            "CONSERVE" => {
                self.bump();
                let lhs = self.expr();
                if self
                    .expect(TokenKind::Eq, "`=` in the CONSERVE statement")
                    .is_none()
                {
                    self.recover_stmt();
                    return StmtKind::Error;
                }
                let rhs = self.expr();
                StmtKind::Conserve { lhs, rhs }
            }
            "COMPARTMENT" | "LONGITUDINAL_DIFFUSION" => self.compartment_stmt(&kw),
            "INCLUDE" => {
                self.bump();
                if self.at(TokenKind::String) {
                    let s = self.bump();
                    StmtKind::Include(string_contents(self.text(s)))
                } else {
                    self.error_expected("a quoted file name after `INCLUDE`");
                    self.recover_stmt();
                    StmtKind::Error
                }
            }
            "LAG" => {
                self.bump();
                let Some(var) = self.expect_name("a variable after `LAG`") else {
                    self.recover_stmt();
                    return StmtKind::Error;
                };
                if self.eat_kw("BY").is_none() {
                    self.error_expected("`BY` in the LAG statement");
                    self.recover_stmt();
                    return StmtKind::Error;
                }
                let Some(by) = self.expect_name("a delay name after `BY`") else {
                    self.recover_stmt();
                    return StmtKind::Error;
                };
                StmtKind::Lag { var, by }
            }
            "INITIAL" if allow_initial => {
                self.bump();
                StmtKind::Initial(self.inner_block("INITIAL"))
            }
            "METHOD" | "DEPEND" | "TO" | "WITH" | "BY" => {
                self.bump();
                self.push_error(
                    Diagnostic::error(format!("`{kw}` is not valid at the start of a statement"))
                        .with_code(codes::EXPECTED)
                        .with_primary(t.range, "misplaced keyword"),
                );
                self.recover_stmt();
                StmtKind::Error
            }
            _ => self.assign_or_call(),
        }
    }

    fn stmt_params(&mut self, what: &str) -> Option<Vec<Param>> {
        if !self.at(TokenKind::LParen) {
            self.error_expected(what);
            self.recover_stmt();
            return None;
        }
        self.params(what)
    }

    /// `lhs = rhs` or a call used as a statement.
    fn assign_or_call(&mut self) -> StmtKind {
        let lhs = self.expr();
        if matches!(lhs.kind, ExprKind::Error) {
            self.recover_stmt();
            return StmtKind::Error;
        }
        if self.at(TokenKind::Eq) {
            let eq = self.bump();
            if !matches!(
                lhs.kind,
                ExprKind::Name(_) | ExprKind::Index(..) | ExprKind::Prime(_)
            ) {
                self.push_error(
                    Diagnostic::error("invalid assignment target")
                        .with_code(codes::BAD_TARGET)
                        .with_primary(lhs.range, "cannot assign to this")
                        .with_secondary(eq.range, "assignment here")
                        .with_note("the left side must be a variable, `x[i]` or a derivative `x'`"),
                );
            }
            let rhs = self.expr();
            if matches!(rhs.kind, ExprKind::Error) {
                self.recover_stmt();
            }
            return StmtKind::Assign { lhs, rhs };
        }
        if matches!(lhs.kind, ExprKind::Call(..)) {
            return StmtKind::Expr(lhs);
        }
        let after = match &lhs.kind {
            ExprKind::Name(n) => format!("`=` or `(` after `{}`", n.text),
            _ => "`=` after the assignment target".to_string(),
        };
        self.error_expected(&after);
        self.note_on_last(
            "a statement is an assignment `x = …`, a call `f(…)`, or a keyword statement",
        );
        self.recover_stmt();
        StmtKind::Error
    }

    fn local_vars(&mut self) -> Vec<LocalVar> {
        let mut vars = Vec::new();
        loop {
            let Some(name) = self.expect_name("a variable name after `LOCAL`") else {
                self.recover_stmt();
                break;
            };
            let array_len = if self.at(TokenKind::LBracket) {
                self.array_len()
            } else {
                None
            };
            vars.push(LocalVar { name, array_len });
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
        }
        vars
    }

    fn paren_cond(&mut self, kw: &str) -> Option<Expr> {
        let open = self.expect(TokenKind::LParen, &format!("`(` after `{kw}`"))?;
        let cond = self.expr();
        if matches!(cond.kind, ExprKind::Error) {
            return None;
        }
        if self.eat(TokenKind::RParen).is_none() {
            self.error_expected(&format!("`)` to close the `{kw}` condition"));
            self.push_secondary_to_last(open.range, "condition opened here");
            return None;
        }
        Some(cond)
    }

    fn if_stmt(&mut self) -> StmtKind {
        self.bump();
        let Some(cond) = self.paren_cond("if") else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        let then_block = self.inner_block("if");
        let else_block = if self.at_kw("else") || self.at_kw("ELSE") {
            self.bump();
            if self.at_kw("if") || self.at_kw("IF") {
                let start = self.cur().range.start();
                if self.enter() {
                    let kind = self.if_stmt();
                    self.leave();
                    let range = self.range_from(start);
                    Some(Block {
                        stmts: vec![Stmt { kind, range }],
                        range,
                    })
                } else {
                    self.recover_stmt();
                    None
                }
            } else {
                Some(self.inner_block("else"))
            }
        } else {
            None
        };
        StmtKind::If {
            cond,
            then_block,
            else_block,
        }
    }

    fn counted_loop_stmt(&mut self) -> StmtKind {
        self.bump();
        let Some(var) = self.expect_name("a loop variable after `FROM`") else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        if self
            .expect(TokenKind::Eq, "`=` after the loop variable")
            .is_none()
        {
            self.recover_stmt();
            return StmtKind::Error;
        }
        let from = self.expr();
        if self.eat_kw("TO").is_none() {
            self.error_expected("`TO` in the FROM loop");
            self.recover_stmt();
            return StmtKind::Error;
        }
        let to = self.expr();
        let by = if self.eat_kw("BY").is_some() {
            Some(self.expr())
        } else {
            None
        };
        let body = self.inner_block("FROM loop");
        StmtKind::FromTo {
            var,
            from,
            to,
            by,
            body,
        }
    }

    /// A name that must appear on the same line as the keyword before it.
    fn same_line_name(&mut self, what: &str) -> Option<Name> {
        if self.at(TokenKind::Ident) && !self.cur().line_start {
            Some(self.name())
        } else {
            self.error_expected(what);
            None
        }
    }

    fn solve_stmt(&mut self) -> StmtKind {
        self.bump();
        let Some(block) = self.same_line_name("a block name after `SOLVE`") else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        let mut s = Solve {
            block,
            method: None,
            steadystate: None,
            if_error: None,
        };
        loop {
            if self.at_kw("METHOD") && !self.cur().line_start {
                self.bump();
                match self.same_line_name("a method name after `METHOD`") {
                    Some(m) => s.method = Some(m),
                    None => {
                        self.recover_stmt();
                        return StmtKind::Error;
                    }
                }
            } else if self.at_kw("STEADYSTATE") && !self.cur().line_start {
                self.bump();
                match self.same_line_name("a method name after `STEADYSTATE`") {
                    Some(m) => s.steadystate = Some(m),
                    None => {
                        self.recover_stmt();
                        return StmtKind::Error;
                    }
                }
            } else if self.at_kw("IFERROR") {
                self.bump();
                s.if_error = Some(self.inner_block("IFERROR"));
            } else {
                break;
            }
        }
        StmtKind::Solve(s)
    }

    fn table_stmt(&mut self) -> StmtKind {
        self.bump();
        let mut names = Vec::new();
        if self.at(TokenKind::Ident) && !self.at_kw("DEPEND") && !self.at_kw("FROM") {
            names = self.name_list("TABLE");
        }
        let depend = if self.eat_kw("DEPEND").is_some() {
            self.name_list("DEPEND")
        } else {
            Vec::new()
        };
        let mut parts = Vec::new();
        for kw in ["FROM", "TO", "WITH"] {
            if self.eat_kw(kw).is_none() {
                self.error_expected(&format!("`{kw}` in the TABLE statement"));
                self.note_on_last("the form is `TABLE names [DEPEND names] FROM lo TO hi WITH n`");
                self.recover_stmt();
                return StmtKind::Error;
            }
            parts.push(self.expr());
        }
        let with = parts.pop().unwrap_or_else(|| self.error_expr());
        let to = parts.pop().unwrap_or_else(|| self.error_expr());
        let from = parts.pop().unwrap_or_else(|| self.error_expr());
        StmtKind::Table(Table {
            names,
            depend,
            from,
            to,
            with,
        })
    }

    fn watch_stmt(&mut self) -> StmtKind {
        self.bump();
        let mut watches = Vec::new();
        loop {
            let Some(cond) = self.paren_cond("WATCH") else {
                self.recover_stmt();
                return StmtKind::Error;
            };
            let flag = self.expr();
            if matches!(flag.kind, ExprKind::Error) {
                self.recover_stmt();
                return StmtKind::Error;
            }
            watches.push((cond, flag));
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
        }
        StmtKind::Watch(watches)
    }

    fn compartment_stmt(&mut self, kw: &str) -> StmtKind {
        self.bump();
        let index = if self.at(TokenKind::Ident) && self.nth(1).kind == TokenKind::Comma {
            let n = self.name();
            self.bump();
            Some(n)
        } else {
            None
        };
        let expr = self.expr();
        let Some(open) = self.expect(
            TokenKind::LBrace,
            &format!("`{{` with the species of the {kw} statement"),
        ) else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        let mut species = Vec::new();
        loop {
            if self.eat(TokenKind::RBrace).is_some() {
                break;
            }
            if self.at(TokenKind::Ident) && !self.at_top_level_kw(false) {
                species.push(self.name());
            } else {
                self.unclosed(kw, open);
                break;
            }
        }
        StmtKind::Compartment {
            longitudinal: kw == "LONGITUDINAL_DIFFUSION",
            index,
            expr,
            species,
        }
    }

    /// After `~`: a reaction (`<->`, `->`, `<<`) or a `lhs = rhs` equation.
    fn reaction(&mut self) -> Option<Reaction> {
        // Look ahead on this line for a reaction arrow outside parentheses.
        let mut i = 0;
        let mut depth = 0i32;
        let mut arrow = None;
        loop {
            let t = self.nth(i);
            if t.kind == TokenKind::Eof || (i > 0 && t.line_start) {
                break;
            }
            match t.kind {
                TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RParen | TokenKind::RBracket => depth -= 1,
                TokenKind::LBrace | TokenKind::RBrace => break,
                TokenKind::LtMinusGt | TokenKind::Arrow | TokenKind::LtLt if depth == 0 => {
                    arrow = Some(t.kind);
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let Some(arrow) = arrow else {
            let lhs = self.expr();
            self.expect(
                TokenKind::Eq,
                "`=`, `<->`, `->` or `<<` after the left side of `~`",
            )?;
            let rhs = self.expr();
            return Some(Reaction::Equation { lhs, rhs });
        };
        let lhs = self.reactants()?;
        self.bump(); // the arrow
        match arrow {
            TokenKind::LtMinusGt => {
                let rhs = self.reactants()?;
                let open =
                    self.expect(TokenKind::LParen, "`(` with the forward and backward rates")?;
                let kf = self.expr();
                if self
                    .expect(
                        TokenKind::Comma,
                        "`,` between the forward and backward rates",
                    )
                    .is_none()
                {
                    self.push_secondary_to_last(open.range, "rates start here");
                    return None;
                }
                let kb = self.expr();
                self.expect(TokenKind::RParen, "`)` after the backward rate")?;
                Some(Reaction::Reversible { lhs, rhs, kf, kb })
            }
            TokenKind::Arrow => {
                let rhs = if self.at(TokenKind::LParen) {
                    Vec::new()
                } else {
                    self.reactants()?
                };
                self.expect(TokenKind::LParen, "`(` with the reaction rate")?;
                let k = self.expr();
                self.expect(TokenKind::RParen, "`)` after the reaction rate")?;
                Some(Reaction::Forward { lhs, rhs, k })
            }
            _ => {
                self.expect(TokenKind::LParen, "`(` with the flux after `<<`")?;
                let flux = self.expr();
                self.expect(TokenKind::RParen, "`)` after the flux")?;
                Some(Reaction::Flux { lhs, flux })
            }
        }
    }

    fn reactants(&mut self) -> Option<Vec<Reactant>> {
        let mut out = Vec::new();
        loop {
            let coeff = if self.at(TokenKind::Number) {
                let t = self.bump();
                let txt = self.text(t);
                match txt.parse::<u32>() {
                    Ok(c) => c,
                    Err(_) => {
                        self.push_error(
                            Diagnostic::error(format!(
                                "stoichiometric coefficient must be a whole number, found `{txt}`"
                            ))
                            .with_code(codes::EXPECTED)
                            .with_primary(t.range, "not a whole number"),
                        );
                        1
                    }
                }
            } else {
                1
            };
            let name = self.expect_name("a species name")?;
            let start = name.range.start();
            let species = if self.at(TokenKind::LBracket) {
                let open = self.bump();
                let idx = self.expr();
                if self.eat(TokenKind::RBracket).is_none() {
                    self.error_expected("`]` to close the index");
                    self.push_secondary_to_last(open.range, "`[` opened here");
                    return None;
                }
                Expr {
                    kind: ExprKind::Index(name, Box::new(idx)),
                    range: self.range_from(start),
                }
            } else {
                let range = name.range;
                Expr {
                    kind: ExprKind::Name(name),
                    range,
                }
            };
            out.push(Reactant { coeff, species });
            if self.eat(TokenKind::Plus).is_none() {
                return Some(out);
            }
        }
    }

    // ----- expressions ----------------------------------------------------------------

    fn error_expr(&self) -> Expr {
        Expr {
            kind: ExprKind::Error,
            range: TextRange::empty(self.prev_end),
        }
    }

    fn expr(&mut self) -> Expr {
        self.expr_bp(0)
    }

    fn binop(&self) -> Option<(BinOp, u8, u8)> {
        // (op, left binding power, right binding power)
        Some(match self.kind() {
            TokenKind::OrOr => (BinOp::Or, 1, 2),
            TokenKind::AndAnd => (BinOp::And, 3, 4),
            TokenKind::Lt => (BinOp::Lt, 5, 6),
            TokenKind::Gt => (BinOp::Gt, 5, 6),
            TokenKind::Le => (BinOp::Le, 5, 6),
            TokenKind::Ge => (BinOp::Ge, 5, 6),
            TokenKind::EqEq => (BinOp::Eq, 5, 6),
            TokenKind::Ne => (BinOp::Ne, 5, 6),
            TokenKind::Plus => (BinOp::Add, 7, 8),
            TokenKind::Minus => (BinOp::Sub, 7, 8),
            TokenKind::Star => (BinOp::Mul, 9, 10),
            TokenKind::Slash => (BinOp::Div, 9, 10),
            TokenKind::Percent => (BinOp::Rem, 9, 10),
            // Unary operators bind at 11; `^` is tighter and right-associative.
            TokenKind::Caret => (BinOp::Pow, 13, 13),
            _ => return None,
        })
    }

    fn expr_bp(&mut self, min_bp: u8) -> Expr {
        if !self.enter() {
            return self.error_expr();
        }
        let mut lhs = self.prefix();
        if !matches!(lhs.kind, ExprKind::Error) {
            while let Some((op, lbp, rbp)) = self.binop() {
                if lbp < min_bp {
                    break;
                }
                self.bump();
                let rhs = self.expr_bp(rbp);
                let range = lhs.range.cover(rhs.range);
                let failed = matches!(rhs.kind, ExprKind::Error);
                lhs = Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    range,
                };
                if failed {
                    break;
                }
            }
        }
        self.leave();
        lhs
    }

    fn prefix(&mut self) -> Expr {
        let t = self.cur();
        let start = t.range.start();
        match t.kind {
            TokenKind::Minus | TokenKind::Bang => {
                self.bump();
                let op = if t.kind == TokenKind::Minus {
                    UnOp::Neg
                } else {
                    UnOp::Not
                };
                let operand = self.expr_bp(11);
                let range = t.range.cover(operand.range);
                Expr {
                    kind: ExprKind::Unary(op, Box::new(operand)),
                    range,
                }
            }
            TokenKind::Plus => {
                // Unary plus: just the operand.
                self.bump();
                self.expr_bp(11)
            }
            TokenKind::Number => {
                self.bump();
                let text = self.text(t).to_string();
                let value = text.parse::<f64>().unwrap_or(f64::NAN);
                let unit = self.opt_unit();
                Expr {
                    kind: ExprKind::Number { value, text, unit },
                    range: self.range_from(start),
                }
            }
            TokenKind::String => {
                self.bump();
                Expr {
                    kind: ExprKind::String(string_contents(self.text(t))),
                    range: t.range,
                }
            }
            TokenKind::LParen => {
                let open = self.bump();
                let inner = self.expr();
                if matches!(inner.kind, ExprKind::Error) {
                    return inner;
                }
                if self.eat(TokenKind::RParen).is_none() {
                    self.error_expected("`)` to close the parenthesis");
                    self.push_secondary_to_last(open.range, "opened here");
                    return self.error_expr();
                }
                Expr {
                    kind: ExprKind::Paren(Box::new(inner)),
                    range: self.range_from(start),
                }
            }
            TokenKind::Ident
                if !self.at_top_level_kw(true) && !RESERVED_IN_EXPR.contains(&self.text(t)) =>
            {
                self.ident_expr()
            }
            _ => {
                self.error_expected("an expression");
                self.error_expr()
            }
        }
    }

    fn ident_expr(&mut self) -> Expr {
        let name = self.name();
        let start = name.range.start();
        let next = self.cur();
        let kind = if next.kind == TokenKind::LParen && !next.line_start {
            let open = self.bump();
            let mut args = Vec::new();
            if self.eat(TokenKind::RParen).is_none() {
                loop {
                    let a = self.expr();
                    if matches!(a.kind, ExprKind::Error) {
                        return a;
                    }
                    args.push(a);
                    if self.eat(TokenKind::Comma).is_some() {
                        continue;
                    }
                    if self.eat(TokenKind::RParen).is_some() {
                        break;
                    }
                    self.error_expected(&format!("`,` or `)` in the call to `{}`", name.text));
                    self.push_secondary_to_last(open.range, "argument list opened here");
                    return self.error_expr();
                }
            }
            ExprKind::Call(name, args)
        } else if next.kind == TokenKind::LBracket && !next.line_start {
            let open = self.bump();
            let idx = self.expr();
            if matches!(idx.kind, ExprKind::Error) {
                return idx;
            }
            if self.eat(TokenKind::RBracket).is_none() {
                self.error_expected("`]` to close the index");
                self.push_secondary_to_last(open.range, "`[` opened here");
                return self.error_expr();
            }
            ExprKind::Index(name, Box::new(idx))
        } else if next.kind == TokenKind::Prime {
            self.bump();
            ExprKind::Prime(name)
        } else {
            ExprKind::Name(name)
        };
        Expr {
            kind,
            range: self.range_from(start),
        }
    }
}

fn string_contents(tok: &str) -> String {
    let s = tok.strip_prefix('"').unwrap_or(tok);
    s.strip_suffix('"').unwrap_or(s).to_string()
}
