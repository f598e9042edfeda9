//! Morphology: unbranched sections with length, diameter, axial resistivity, membrane
//! capacitance, segments and optional 3-D points, connected into trees — with NEURON's
//! exact rules for deriving segment areas and axial resistances.
//!
//! A section of `nseg` segments has `nseg + 1` nodes in NEURON's sense: one at the
//! centre of each segment and a zero-area node at the far end (`x = 1`, or `x = 0` for a
//! reversed section). The near end is the node of the parent the section connects to,
//! or, for a root section, a zero-area root node. Zero-area nodes use NEURON's
//! convention of an area of `100 um2`, which makes their equation come out in `[nA]`.
//!
//! Geometry follows `nrn_area_ri` and `diam_from_list` in NEURON's `treeset.cpp`:
//! - without 3-D points a segment is a right circular cylinder
//!   (`area = pi diam dx`, half-segment resistance `1e-2 Ra (dx/2) / (pi diam^2/4)`);
//! - with two or more 3-D points, area, mean diameter and resistance are integrated
//!   piecewise over the points (frustum areas include the taper), `L` is the arc length
//!   of the last point, and the segment `diam` is replaced by the mean diameter;
//! - assigning `L` to a section with 3-D points scales the points about the first one;
//! - assigning `diam` to a section with 3-D points sets each point's diameter to the
//!   diameter of the segment containing it.

use std::f64::consts::PI;

pub mod swc;

pub use swc::{SwcKind, SwcMorphology, SwcPoint, SwcSection, read_swc};

/// Index of a section in a [`Morphology`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecId(pub u32);

impl SecId {
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A 3-D point of a section. Coordinates and diameter are rounded to single precision,
/// as NEURON stores them; the arc length is double precision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pt3d {
    pub x: f64, // [um]
    pub y: f64, // [um]
    pub z: f64, // [um]
    /// Diameter `[um]`.
    pub d: f64,
    /// Arc length from the first point `[um]`.
    pub arc: f64,
}

/// Where a section's near end attaches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attachment {
    pub parent: SecId,
    /// Location on the parent, `0 <= x <= 1`.
    pub x: f64,
}

/// An unbranched cable.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub name: String,
    nseg: usize,
    /// Length `[um]` (the arc length of the last 3-D point when there are points).
    length: f64,
    /// Diameter per segment `[um]`.
    diam: Vec<f64>,
    /// Specific membrane capacitance per segment `[uF/cm2]`.
    pub cm: Vec<f64>,
    /// Axial resistivity `[ohm cm]`.
    pub ra: f64,
    pt3d: Vec<Pt3d>,
    pub parent: Option<Attachment>,
    /// Which end of this section attaches to the parent: `false` for `x = 0` (the
    /// usual), `true` for `x = 1` (a reversed section).
    pub reversed: bool,
}

/// NEURON's defaults.
pub const DEFAULT_L: f64 = 100.0; // [um]
pub const DEFAULT_DIAM: f64 = 500.0; // [um]
pub const DEFAULT_RA: f64 = 35.4; // [ohm cm]
pub const DEFAULT_CM: f64 = 1.0; // [uF/cm2]

