//! What running a hoc file builds: sections with their geometry and mechanisms, point
//! processes, section lists and changed globals. No simulator types: the network front
//! end turns this into a NetPyNE cell rule or an engine model.

use std::collections::BTreeMap;

/// A mechanism's metadata as the interpreter needs it (supplied by the caller, e.g. from
/// the built-ins and the compiled `.mod` files).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct MechMeta {
    pub name: String,
    /// Point process (`new Name(x)`) rather than a density mechanism (`insert name`).
    pub point: bool,
    /// An artificial cell (`new Name()` with no section).
    pub artificial: bool,
    /// PARAMETERs with their defaults, in declaration order.
    pub params: Vec<(String, f64)>,
    /// Other per-instance variables (ASSIGNED, STATE) that can be read.
    pub others: Vec<(String, f64)>,
    /// GLOBALs with their defaults.
    pub globals: Vec<(String, f64)>,
    /// Ions the mechanism uses (`na`, `ca`, ...).
    pub ions: Vec<String>,
}

/// The mechanisms hoc code can name.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub mechs: BTreeMap<String, MechMeta>,
}

impl Catalog {
    #[must_use]
    pub fn new(mechs: impl IntoIterator<Item = MechMeta>) -> Self {
        Self {
            mechs: mechs.into_iter().map(|m| (m.name.clone(), m)).collect(),
        }
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&MechMeta> {
        self.mechs.get(name)
    }
}

/// An inserted density mechanism: each PARAMETER's value per segment.
#[derive(Clone, Debug, PartialEq)]
pub struct InsertedMech {
    pub name: String,
    /// `(parameter, value per segment)` in declaration order.
    pub params: Vec<(String, Vec<f64>)>,
}

/// One section as the cell built it.
#[derive(Clone, Debug, PartialEq)]
pub struct CellSection {
    /// hoc name without the owner prefix: `soma`, `dend[3]`.
    pub name: String,
    /// The array name (`dend`) and index, if the section belongs to an array.
    pub array: Option<(String, usize)>,
    pub nseg: usize,
    /// Length `[um]`.
    pub l: f64,
    /// Diameter per segment `[um]` (from the 3-D points when there are any).
    pub diam: Vec<f64>,
    /// Specific capacitance per segment `[uF/cm2]`.
    pub cm: Vec<f64>,
    /// Axial resistivity `[ohm cm]`.
    pub ra: f64,
    /// 3-D points `(x, y, z, diam)` `[um]`.
    pub pt3d: Vec<[f64; 4]>,
    /// Parent section (index into [`Cell::sections`]) and the location on it.
    pub parent: Option<(usize, f64)>,
    /// Which end of this section attaches to the parent (0 or 1).
    pub child_x: f64,
    /// Density mechanisms in insertion order.
    pub mechs: Vec<InsertedMech>,
    /// Ion variables assigned in this section (`ena`, `cai`, ...), per segment.
    pub ions: BTreeMap<String, Vec<f64>>,
}

/// A point process placed on a section.
#[derive(Clone, Debug, PartialEq)]
pub struct CellPointProcess {
    pub mech: String,
    /// Section index into [`Cell::sections`].
    pub sec: usize,
    /// Location on the section.
    pub x: f64,
    /// PARAMETER values, in declaration order.
    pub params: Vec<(String, f64)>,
    /// The object variable that holds it, if it is a public field of the cell
    /// (`stim`, `syn[2]`).
    pub var: Option<String>,
}

/// Everything one cell (one template instance, or all top-level sections) consists of.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Cell {
    pub sections: Vec<CellSection>,
    /// Point processes, most recently placed first (the order in which NEURON lists
    /// those of one segment).
    pub point_processes: Vec<CellPointProcess>,
    /// Section lists by name (public fields of the template, or top-level variables):
    /// indices into `sections`.
    pub section_lists: Vec<(String, Vec<usize>)>,
    /// GLOBALs (`ceiling_cad`, `celsius`, ...) the code changed, with their values.
    pub globals: BTreeMap<String, f64>,
}
