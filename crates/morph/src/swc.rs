//! SWC import (the NeuroMorpho.Org format) with NEURON's `Import3d` rules.
//!
//! [`read_swc`] turns the text of an `.swc` file into the sections, 3-D points and
//! connections NEURON creates when NetPyNE imports the file
//! (`netpyne.support.morphology.load`: `Import3d_SWC_read` + `Import3d_GUI(morph, 0)`,
//! then one section per `Import3d` section), with NetPyNE's section names (`soma_0`,
//! `dend_3`, ...). The rules, from NEURON 9's `read_swc.hoc` and `import3d_gui.hoc`:
//!
//! - A line holds `id type x y z radius parent`; lines starting with `#` and blank lines
//!   are skipped. NEURON reads the numbers with `sscanf("%f")`, i.e. in single
//!   precision; the diameter is twice the single-precision radius.
//! - Samples are taken in id order; a parent must have a smaller id than its child.
//! - Sections are maximal unbranched runs of samples of one type: a run ends at a
//!   sample with more than one child, at a child listed out of order (not on the next
//!   line), or where the type changes. A soma run is not split where dendrites attach,
//!   only where a soma sample other than the root has more than one soma child.
//! - Every section but the root starts with a copy of its parent sample. A dendrite
//!   (any non-soma section) hanging off the soma gets the diameter of its own first
//!   sample for that copied point.
//! - Where a child attaches (`parentX`; the child's own `x = 0` end always connects):
//!   to a single-point soma at `0.5`; to the first sample of the root at `0`; to an
//!   interior sample of a soma section at `0.5`; otherwise at `1`. A branch that leaves
//!   from the *first* sample of a dendrite hanging off the soma (or off a non-soma root)
//!   attaches to that dendrite at `0`.
//! - A dendrite joined to a single-point soma, or to the interior of a multi-point soma,
//!   by more than one point drops the copied parent point and is joined by a "wire"
//!   (`pt3dstyle` logical connection; it changes nothing electrically). So does a
//!   dendrite at a soma sample that has more than one soma child. A wired section of a
//!   single sample is left with one point and, as NetPyNE builds it, becomes a
//!   cylinder like a single-point soma (with a warning; NEURON's own
//!   `Import3d_GUI.instantiate` removes it instead).
//! - A single-point soma becomes a 3-point cylinder along x with `L = diam`:
//!   `(x - d/2, y, z)`, `(x, y, z)`, `(x + d/2, y, z)`. NeuroMorpho's 3-point soma
//!   (centre first, two samples one radius away from it with the same diameter, no
//!   children on the two outer samples) is treated as a single point at its centre.
//! - Names: NetPyNE numbers sections per type in `Import3d`'s section order, which is
//!   also NEURON's creation order here. Types outside 1-4 (NEURON: `dend_<type>`;
//!   NetPyNE: an error) are named `dend` with a warning, numbered with the type 3
//!   sections; they still end runs where the type changes, as in NEURON.
//!
//! Bad input gives diagnostics with the offending line and column, never a panic.

use ranvier_span::{Diagnostic, TextRange};

use crate::{MorphError, Morphology, SecId, Section};

/// Diagnostic codes used by the SWC reader.
pub mod codes {
    /// A field is not a number.
    pub const NOT_A_NUMBER: &str = "SWC001";
    /// A sample line has fewer than 7 fields.
    pub const MISSING_FIELDS: &str = "SWC002";
    /// A sample line has more than 7 fields (warning; the extra ones are ignored).
    pub const EXTRA_FIELDS: &str = "SWC003";
    /// A number is out of range (negative id or radius, fractional id, infinity).
    pub const BAD_VALUE: &str = "SWC004";
    /// The file has no samples.
    pub const EMPTY: &str = "SWC010";
    /// Two samples have the same id.
    pub const DUPLICATE_ID: &str = "SWC011";
    /// A parent id names no sample.
    pub const MISSING_PARENT: &str = "SWC012";
    /// Parents form a cycle.
    pub const CYCLE: &str = "SWC013";
    /// A parent's id is larger than its child's.
    pub const PARENT_AFTER_CHILD: &str = "SWC014";
    /// More than one sample has no parent.
    pub const SEVERAL_ROOTS: &str = "SWC015";
    /// No sample has type 1 (soma).
    pub const NO_SOMA: &str = "SWC016";
    /// A section's points all coincide.
    pub const ZERO_LENGTH: &str = "SWC017";
    /// A section of one sample joined by a wire (warning; it becomes a cylinder).
    pub const ONE_POINT: &str = "SWC018";
    /// Samples are not listed in increasing id order (warning; they are sorted).
    pub const UNSORTED: &str = "SWC020";
    /// A sample type outside 1-4 (warning; named `dend`).
    pub const OTHER_TYPE: &str = "SWC021";
}