impl Section {
    /// A section with NEURON's defaults: `nseg = 1`, `L = 100`, `diam = 500`,
    /// `Ra = 35.4`, `cm = 1`.
    #[must_use]
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            nseg: 1,
            length: DEFAULT_L,
            diam: vec![DEFAULT_DIAM],
            cm: vec![DEFAULT_CM],
            ra: DEFAULT_RA,
            pt3d: Vec::new(),
            parent: None,
            reversed: false,
        }
    }

    #[must_use]
    pub fn nseg(&self) -> usize {
        self.nseg
    }

    /// Section length `[um]`.
    #[must_use]
    pub fn length(&self) -> f64 {
        self.length
    }

    /// Segment diameters `[um]` (for sections with 3-D points, valid after
    /// [`Morphology::geometry`] recomputed them).
    #[must_use]
    pub fn diam(&self) -> &[f64] {
        &self.diam
    }

    #[must_use]
    pub fn pt3d(&self) -> &[Pt3d] {
        &self.pt3d
    }

    /// Change the number of segments. Range values (diam, cm) of each new segment are
    /// taken from the old segment containing its centre, as NEURON does.
    pub fn set_nseg(&mut self, nseg: usize) -> Result<(), MorphError> {
        if !(1..=32767).contains(&nseg) {
            return Err(MorphError::BadNseg {
                section: self.name.clone(),
                nseg,
            });
        }
        let remap = |old: &[f64]| -> Vec<f64> {
            (0..nseg)
                .map(|i| {
                    let x = (i as f64 + 0.5) / nseg as f64;
                    old[segment_of(old.len(), x)]
                })
                .collect()
        };
        self.diam = remap(&self.diam);
        self.cm = remap(&self.cm);
        self.nseg = nseg;
        Ok(())
    }

    /// Assign `L` `[um]`. With 3-D points, the points are scaled about the first point.
    pub fn set_length(&mut self, l: f64) -> Result<(), MorphError> {
        if !(l > 0.0) || !l.is_finite() {
            return Err(MorphError::BadGeometry {
                section: self.name.clone(),
                what: "L",
                value: l,
            });
        }
        self.length = l;
        self.scale_pt3d_to(l);
        Ok(())
    }

    fn scale_pt3d_to(&mut self, l: f64) {
        if self.pt3d.is_empty() {
            return;
        }
        let p0 = self.pt3d[0];
        let fac = l / self.pt3d[self.pt3d.len() - 1].arc;
        for p in &mut self.pt3d {
            p.arc *= fac;
            p.x = f32r(p0.x + (p.x - p0.x) * fac);
            p.y = f32r(p0.y + (p.y - p0.y) * fac);
            p.z = f32r(p0.z + (p.z - p0.z) * fac);
        }
    }

    /// Assign the diameter `[um]` of every segment (NEURON's `sec.diam = d`).
    pub fn set_diam(&mut self, d: f64) -> Result<(), MorphError> {
        check_positive(&self.name, "diam", d)?;
        self.diam.iter_mut().for_each(|x| *x = d);
        self.diam_changed();
        Ok(())
    }

    /// Assign the diameter of the segment containing `x` (`sec(x).diam = d`).
    pub fn set_diam_at(&mut self, x: f64, d: f64) -> Result<(), MorphError> {
        check_positive(&self.name, "diam", d)?;
        let i = self.segment_index(x)?;
        self.diam[i] = d;
        self.diam_changed();
        Ok(())
    }

    /// NEURON's `nrn_diam_change`: fill the 3-D diameters from the segment diameters.
    fn diam_changed(&mut self) {
        if self.pt3d.is_empty() {
            return;
        }
        let l = self.length;
        let last = self.pt3d[self.pt3d.len() - 1].arc;
        if (l - last).abs() > 0.001 {
            self.scale_pt3d_to(l);
        }
        for k in 0..self.pt3d.len() {
            let x = (self.pt3d[k].arc / l).min(1.0);
            let node = node_index(self.nseg, self.reversed, x);
            self.pt3d[k].d = f32r(self.diam[node]);
        }
    }

    /// Assign `cm` `[uF/cm2]` to every segment. Zero is allowed.
    pub fn set_cm(&mut self, cm: f64) -> Result<(), MorphError> {
        if !(cm >= 0.0) || !cm.is_finite() {
            return Err(MorphError::BadGeometry {
                section: self.name.clone(),
                what: "cm",
                value: cm,
            });
        }
        self.cm.iter_mut().for_each(|x| *x = cm);
        Ok(())
    }

    /// Assign `Ra` `[ohm cm]`.
    pub fn set_ra(&mut self, ra: f64) -> Result<(), MorphError> {
        check_positive(&self.name, "Ra", ra)?;
        self.ra = ra;
        Ok(())
    }

    /// Remove all 3-D points (`pt3dclear`).
    pub fn pt3d_clear(&mut self) {
        self.pt3d.clear();
    }

    /// Append a 3-D point (`pt3dadd`). The section length becomes the arc length.
    pub fn pt3d_add(&mut self, x: f64, y: f64, z: f64, d: f64) -> Result<(), MorphError> {
        if !(d >= 0.0) || ![x, y, z, d].iter().all(|v| v.is_finite()) {
            return Err(MorphError::BadGeometry {
                section: self.name.clone(),
                what: "pt3d diam",
                value: d,
            });
        }
        self.pt3d.push(Pt3d {
            x: f32r(x),
            y: f32r(y),
            z: f32r(z),
            d: f32r(d),
            arc: 0.0,
        });
        if let Some(prev) = self.pt3d.len().checked_sub(2).map(|i| self.pt3d[i]) {
            let p = self.pt3d.last_mut().expect("just pushed");
            // NEURON subtracts the single-precision coordinates in single precision.
            let dif = |a: f64, b: f64| f64::from(a as f32 - b as f32);
            let (t1, t2, t3) = (dif(p.x, prev.x), dif(p.y, prev.y), dif(p.z, prev.z));
            p.arc = prev.arc + (t1 * t1 + t2 * t2 + t3 * t3).sqrt();
        }
        let arc = self.pt3d[self.pt3d.len() - 1].arc;
        self.length = arc;
        Ok(())
    }

    /// Index (in node order) of the segment containing `x` (NEURON's `node_index`).
    pub fn segment_index(&self, x: f64) -> Result<usize, MorphError> {
        if !(0.0..=1.0).contains(&x) {
            return Err(MorphError::BadLocation {
                section: self.name.clone(),
                x,
            });
        }
        Ok(node_index(self.nseg, self.reversed, x))
    }

    /// Segment index in `0 ..nseg` counted from `x = 0` (independent of orientation).
    #[must_use]
    pub fn segment_from_x0(&self, node: usize) -> usize {
        if self.reversed {
            self.nseg - 1 - node
        } else {
            node
        }
    }
}