/// What a section is, by the SWC type of its samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SwcKind {
    /// Type 1.
    Soma,
    /// Type 2.
    Axon,
    /// Type 3, and every type outside 1-4.
    Dend,
    /// Type 4.
    Apic,
}

impl SwcKind {
    /// The kind of SWC type `t`.
    #[must_use]
    pub fn of_type(t: i64) -> SwcKind {
        match t {
            1 => SwcKind::Soma,
            2 => SwcKind::Axon,
            4 => SwcKind::Apic,
            _ => SwcKind::Dend,
        }
    }

    /// The section name prefix: `soma`, `axon`, `dend` or `apic`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SwcKind::Soma => "soma",
            SwcKind::Axon => "axon",
            SwcKind::Dend => "dend",
            SwcKind::Apic => "apic",
        }
    }
}

/// A 3-D point as NEURON stores it (single-precision values held in `f64`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SwcPoint {
    pub x: f64, // [um]
    pub y: f64, // [um]
    pub z: f64, // [um]
    /// Diameter `[um]`.
    pub d: f64,
}

/// One section of an imported SWC morphology.
#[derive(Clone, Debug, PartialEq)]
pub struct SwcSection {
    /// NetPyNE's name: `soma_0`, `axon_2`, `dend_5`, `apic_1`.
    pub name: String,
    /// The hoc name NEURON's `Import3d_GUI.instantiate` gives it: `dend[5]`, or
    /// `dend_7[0]` for SWC type 7 (before `instantiate` drops zero-length sections).
    pub neuron_name: String,
    pub kind: SwcKind,
    /// The SWC type of its samples.
    pub swc_type: i64,
    /// The 3-D points (`pt3dadd`), in order from `x = 0`.
    pub pt3d: Vec<SwcPoint>,
    /// Index of the parent section in [`SwcMorphology::sections`] (always smaller
    /// than this section's own index).
    pub parent: Option<usize>,
    /// Where on the parent this section attaches (`0`, `0.5` or `1`).
    pub parent_x: f64,
    /// Which end of this section attaches (always `0`, as NetPyNE connects).
    pub child_x: f64,
    /// NEURON's logical connection point (`pt3dstyle(1, x, y, z)`) `[um]` when the
    /// section is joined to its parent by a wire; display only.
    pub wire: Option<[f64; 3]>,
    /// The 1-based line of each of the section's own SWC samples.
    pub sample_lines: Vec<u32>,
}

/// An SWC morphology: sections in NEURON's creation order (parents first).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SwcMorphology {
    pub sections: Vec<SwcSection>,
}

impl SwcMorphology {
    /// Index of the section called `name` (NetPyNE name).
    #[must_use]
    pub fn find(&self, name: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.name == name)
    }

    /// Build the sections (NEURON defaults: `nseg = 1`, `Ra = 35.4`, `cm = 1`; `L` and
    /// diameters from the 3-D points) and connect them as NEURON does.
    pub fn to_morphology(&self) -> Result<Morphology, MorphError> {
        let mut m = Morphology::new();
        for s in &self.sections {
            let mut sec = Section::new(&s.name);
            for p in &s.pt3d {
                sec.pt3d_add(p.x, p.y, p.z, p.d)?;
            }
            m.add(sec);
        }
        for (i, s) in self.sections.iter().enumerate() {
            if let Some(p) = s.parent {
                let child = SecId(u32::try_from(i).unwrap_or(u32::MAX));
                let parent = SecId(u32::try_from(p).unwrap_or(u32::MAX));
                m.connect(child, s.child_x, parent, s.parent_x)?;
            }
        }
        Ok(m)
    }
}