/// NEURON stores 3-D point coordinates and diameters in single precision.
fn f32r(x: f64) -> f64 {
    f64::from(x as f32)
}

fn check_positive(section: &str, what: &'static str, v: f64) -> Result<(), MorphError> {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err(MorphError::BadGeometry {
            section: section.to_owned(),
            what,
            value: v,
        })
    }
}

/// Segment (0-based, from `x = 0`) containing `x` for `n` segments.
fn segment_of(n: usize, x: f64) -> usize {
    let i = (n as f64 * x) as usize;
    i.min(n - 1)
}

/// NEURON's `node_index`: the node (in the section's node order) of the segment
/// containing `x`.
#[must_use]
pub fn node_index(nseg: usize, reversed: bool, x: f64) -> usize {
    let i = segment_of(nseg, x);
    if reversed { nseg - i - 1 } else { i }
}

/// Errors in a morphology. Every variant names the section.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MorphError {
    #[error("section `{section}`: {what} = {value} is invalid (must be positive and finite)")]
    BadGeometry {
        section: String,
        what: &'static str,
        value: f64,
    },
    #[error("section `{section}`: nseg = {nseg} is invalid (must be between 1 and 32767)")]
    BadNseg { section: String, nseg: usize },
    #[error("section `{section}`: location x = {x} is outside 0 <= x <= 1")]
    BadLocation { section: String, x: f64 },
    #[error("section `{section}` is connected to a parent that does not exist (index {parent})")]
    DanglingParent { section: String, parent: u32 },
    #[error("sections form a loop: {}", cycle.join(" -> "))]
    Loop { cycle: Vec<String> },
    #[error("no section named `{name}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownSection {
        name: String,
        suggestion: Option<String>,
    },
    #[error("section `{section}`: 3-D points give zero total length")]
    ZeroLength { section: String },
}

/// Geometry of one section's nodes, in node order (`nseg` segment nodes, then the end
/// node).
#[derive(Clone, Debug, PartialEq)]
pub struct SectionGeometry {
    /// Node area `[um2]`; the end node has NEURON's conventional `100`.
    pub area: Vec<f64>,
    /// Inverse axial resistance between the node and its parent node `[uS]`.
    pub rinv: Vec<f64>,
    /// Segment diameter `[um]` (mean over 3-D points when present).
    pub diam: Vec<f64>,
}

/// A set of sections forming one or more trees.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Morphology {
    sections: Vec<Section>,
}

impl Morphology {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a section; returns its id.
    pub fn add(&mut self, s: Section) -> SecId {
        self.sections.push(s);
        SecId((self.sections.len() - 1) as u32)
    }

    #[must_use]
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.sections.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    #[must_use]
    pub fn section(&self, id: SecId) -> &Section {
        &self.sections[id.index()]
    }

    pub fn section_mut(&mut self, id: SecId) -> &mut Section {
        &mut self.sections[id.index()]
    }