/// One parsed sample line.
#[derive(Clone, Debug)]
struct Sample {
    id: i64,
    ty: i64,
    x: f64, // [um], single-precision value
    y: f64, // [um]
    z: f64, // [um]
    /// Diameter `[um]`: twice the single-precision radius.
    d: f64,
    pid: i64,
    line: u32,
    /// Ranges of the id, type and parent fields, and of the whole sample.
    id_range: TextRange,
    ty_range: TextRange,
    pid_range: TextRange,
    range: TextRange,
}

const FIELD_NAMES: [&str; 7] = ["id", "type", "x", "y", "z", "radius", "parent"];

/// Read an SWC file. Returns the morphology when there are no errors, and the
/// diagnostics (errors and warnings) in either case.
#[must_use]
pub fn read_swc(text: &str) -> (Option<SwcMorphology>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let samples = parse_lines(text, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let Some(tree) = check_tree(samples, &mut diags) else {
        return (None, diags);
    };
    let morph = sectionify(&tree, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    (Some(morph), diags)
}

/// Split the text into sample lines; report malformed ones.
fn parse_lines(text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut offset = 0usize;
    for (k, line) in text.split('\n').enumerate() {
        let line_no = u32::try_from(k + 1).unwrap_or(u32::MAX);
        if let Some(s) = parse_line(line, offset, line_no, diags) {
            samples.push(s);
        }
        offset += line.len() + 1;
    }
    samples
}

/// The whitespace-separated fields of a line up to a `#` comment, with byte offsets.
fn fields(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut tok_start = None;
    for (i, c) in line.char_indices() {
        let ws = c.is_ascii_whitespace();
        match (tok_start, ws) {
            (None, false) => {
                if c == '#' {
                    return out;
                }
                tok_start = Some(i);
            }
            (Some(s), true) => {
                out.push((s, &line[s..i]));
                tok_start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = tok_start {
        out.push((s, &line[s..]));
    }
    out
}

fn parse_line(
    line: &str,
    offset: usize,
    line_no: u32,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sample> {
    let f = fields(line);
    if f.is_empty() {
        return None; // blank line or comment
    }
    let tok_range = |k: usize| {
        let (s, t) = f[k];
        TextRange::from_usize(offset + s, offset + s + t.len())
    };
    let mut ok = true;
    let mut nums = [0.0f64; 7];
    let mut ints = [0i64; 7];
    for k in 0..f.len().min(7) {
        let tok = f[k].1;
        let r = tok_range(k);
        let what = FIELD_NAMES[k];
        if matches!(k, 0 | 1 | 6) {
            match parse_int(tok) {
                Ok(v) => ints[k] = v,
                Err(msg) => {
                    ok = false;
                    let code = if msg.is_some() {
                        codes::BAD_VALUE
                    } else {
                        codes::NOT_A_NUMBER
                    };
                    let text = msg.unwrap_or_else(|| format!("`{tok}` is not a number"));
                    diags.push(
                        Diagnostic::error(format!("line {line_no}: bad {what} field: {text}"))
                            .with_code(code)
                            .with_primary(r, format!("expected an integer {what}"))
                            .with_note(SAMPLE_FORMAT),
                    );
                }
            }
        } else {
            match tok.parse::<f32>() {
                Ok(v) if v.is_finite() => nums[k] = f64::from(v),
                Ok(_) => {
                    ok = false;
                    diags.push(
                        Diagnostic::error(format!(
                            "line {line_no}: {what} `{tok}` is not a finite number"
                        ))
                        .with_code(codes::BAD_VALUE)
                        .with_primary(r, "out of single-precision range"),
                    );
                }
                Err(_) => {
                    ok = false;
                    diags.push(
                        Diagnostic::error(format!(
                            "line {line_no}: bad {what} field: `{tok}` is not a number"
                        ))
                        .with_code(codes::NOT_A_NUMBER)
                        .with_primary(r, format!("expected a number ({what} [um])"))
                        .with_note(SAMPLE_FORMAT),
                    );
                }
            }
        }
    }
    if f.len() < 7 {
        let (s, t) = f[f.len() - 1];
        let at = offset + s + t.len();
        let missing = FIELD_NAMES[f.len()..].join(", ");
        diags.push(
            Diagnostic::error(format!(
                "line {line_no}: expected 7 fields, found {}; missing {missing}",
                f.len()
            ))
            .with_code(codes::MISSING_FIELDS)
            .with_primary(
                TextRange::from_usize(at, at),
                format!("`{}` expected here", FIELD_NAMES[f.len()]),
            )
            .with_note(SAMPLE_FORMAT),
        );
        return None;
    }
    if f.len() > 7 {
        diags.push(
            Diagnostic::warning(format!(
                "line {line_no}: {} extra field(s) after the parent id are ignored (as NEURON does)",
                f.len() - 7
            ))
            .with_code(codes::EXTRA_FIELDS)
            .with_primary(tok_range(7).cover(tok_range(f.len() - 1)), "ignored")
            .with_note(SAMPLE_FORMAT),
        );
    }
    if !ok {
        return None;
    }
    if ints[0] < 0 {
        diags.push(
            Diagnostic::error(format!("line {line_no}: negative sample id {}", ints[0]))
                .with_code(codes::BAD_VALUE)
                .with_primary(tok_range(0), "ids must be non-negative"),
        );
        return None;
    }
    if nums[5] < 0.0 {
        diags.push(
            Diagnostic::error(format!("line {line_no}: negative radius {}", f[5].1))
                .with_code(codes::BAD_VALUE)
                .with_primary(tok_range(5), "radius must not be negative"),
        );
        return None;
    }
    let (ls, le) = (f[0].0, f[6].0 + f[6].1.len());
    Some(Sample {
        id: ints[0],
        ty: ints[1],
        x: nums[2],
        y: nums[3],
        z: nums[4],
        // `a[5] *= 2`, applied by NEURON to the single-precision radius (exact).
        d: 2.0 * nums[5],
        pid: ints[6],
        line: line_no,
        id_range: tok_range(0),
        ty_range: tok_range(1),
        pid_range: tok_range(6),
        range: TextRange::from_usize(offset + ls, offset + le),
    })
}

const SAMPLE_FORMAT: &str = "an SWC sample line is `id type x y z radius parent`";

/// An integer field; `Err(None)` if it is not a number, `Err(Some(why))` if it is a
/// number but not an integer.
fn parse_int(tok: &str) -> Result<i64, Option<String>> {
    if let Ok(v) = tok.parse::<i64>() {
        return Ok(v);
    }
    match tok.parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 => Ok(v as i64),
        Ok(_) => Err(Some(format!("`{tok}` is not an integer"))),
        Err(_) => Err(None),
    }
}

/// Samples in id order with parent indices.
struct Tree {
    s: Vec<Sample>,
    /// Parent index of each sample (`None` for the root).
    pix: Vec<Option<usize>>,
}

/// Check ids and parents: unique ids, existing parents, one root, no cycles, parents
/// before children, a soma. Sorts by id.
fn check_tree(mut s: Vec<Sample>, diags: &mut Vec<Diagnostic>) -> Option<Tree> {
    if s.is_empty() {
        diags.push(
            Diagnostic::error("the file has no SWC samples")
                .with_code(codes::EMPTY)
                .with_note(SAMPLE_FORMAT),
        );
        return None;
    }
    if let Some(w) = s.windows(2).find(|w| w[1].id < w[0].id) {
        diags.push(
            Diagnostic::warning(format!(
                "line {}: sample ids are not in increasing order (id {} follows id {}); \
                 the samples are sorted by id",
                w[1].line, w[1].id, w[0].id
            ))
            .with_code(codes::UNSORTED)
            .with_primary(w[1].id_range, "smaller than the id on the line before")
            .with_note("NEURON 9's Import3d_SWC_read fails on files that are not sorted by id"),
        );
        s.sort_by_key(|p| p.id);
    }
    let mut errors = false;
    for w in s.windows(2) {
        if w[0].id == w[1].id {
            let (a, b) = if w[0].line < w[1].line {
                (&w[0], &w[1])
            } else {
                (&w[1], &w[0])
            };
            diags.push(
                Diagnostic::error(format!(
                    "line {}: duplicate sample id {} (first defined on line {})",
                    b.line, b.id, a.line
                ))
                .with_code(codes::DUPLICATE_ID)
                .with_primary(b.id_range, "duplicate id")
                .with_secondary(a.id_range, "first defined here"),
            );
            errors = true;
        }
    }
    if errors {
        return None;
    }
    let index = |id: i64| s.binary_search_by_key(&id, |p| p.id).ok();
    let mut pix = vec![None; s.len()];
    for (i, p) in s.iter().enumerate() {
        if p.pid < 0 {
            continue;
        }
        match index(p.pid) {
            Some(j) => pix[i] = Some(j),
            None => {
                diags.push(
                    Diagnostic::error(format!(
                        "line {}: parent id {} of sample {} does not exist",
                        p.line, p.pid, p.id
                    ))
                    .with_code(codes::MISSING_PARENT)
                    .with_primary(p.pid_range, "no sample has this id")
                    .with_note("a root sample has parent -1"),
                );
                errors = true;
            }
        }
    }
    if errors {
        return None;
    }
    // Cycles: follow parents with three-colour marking.
    let n = s.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on the current path, 2 done
    for start in 0..n {
        let mut path = Vec::new();
        let mut cur = Some(start);
        while let Some(c) = cur {
            match state[c] {
                2 => break,
                1 => {
                    let at = path.iter().position(|&q| q == c).unwrap_or(0);
                    let cyc = &path[at..];
                    let ids: Vec<String> = cyc
                        .iter()
                        .chain(std::iter::once(&c))
                        .map(|&q: &usize| format!("{} (line {})", s[q].id, s[q].line))
                        .collect();
                    let first = &s[cyc[0]];
                    let mut d = Diagnostic::error(format!(
                        "line {}: sample parents form a cycle: {}",
                        first.line,
                        ids.join(" -> ")
                    ))
                    .with_code(codes::CYCLE)
                    .with_primary(first.pid_range, "this parent leads back to this sample");
                    for &q in &cyc[1..] {
                        d = d.with_secondary(s[q].pid_range, "");
                    }
                    diags.push(d);
                    errors = true;
                    break;
                }
                _ => {
                    state[c] = 1;
                    path.push(c);
                    cur = pix[c];
                }
            }
        }
        for q in path {
            state[q] = 2;
        }
    }
    if errors {
        return None;
    }
    for (i, p) in s.iter().enumerate() {
        if let Some(j) = pix[i]
            && j > i
        {
            diags.push(
                Diagnostic::error(format!(
                    "line {}: parent id {} is larger than the sample id {}",
                    p.line, p.pid, p.id
                ))
                .with_code(codes::PARENT_AFTER_CHILD)
                .with_primary(p.pid_range, "parent must have a smaller id")
                .with_secondary(s[j].id_range, "parent defined here")
                .with_note(
                    "NEURON's Import3d requires every parent id to be less than its child's id",
                ),
            );
            errors = true;
        }
    }
    let roots: Vec<usize> = (0..n).filter(|&i| pix[i].is_none()).collect();
    if roots.len() > 1 {
        let r0 = &s[roots[0]];
        let lines: Vec<String> = roots.iter().map(|&r| s[r].line.to_string()).collect();
        let mut d = Diagnostic::error(format!(
            "line {}: more than one root sample (parent -1) on lines {}; an SWC file must \
             describe a single tree",
            s[roots[1]].line,
            lines.join(", ")
        ))
        .with_code(codes::SEVERAL_ROOTS)
        .with_primary(s[roots[1]].pid_range, "a second root")
        .with_secondary(r0.pid_range, "first root");
        for &r in &roots[2..] {
            d = d.with_secondary(s[r].pid_range, "");
        }
        diags.push(d);
        errors = true;
    }
    if errors {
        return None;
    }
    if !s.iter().any(|p| p.ty == 1) {
        diags.push(
            Diagnostic::error(format!("line {}: no soma: no sample has type 1", s[0].line))
                .with_code(codes::NO_SOMA)
                .with_primary(s[0].ty_range, "the root sample's type")
                .with_note("types: 1 soma, 2 axon, 3 (basal) dendrite, 4 apical dendrite"),
        );
        return None;
    }
    Some(Tree { s, pix })
}

/// One `Import3d_Section` under construction.
struct I3dSection {
    /// Index of its first own sample (`Import3d_Section.id`).
    id: usize,
    ty: i64,
    /// Raw points: for non-root sections the first is the parent sample's copy.
    raw: Vec<SwcPoint>,
    parent: Option<usize>,
    parent_x: f64,
    /// `Import3d_Section.first == 1`: joined by a wire, the first raw point dropped.
    wire: bool,
    own: std::ops::Range<usize>,
}

/// `Import3d_SWC_read`'s `mark_branch`, `sectionify` and `mksection` (NEURON 9,
/// `read_swc.hoc`), then the sections as NetPyNE's `load` creates them.
fn sectionify(t: &Tree, diags: &mut Vec<Diagnostic>) -> SwcMorphology {
    let s = &t.s;
    let n = s.len();
    let mut pix = t.pix.clone();
    let ty = |i: usize| s[i].ty;
    let pt = |i: usize| SwcPoint {
        x: s[i].x,
        y: s[i].y,
        z: s[i].z,
        d: s[i].d,
    };

    // mark_branch: nchild[p] counts children, plus 0.01 per child listed out of order
    // and per child of another type, so that exactly 1 means "not a section end".
    let mut nchild = vec![0.0f64; n];
    let mut connect2prox = vec![false; n];
    for i in 0..n {
        let Some(p) = pix[i] else { continue };
        nchild[p] += 1.0;
        if p + 1 != i {
            nchild[p] += 0.01;
            if p > 1 {
                if ty(p) != 1 && pix[p].is_some_and(|q| ty(q) == 1) {
                    connect2prox[i] = true;
                    nchild[p] = 1.0;
                }
            } else if p == 0 && ty(p) != 1 {
                connect2prox[i] = true;
                nchild[p] = 1.0;
            }
        }
        if ty(p) != ty(i) {
            nchild[p] += 0.01;
        }
    }

    // Soma children of each soma sample.
    let mut nchild_soma = vec![0u32; n];
    let nsoma = (0..n).filter(|&i| ty(i) == 1).count();
    for i in 1..n {
        if ty(i) == 1
            && let Some(p) = pix[i]
            && ty(p) == 1
        {
            nchild_soma[p] += 1;
        }
    }

    // NeuroMorpho.Org's 3-point soma: treated as one point (the first).
    let mut soma3geom = false;
    if nsoma == 3
        && pix[1] == Some(0)
        && pix[2] == Some(0)
        && nchild[1] == 0.0
        && nchild[2] == 0.0
        && s[1].d == s[0].d
        && s[2].d == s[0].d
    {
        let mut len = 0.0; // [um]
        for i in 1..=2 {
            let (dx, dy, dz) = (s[i].x - s[0].x, s[i].y - s[0].y, s[i].z - s[0].z);
            len += (dx * dx + dy * dy + dz * dz).sqrt();
        }
        if (len / s[0].d - 1.0).abs() < 0.01 {
            soma3geom = true;
            pix[2] = Some(1);
        }
    }

    // Contiguous soma samples are one section unless a (non-root) soma sample has more
    // than one soma child.
    for i in 0..n.saturating_sub(1) {
        if ty(i) == 1 && ty(i + 1) == 1 && pix[i + 1] == Some(i) && !(i != 0 && nchild_soma[i] > 1)
        {
            nchild[i] = 1.0;
        }
    }

    // sec2point: last sample of each section; point2sec: section of each sample.
    let sec2point: Vec<usize> = (0..n).filter(|&i| nchild[i] != 1.0).collect();
    let mut point2sec = vec![0usize; n];
    let mut si = 0usize;
    for i in 1..n {
        if sec2point.get(si).is_some_and(|&last| i > last) {
            si += 1;
        }
        point2sec[i] = si;
    }

    // mksections
    let mut secs: Vec<I3dSection> = Vec::new();
    let mksection = |isec: usize, first: usize, end: usize, secs: &mut Vec<I3dSection>| {
        if isec == 0 {
            // With NeuroMorpho's 3-point soma only the centre is kept.
            let kept = if soma3geom { 1 } else { end };
            secs.push(I3dSection {
                id: first,
                ty: ty(first),
                raw: (first..kept).map(pt).collect(),
                parent: None,
                parent_x: 1.0,
                wire: false,
                own: first..end,
            });
        } else {
            let pp = pix[first].unwrap_or(0);
            let psec_i = point2sec[pp];
            let psec = &secs[psec_i];
            let den_con_soma = psec.ty == 1 && ty(first) != 1;
            let con_soma = psec.ty == 1;
            let mut parent_x = 1.0;
            let mut wire = false;
            let mut handled = false;
            if psec_i == 0 {
                handled = true;
                if den_con_soma && psec.raw.len() == 1 {
                    parent_x = 0.5;
                    wire = end - first > 1;
                } else if pp == psec.id {
                    parent_x = 0.0;
                    if ty(first) != 1 && nchild_soma[pp] > 1 {
                        wire = true;
                    }
                } else {
                    handled = false;
                }
            }
            if !handled && con_soma {
                // Index of the parent section's last sample.
                let last = psec.id + psec.raw.len() - if psec.id == 0 { 1 } else { 2 };
                if pp < last {
                    parent_x = 0.5;
                    if den_con_soma && end - first > 1 {
                        wire = true;
                    }
                } else if end - first > 1 && nchild_soma[pp] > 1 && ty(first) != 1 {
                    wire = true;
                }
            }
            let psec_ty = psec.ty;
            let mut raw = Vec::with_capacity(end - first + 1);
            raw.push(pt(pp));
            raw.extend((first..end).map(pt));
            let mut sec = I3dSection {
                id: first,
                ty: ty(first),
                raw,
                parent: Some(psec_i),
                parent_x,
                wire,
                own: first..end,
            };
            // A dendrite on the soma: the copied point takes the dendrite's diameter.
            if psec_ty == 1 && sec.ty != 1 && sec.raw.len() > 1 {
                sec.raw[0].d = sec.raw[1].d;
            }
            if connect2prox[first] {
                sec.parent_x = 0.0;
            }
            secs.push(sec);
        }
    };
    let mut isec = 0;
    let mut first = 0;
    for i in 0..n {
        if point2sec[i] > isec {
            mksection(isec, first, i, &mut secs);
            isec += 1;
            first = i;
        }
    }
    mksection(isec, first, n, &mut secs);

    // Names and points, as NetPyNE's load creates them.
    let mut counts = [0usize; 4];
    let mut neuron_counts: std::collections::BTreeMap<i64, usize> = Default::default();
    let mut other_types: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
    let mut out = Vec::with_capacity(secs.len());
    for sec in &secs {
        let kind = SwcKind::of_type(sec.ty);
        let k = &mut counts[kind as usize];
        let name = format!("{}_{}", kind.as_str(), *k);
        *k += 1;
        let nk = neuron_counts.entry(sec.ty).or_insert(0);
        let base = match sec.ty {
            1..=4 => kind.as_str().to_owned(),
            t if t < 0 => format!("minus_{}", -t),
            t => format!("dend_{t}"),
        };
        let neuron_name = format!("{base}[{nk}]");
        *nk += 1;
        if !(1..=4).contains(&sec.ty) {
            other_types.entry(sec.ty).or_default().push(sec.own.start);
        }
        let start = usize::from(sec.wire);
        let mut pts: Vec<SwcPoint> = sec.raw[start..].to_vec();
        if pts.len() == 1 && sec.parent.is_some() {
            let p = &s[sec.own.start];
            diags.push(
                Diagnostic::warning(format!(
                    "line {}: section `{name}` is a single sample joined to its parent by a \
                     wire; like NEURON under NetPyNE it becomes a cylinder along x with \
                     L = diam",
                    p.line
                ))
                .with_code(codes::ONE_POINT)
                .with_primary(p.range, "")
                .with_note(
                    "Import3d's instantiate() removes such a section and reattaches its \
                     children to its parent",
                ),
            );
        }
        if pts.len() == 1 {
            // A lone point: a cylinder along x with L = diam.
            let p = pts[0];
            pts = [p.x - p.d / 2.0, p.x, p.x + p.d / 2.0]
                .iter()
                .map(|&x| SwcPoint { x, ..p })
                .collect();
        }
        for p in &mut pts {
            p.x = f32r(p.x);
            p.y = f32r(p.y);
            p.z = f32r(p.z);
            p.d = f32r(p.d);
        }
        let wire = sec.wire.then(|| {
            let p = sec.raw[0];
            [f32r(p.x), f32r(p.y), f32r(p.z)]
        });
        let sample_lines: Vec<u32> = sec.own.clone().map(|i| s[i].line).collect();
        if pts
            .windows(2)
            .all(|w| (w[0].x, w[0].y, w[0].z) == (w[1].x, w[1].y, w[1].z))
        {
            let i0 = sec.own.start;
            let mut d = Diagnostic::error(format!(
                "line {}: section `{name}` has zero length (all its points coincide)",
                s[i0].line
            ))
            .with_code(codes::ZERO_LENGTH)
            .with_primary(s[i0].range, "");
            if let Some(pi) = pix[i0] {
                d = d.with_secondary(s[pi].range, "its parent sample");
            }
            diags.push(d.with_note(
                "NEURON gives such a section L = 1e-9 um (NetPyNE keeps it; Import3d's \
                 instantiate() removes it); move the point or remove the sample",
            ));
        }
        out.push(SwcSection {
            name,
            neuron_name,
            kind,
            swc_type: sec.ty,
            pt3d: pts,
            parent: sec.parent,
            parent_x: sec.parent_x,
            child_x: 0.0,
            wire,
            sample_lines,
        });
    }
    for (t, starts) in other_types {
        let p = &s[starts[0]];
        let lines: Vec<String> = starts.iter().map(|&i| s[i].line.to_string()).collect();
        let base = if t < 0 {
            format!("minus_{}", -t)
        } else {
            format!("dend_{t}")
        };
        diags.push(
            Diagnostic::warning(format!(
                "line {}: sample type {t} is not 1 (soma), 2 (axon), 3 (dend) or 4 (apic); \
                 its sections are named `dend`",
                p.line
            ))
            .with_code(codes::OTHER_TYPE)
            .with_primary(p.ty_range, format!("type {t}"))
            .with_note(format!(
                "sections of type {t} start on line(s) {}; NEURON's instantiate() names them \
                 `{base}[i]`, NetPyNE rejects them",
                lines.join(", ")
            )),
        );
    }
    SwcMorphology { sections: out }
}

/// NEURON stores 3-D points in single precision.
fn f32r(x: f64) -> f64 {
    f64::from(x as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_stop_at_comments() {
        let f = fields("  1 2\t3 # x y");
        assert_eq!(f, vec![(2, "1"), (4, "2"), (6, "3")]);
        assert!(fields("   # 1 2 3").is_empty());
        assert!(fields(" \t\r").is_empty());
    }

    #[test]
    fn integers_accept_integral_floats() {
        assert_eq!(parse_int("+5"), Ok(5));
        assert_eq!(parse_int("-1"), Ok(-1));
        assert_eq!(parse_int("3.0"), Ok(3));
        assert!(matches!(parse_int("3.5"), Err(Some(_))));
        assert_eq!(parse_int("x"), Err(None));
    }
}