    /// Find a section by name.
    pub fn find(&self, name: &str) -> Result<SecId, MorphError> {
        self.sections
            .iter()
            .position(|s| s.name == name)
            .map(|i| SecId(i as u32))
            .ok_or_else(|| {
                let mut best: Option<(usize, &str)> = None;
                for s in &self.sections {
                    let d = edit_distance(name, &s.name);
                    if d <= name.len() / 2 + 1 && best.is_none_or(|(bd, _)| d < bd) {
                        best = Some((d, &s.name));
                    }
                }
                MorphError::UnknownSection {
                    name: name.to_owned(),
                    suggestion: best.map(|(_, s)| s.to_owned()),
                }
            })
    }

    /// `connect child(child_end), parent(x)`.
    pub fn connect(
        &mut self,
        child: SecId,
        child_end: f64,
        parent: SecId,
        x: f64,
    ) -> Result<(), MorphError> {
        if !(0.0..=1.0).contains(&x) {
            return Err(MorphError::BadLocation {
                section: self.section(parent).name.clone(),
                x,
            });
        }
        let c = self.section_mut(child);
        c.parent = Some(Attachment { parent, x });
        c.reversed = child_end == 1.0;
        Ok(())
    }

    /// Check topology (loops, dangling parents) and geometry; returns sections in an
    /// order where every parent precedes its children.
    pub fn topological_order(&self) -> Result<Vec<SecId>, MorphError> {
        let n = self.sections.len();
        for s in &self.sections {
            if let Some(a) = s.parent
                && a.parent.index() >= n
            {
                return Err(MorphError::DanglingParent {
                    section: s.name.clone(),
                    parent: a.parent.0,
                });
            }
        }
        // Detect loops by walking to the root from every section.
        for start in 0..n {
            let mut seen = vec![false; n];
            let mut cur = start;
            let mut path = vec![start];
            while let Some(a) = self.sections[cur].parent {
                if seen[cur] {
                    let names = path
                        .iter()
                        .map(|&i| self.sections[i].name.clone())
                        .collect();
                    return Err(MorphError::Loop { cycle: names });
                }
                seen[cur] = true;
                cur = a.parent.index();
                path.push(cur);
                if cur == start {
                    let names = path
                        .iter()
                        .map(|&i| self.sections[i].name.clone())
                        .collect();
                    return Err(MorphError::Loop { cycle: names });
                }
            }
        }
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, s) in self.sections.iter().enumerate() {
            match s.parent {
                Some(a) => children[a.parent.index()].push(i),
                None => roots.push(i),
            }
        }
        let mut order = Vec::with_capacity(n);
        for r in roots {
            let mut stack = vec![r];
            while let Some(i) = stack.pop() {
                order.push(SecId(i as u32));
                stack.extend(children[i].iter().rev());
            }
        }
        Ok(order)
    }

    /// Validate every section's numbers.
    pub fn validate(&self) -> Result<(), MorphError> {
        for s in &self.sections {
            if s.nseg < 1 {
                return Err(MorphError::BadNseg {
                    section: s.name.clone(),
                    nseg: s.nseg,
                });
            }
            check_positive(&s.name, "Ra", s.ra)?;
            if s.pt3d.len() > 1 {
                if !(s.pt3d[s.pt3d.len() - 1].arc > 0.0) {
                    return Err(MorphError::ZeroLength {
                        section: s.name.clone(),
                    });
                }
            } else {
                check_positive(&s.name, "L", s.length)?;
                for &d in &s.diam {
                    check_positive(&s.name, "diam", d)?;
                }
            }
            for &c in &s.cm {
                if !(c >= 0.0) || !c.is_finite() {
                    return Err(MorphError::BadGeometry {
                        section: s.name.clone(),
                        what: "cm",
                        value: c,
                    });
                }
            }
        }
        self.topological_order().map(|_| ())
    }

    /// Compute every section's node geometry; sections with 3-D points get their segment
    /// diameters replaced by the integrated means (as NEURON does).
    pub fn geometry(&mut self) -> Result<Vec<SectionGeometry>, MorphError> {
        self.validate()?;
        let mut out = Vec::with_capacity(self.sections.len());
        for s in &mut self.sections {
            let g = section_geometry(s);
            if s.pt3d.len() > 1 {
                for (d, &gd) in s.diam.iter_mut().zip(&g.diam) {
                    if (gd - *d).abs() > 1e-9 || gd < 1e-5 {
                        *d = gd;
                    }
                }
            }
            out.push(g);
        }
        Ok(out)
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// NEURON's `nrn_area_ri` for one section.
fn section_geometry(s: &Section) -> SectionGeometry {
    let nseg = s.nseg;
    let mut area = vec![0.0; nseg + 1];
    let mut rinv = vec![0.0; nseg + 1];
    let mut diam = s.diam.clone();
    let ra = s.ra;
    let mut rright = 0.0; // [MOhm]
    if s.pt3d.len() > 1 {
        let mut it = Pt3dIntegrator::new(&s.pt3d, nseg);
        for j in 0..nseg {
            let (a, d, rleft, rr) = it.segment(j, ra);
            rinv[j] = 1.0 / (rright + rleft);
            area[j] = a;
            diam[j] = d;
            rright = rr;
        }
    } else {
        let dx = s.length / nseg as f64; // [um]
        for j in 0..nseg {
            let d = diam[j];
            area[j] = PI * d * dx;
            let rleft = 1e-2 * ra * (dx / 2.0) / (PI * d * d / 4.0); // [MOhm]
            rinv[j] = 1.0 / (rleft + rright);
            rright = rleft;
        }
    }
    area[nseg] = 1.0e2;
    rinv[nseg] = 1.0 / rright;
    SectionGeometry { area, rinv, diam }
}

/// NEURON's `diam_from_list`: trapezoidal integration over 3-D points, segment by
/// segment, split in halves for the left/right resistances.
struct Pt3dIntegrator<'a> {
    pts: &'a [Pt3d],
    j: usize,
    x1: f64,
    y1: f64,
    ds: f64,
}

impl<'a> Pt3dIntegrator<'a> {
    fn new(pts: &'a [Pt3d], nseg: usize) -> Self {
        Self {
            pts,
            j: 0,
            x1: pts[0].arc,
            y1: pts[0].d.abs(),
            ds: pts[pts.len() - 1].arc / nseg as f64,
        }
    }

    /// Returns (area [um2], mean diam [um], left half resistance, right half resistance
    /// [MOhm]) of segment `inode`.
    fn segment(&mut self, inode: usize, ra: f64) -> (f64, f64, f64, f64) {
        let npt = self.pts.len();
        let ds = self.ds;
        let mut si = inode as f64 * ds;
        let mut diam = 0.0;
        let mut area = 0.0;
        let mut rleft = 0.0;
        let mut rright = 0.0;
        for ihalf in 0..2 {
            let mut ri = 0.0;
            let sip = si + ds / 2.0;
            loop {
                let j = self.j;
                let jp = j + 1;
                let xj = self.pts[j].arc;
                let xjp = self.pts[jp].arc;
                let (x2, y2, jnext);
                if xjp > sip || jp == npt - 1 {
                    let frac = if (xjp - xj).abs() < 1e-10 {
                        1.0
                    } else {
                        (sip - xj) / (xjp - xj)
                    };
                    x2 = sip;
                    y2 = (1.0 - frac) * self.pts[j].d.abs() + frac * self.pts[jp].d.abs();
                    jnext = j;
                } else {
                    x2 = xjp;
                    y2 = self.pts[jp].d.abs();
                    jnext = jp;
                }
                let mut delta = x2 - self.x1;
                diam += (y2 + self.y1) * delta;
                if delta < 1e-15 {
                    delta = 1e-15;
                }
                let mut temp = y2 * self.y1 / delta;
                if temp == 0.0 {
                    temp = 1e-15;
                }
                ri += 1.0 / temp;
                let half = 0.5 * (y2 - self.y1);
                let slant = (delta * delta + half * half).sqrt();
                area += (y2 + self.y1) * slant;
                self.x1 = x2;
                self.y1 = y2;
                if j == jnext {
                    break;
                }
                self.j = jnext;
            }
            if ihalf == 0 {
                rleft = ri * ra / PI * (4.0 * 0.01);
            } else {
                rright = ri * ra / PI * (4.0 * 0.01);
            }
            si = sip;
        }
        diam *= 0.5 / ds;
        (area * 0.5 * PI, diam, rleft, rright)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cyl(l: f64, d: f64, nseg: usize) -> Section {
        let mut s = Section::new("s");
        s.set_length(l).unwrap();
        s.set_diam(d).unwrap();
        s.set_nseg(nseg).unwrap();
        s
    }

    #[test]
    fn cylinder_area_and_ri() {
        let mut m = Morphology::new();
        m.add(cyl(100.0, 2.0, 4));
        let g = &m.geometry().unwrap()[0];
        let dx = 25.0;
        for j in 0..4 {
            assert!((g.area[j] - PI * 2.0 * dx).abs() < 1e-12);
        }
        assert_eq!(g.area[4], 100.0);
        let half = 1e-2 * 35.4 * (dx / 2.0) / (PI);
        assert!((1.0 / g.rinv[0] - half).abs() < 1e-12);
        assert!((1.0 / g.rinv[1] - 2.0 * half).abs() < 1e-12);
        assert!((1.0 / g.rinv[4] - half).abs() < 1e-12);
    }

    #[test]
    fn straight_pt3d_equals_cylinder() {
        let mut a = Section::new("a");
        a.pt3d_add(0.0, 0.0, 0.0, 2.0).unwrap();
        a.pt3d_add(60.0, 0.0, 0.0, 2.0).unwrap();
        a.pt3d_add(100.0, 0.0, 0.0, 2.0).unwrap();
        a.set_nseg(3).unwrap();
        let mut m = Morphology::new();
        m.add(a);
        m.add(cyl(100.0, 2.0, 3));
        let g = m.geometry().unwrap();
        for j in 0..4 {
            assert!((g[0].area[j] - g[1].area[j]).abs() < 1e-9, "{j}");
            assert!(
                (g[0].rinv[j] - g[1].rinv[j]).abs() / g[1].rinv[j] < 1e-9,
                "{j}"
            );
        }
    }

    #[test]
    fn length_assignment_scales_points() {
        let mut a = Section::new("a");
        a.pt3d_add(1.0, 1.0, 0.0, 2.0).unwrap();
        a.pt3d_add(4.0, 5.0, 0.0, 2.0).unwrap();
        a.set_length(10.0).unwrap();
        assert_eq!(a.pt3d()[1].x, 7.0);
        assert_eq!(a.pt3d()[1].y, 9.0);
        assert_eq!(a.pt3d()[1].arc, 10.0);
    }

    #[test]
    fn errors_name_the_section() {
        let mut s = Section::new("dend");
        let e = s.set_length(-1.0).unwrap_err();
        assert!(e.to_string().contains("dend"), "{e}");
        let e = s.set_nseg(0).unwrap_err();
        assert!(e.to_string().contains("nseg"), "{e}");
        let mut m = Morphology::new();
        let a = m.add(Section::new("a"));
        let b = m.add(Section::new("b"));
        m.connect(a, 0.0, b, 1.0).unwrap();
        m.connect(b, 0.0, a, 1.0).unwrap();
        let e = m.validate().unwrap_err();
        assert!(matches!(e, MorphError::Loop { .. }), "{e}");
        let e = m.find("c").unwrap_err();
        assert!(e.to_string().contains("`c`"));
        let mut m2 = Morphology::new();
        let mut s = Section::new("x");
        s.parent = Some(Attachment {
            parent: SecId(7),
            x: 1.0,
        });
        m2.add(s);
        assert!(matches!(
            m2.validate(),
            Err(MorphError::DanglingParent { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn pt3d_area_is_positive_and_total_matches_frustums(
            pts in proptest::collection::vec((0.0f64..50.0, 0.0f64..50.0, 0.0f64..50.0, 0.1f64..10.0), 2..8),
            nseg in 1usize..12,
        ) {
            let mut s = Section::new("p");
            for (x, y, z, d) in &pts { s.pt3d_add(*x, *y, *z, *d).unwrap(); }
            proptest::prop_assume!(s.length() > 1e-3);
            s.set_nseg(nseg).unwrap();
            // Expected total lateral area of all frustums.
            let mut total = 0.0;
            for w in s.pt3d().windows(2) {
                let h = w[1].arc - w[0].arc;
                let dr = 0.5 * (w[1].d - w[0].d);
                total += PI * 0.5 * (w[0].d + w[1].d) * (h * h + dr * dr).sqrt();
            }
            let mut m = Morphology::new();
            m.add(s);
            let g = &m.geometry().unwrap()[0];
            let sum: f64 = g.area[..nseg].iter().sum();
            proptest::prop_assert!(g.area[..nseg].iter().all(|a| *a >= 0.0));
            // Splitting frustums at segment boundaries can only shorten slant heights.
            proptest::prop_assert!(sum <= total * (1.0 + 1e-9) + 1e-9);
        }
    }
}
