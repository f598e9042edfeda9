//! Model description and its lowering into a [`Group`].

use std::collections::HashMap;
use std::sync::Arc;

use ranvier_mech::{
    Catalogue, IonInstances, IonSpecies, IonVar, MechInstances, MechKind, Mechanism, ion_style,
    suggest,
};
use ranvier_morph::{Morphology, SecId, Section};
use ranvier_rng::Nrnran123;

use crate::error::BuildError;
use crate::group::{
    Group, Method, NetCon, NodeOwner, Probe, ProbeKind, Slot, SourceKind, SourceState,
};

/// A cell: a tree of sections with a name used in messages (and its gid in networks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CellId(pub u32);
/// A placed point process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PointId(pub u32);
/// An artificial cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArtId(pub u32);
/// A spike source (NEURON's `PreSyn`): shared by all connections from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceId(pub u32);
/// A connection (NEURON's `NetCon`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NetConId(pub u32);

/// Where spikes come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Source {
    /// Membrane potential crossing a threshold upward at a location.
    Voltage { sec: SecId, x: f64 },
    /// `net_event` of a point process (e.g. an integrate-and-fire point process).
    Point(PointId),
    /// Output events of an artificial cell.
    Artificial(ArtId),
    /// A field of a point process crossing a threshold upward (NEURON's
    /// `NetCon(pp._ref_V, ...)`, e.g. a point process with its own voltage). Make it
    /// with [`CableModel::point_field_source`].
    PointField { point: PointId, field: u32 },
    /// A cell simulated elsewhere (another group, thread or process): its spikes arrive
    /// through [`Group::deliver_external_spike`](crate::Group::deliver_external_spike).
    /// The number is the caller's key (e.g. the gid) and makes the source unique.
    External(u64),
}

/// A hashable identity of a [`Source`] (locations compared bit for bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum SourceKey {
    Voltage(u32, u64),
    Point(u32),
    Artificial(u32),
    PointField(u32, u32),
    External(u64),
}

impl SourceKey {
    fn of(s: &Source) -> Self {
        match *s {
            Source::Voltage { sec, x } => Self::Voltage(sec.0, x.to_bits()),
            Source::Point(p) => Self::Point(p.0),
            Source::Artificial(a) => Self::Artificial(a.0),
            Source::PointField { point, field } => Self::PointField(point.0, field),
            Source::External(k) => Self::External(k),
        }
    }
}

/// Where connection events go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Point(PointId),
    Artificial(ArtId),
}

/// A recordable quantity.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeSpec {
    /// Membrane potential `[mV]` at a location.
    Voltage { sec: SecId, x: f64 },
    /// A field of a density mechanism at a location (`m_hh` at `soma(0.5)`).
    Density {
        sec: SecId,
        x: f64,
        mech: String,
        field: String,
    },
    /// An ion variable at a location (`ina`, `ena`, `cai`, `cao`).
    Ion {
        sec: SecId,
        x: f64,
        ion: String,
        var: IonVar,
    },
    /// A field of a point process.
    Point { point: PointId, field: String },
    /// A field of an artificial cell.
    Artificial { art: ArtId, field: String },
}

#[derive(Clone, Debug)]
struct RangeSet {
    sec: SecId,
    /// Node (segment) index, or all segments.
    seg: Option<usize>,
    mech: usize,
    field: usize,
    value: f64,
}

#[derive(Clone, Debug)]
struct IonSet {
    sec: SecId,
    ion: String,
    var: IonVar,
    value: f64,
}

#[derive(Clone, Debug)]
struct PointDef {
    mech: usize,
    sec: SecId,
    x: f64,
    params: Vec<(usize, f64)>,
}

#[derive(Clone, Debug)]
struct ArtDef {
    mech: usize,
    params: Vec<(usize, f64)>,
    rng: Option<(u32, u32, u32)>,
    vector: Vec<f64>,
    name: String,
}

#[derive(Clone, Debug)]
struct NetConDef {
    order: u64,
    source: SourceId,
    target: Option<Target>,
    weight: f64,
    /// Which slot of the weight vector `weight` goes into (NetPyNE's `weightIndex`).
    weight_index: usize,
    delay: f64, // [ms]
}

/// A model of cable cells, artificial cells and their connections, to be built into a
/// [`Group`].
#[derive(Clone)]
pub struct CableModel {
    catalogue: Catalogue,
    morph: Morphology,
    sec_cell: Vec<CellId>,
    cells: Vec<String>,
    inserted: Vec<Vec<usize>>,
    range_sets: Vec<RangeSet>,
    ion_sets: Vec<IonSet>,
    /// Ions inserted into a section by name (`insert ca_ion`), used by no mechanism there.
    ion_inserts: Vec<(SecId, String)>,
    /// Model-wide initial concentrations (`cai0_ca_ion`, `cao0_ca_ion`) `[mM]`.
    ion_defaults: Vec<(String, IonVar, f64)>,
    ion_styles: Vec<(SecId, String, u16)>,
    globals: Vec<(usize, usize, f64)>,
    points: Vec<PointDef>,
    arts: Vec<ArtDef>,
    sources: Vec<(Source, f64)>,
    netcons: Vec<NetConDef>,
    /// Per source: (record its spikes, export them).
    source_flags: Vec<(bool, bool)>,
    /// Source -> index, for sharing sources (NEURON's one `PreSyn` per variable).
    source_index: HashMap<SourceKey, u32>,
    vinit: Vec<(SecId, f64)>,
    probes: Vec<(String, ProbeSpec)>,
    species: Vec<IonSpecies>,
    /// Ions the catalogue declares inconsistently (no or conflicting VALENCE), with the
    /// reason: an error when a mechanism using one is instantiated.
    ion_errors: Vec<(String, String)>,
    /// Temperature `[degC]` (NEURON default 6.3).
    pub celsius: f64,
    /// Time step `[ms]` (NEURON default 0.025).
    pub dt: f64,
    /// Integration method.
    pub method: Method,
    /// Merge identical linear synapses at the same node into one instance.
    pub coalesce_synapses: bool,
    /// When traces are sampled.
    pub recording: Recording,
}

/// When a [`Group`](crate::Group) samples its probes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Recording {
    /// At the end of every step, after the states advanced and before the events due by
    /// `t` (NEURON's `Vector.record(&x)`, `fixed_record_continuous`), and at `t = 0`.
    EveryStep,
    /// NEURON's `Vector.record(&x, Dt)` (`VecRecordDt`), which NetPyNE uses with
    /// `recordStep`: a record event at 0, then at `tt + Dt` each time one is delivered, so
    /// sample times accumulate by repeated addition. The event is delivered with the
    /// others: at the end of a step when its time is `<= t`, otherwise at the start of the
    /// next step, after thresholds and `WATCH` conditions fired and the events due before
    /// it were delivered. The recorded time is the event's time `[ms]`.
    Interval(f64),
}

impl CableModel {
    /// An empty model using the mechanisms of `catalogue`.
    #[must_use]
    pub fn new(catalogue: Catalogue) -> Self {
        let (species, ion_errors) = IonSpecies::of_catalogue(&catalogue);
        Self {
            catalogue,
            morph: Morphology::new(),
            sec_cell: Vec::new(),
            cells: Vec::new(),
            inserted: Vec::new(),
            range_sets: Vec::new(),
            ion_sets: Vec::new(),
            ion_inserts: Vec::new(),
            ion_defaults: Vec::new(),
            ion_styles: Vec::new(),
            globals: Vec::new(),
            points: Vec::new(),
            arts: Vec::new(),
            sources: Vec::new(),
            netcons: Vec::new(),
            source_flags: Vec::new(),
            source_index: HashMap::new(),
            vinit: Vec::new(),
            probes: Vec::new(),
            species,
            ion_errors,
            celsius: 6.3,
            dt: 0.025,
            method: Method::BackwardEuler,
            coalesce_synapses: false,
            recording: Recording::EveryStep,
        }
    }

    #[must_use]
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    #[must_use]
    pub fn morphology(&self) -> &Morphology {
        &self.morph
    }

    /// Mutable access to the sections (geometry, connections).
    pub fn morphology_mut(&mut self) -> &mut Morphology {
        &mut self.morph
    }

    /// Declare a cell (used in messages and as the owner of sections).
    pub fn add_cell(&mut self, name: &str) -> CellId {
        self.cells.push(name.to_owned());
        CellId((self.cells.len() - 1) as u32)
    }

    #[must_use]
    pub fn cell_name(&self, c: CellId) -> &str {
        &self.cells[c.0 as usize]
    }

    /// Add a section to a cell.
    pub fn add_section(&mut self, cell: CellId, section: Section) -> SecId {
        self.sec_cell.push(cell);
        self.inserted.push(Vec::new());
        self.morph.add(section)
    }

    fn sec_context(&self, sec: SecId) -> String {
        let cell = self
            .sec_cell
            .get(sec.index())
            .map_or("?", |c| self.cells[c.0 as usize].as_str());
        let name = self
            .morph
            .sections()
            .get(sec.index())
            .map_or("?", |s| s.name.as_str());
        format!("cell `{cell}`, section `{name}`")
    }

    fn check_sec(&self, sec: SecId) -> Result<(), BuildError> {
        if sec.index() < self.morph.len() {
            Ok(())
        } else {
            Err(BuildError::Invalid {
                context: "model".into(),
                why: format!("no section with index {}", sec.0),
            })
        }
    }

    fn mech_index(&self, context: &str, name: &str, kind: MechKind) -> Result<usize, BuildError> {
        let Some(i) = self.catalogue.index_of(name) else {
            return Err(BuildError::UnknownMechanism {
                context: context.to_owned(),
                name: name.to_owned(),
                suggestion: suggest(name, self.catalogue.names()).map(str::to_owned),
            });
        };
        let actual = self.catalogue.by_index(i).info().kind;
        if actual != kind {
            return Err(BuildError::WrongKind {
                context: context.to_owned(),
                mech: name.to_owned(),
                actual: kind_name(actual),
                expected: kind_name(kind),
            });
        }
        Ok(i)
    }

    fn field_index(&self, context: &str, mech: usize, name: &str) -> Result<usize, BuildError> {
        let info = self.catalogue.by_index(mech).info();
        info.field(name)
            .ok_or_else(|| BuildError::UnknownParameter {
                context: context.to_owned(),
                mech: info.name.clone(),
                name: name.to_owned(),
                suggestion: suggest(name, info.field_names()).map(str::to_owned),
            })
    }

    /// `insert mech` into a section.
    pub fn insert(&mut self, sec: SecId, mech: &str) -> Result<(), BuildError> {
        self.check_sec(sec)?;
        let ctx = self.sec_context(sec);
        let m = self.mech_index(&ctx, mech, MechKind::Density)?;
        if !self.inserted[sec.index()].contains(&m) {
            self.inserted[sec.index()].push(m);
        }
        Ok(())
    }

    /// Set a density mechanism parameter section-wide (`x = None`) or in the segment
    /// containing `x`.
    pub fn set_density(
        &mut self,
        sec: SecId,
        x: Option<f64>,
        mech: &str,
        field: &str,
        value: f64,
    ) -> Result<(), BuildError> {
        self.check_sec(sec)?;
        let ctx = self.sec_context(sec);
        let m = self.mech_index(&ctx, mech, MechKind::Density)?;
        if !self.inserted[sec.index()].contains(&m) {
            return Err(BuildError::NotInserted {
                context: ctx,
                mech: mech.to_owned(),
                section: self.morph.section(sec).name.clone(),
            });
        }
        let f = self.field_index(&ctx, m, field)?;
        check_finite(&ctx, &format!("{field}_{mech}"), value)?;
        let seg = match x {
            None => None,
            Some(x) => Some(
                self.morph
                    .section(sec)
                    .segment_index(x)
                    .map_err(|e| self.morph_err(sec, e))?,
            ),
        };
        self.range_sets.push(RangeSet {
            sec,
            seg,
            mech: m,
            field: f,
            value,
        });
        Ok(())
    }

    /// Initial membrane potential `[mV]` of a section's segments, applied after the
    /// model-wide `v_init` and before `INITIAL` blocks (NetPyNE's section `vinit`).
    pub fn set_vinit(&mut self, sec: SecId, v: f64) -> Result<(), BuildError> {
        self.check_sec(sec)?;
        check_finite(&self.sec_context(sec), "vinit", v)?;
        self.vinit.push((sec, v));
        Ok(())
    }

    /// Set a `GLOBAL` of a mechanism (e.g. `usetable` of `hh`).
    pub fn set_global(&mut self, mech: &str, name: &str, value: f64) -> Result<(), BuildError> {
        let ctx = format!("global `{name}_{mech}`");
        let Some(m) = self.catalogue.index_of(mech) else {
            return Err(BuildError::UnknownMechanism {
                context: ctx,
                name: mech.to_owned(),
                suggestion: suggest(mech, self.catalogue.names()).map(str::to_owned),
            });
        };
        let info = self.catalogue.by_index(m).info();
        let Some(g) = info.global(name) else {
            return Err(BuildError::UnknownParameter {
                context: ctx,
                mech: mech.to_owned(),
                name: name.to_owned(),
                suggestion: suggest(name, info.globals.iter().map(|g| g.name.as_str()))
                    .map(str::to_owned),
            });
        };
        check_finite(&ctx, name, value)?;
        self.globals.push((m, g, value));
        Ok(())
    }

    /// Set an ion variable section-wide (`sec.ena = 50`).
    pub fn set_ion(
        &mut self,
        sec: SecId,
        ion: &str,
        var: IonVar,
        value: f64,
    ) -> Result<(), BuildError> {
        self.check_sec(sec)?;
        let ctx = self.sec_context(sec);
        if !self.species.iter().any(|s| s.name == ion) {
            return Err(BuildError::UnknownIon {
                context: ctx,
                ion: ion.to_owned(),
            });
        }
        check_finite(&ctx, ion, value)?;
        self.ion_sets.push(IonSet {
            sec,
            ion: ion.to_owned(),
            var,
            value,
        });
        Ok(())
    }

    /// Insert an ion mechanism into a section (`sec.insert('ca_ion')`, as NetPyNE's
    /// `_addIons` does for a section's `ions`): every segment gets an instance of the ion,
    /// with style 0 unless a mechanism there promotes it, so its values stay as set.
    pub fn insert_ion(&mut self, sec: SecId, ion: &str) -> Result<(), BuildError> {
        self.check_sec(sec)?;
        self.check_ion(sec, ion)?;
        self.ion_inserts.push((sec, ion.to_owned()));
        Ok(())
    }

    /// A model-wide initial concentration `[mM]`, NEURON's `cai0_ca_ion` (`Conci`) and
    /// `cao0_ca_ion` (`Conco`): what `finitialize` gives the concentrations of instances
    /// whose style initializes them.
    pub fn set_ion_default(
        &mut self,
        ion: &str,
        var: IonVar,
        value: f64,
    ) -> Result<(), BuildError> {
        let ctx = format!(
            "global `{ion}{}0_{ion}_ion`",
            if var == IonVar::Conco { "o" } else { "i" }
        );
        if !self.species.iter().any(|s| s.name == ion) {
            return Err(BuildError::UnknownIon {
                context: ctx,
                ion: ion.to_owned(),
            });
        }
        if !matches!(var, IonVar::Conci | IonVar::Conco) {
            return Err(BuildError::Invalid {
                context: ctx,
                why: "only inner and outer concentrations have model-wide initial values".into(),
            });
        }
        check_finite(&ctx, ion, value)?;
        self.ion_defaults.push((ion.to_owned(), var, value));
        Ok(())
    }

    fn check_ion(&self, sec: SecId, ion: &str) -> Result<(), BuildError> {
        if self.species.iter().any(|s| s.name == ion) {
            Ok(())
        } else {
            Err(BuildError::UnknownIon {
                context: self.sec_context(sec),
                ion: ion.to_owned(),
            })
        }
    }

    /// NEURON's `ion_style` for the ion in a section.
    pub fn set_ion_style(&mut self, sec: SecId, ion: &str, style: u16) -> Result<(), BuildError> {
        self.check_sec(sec)?;
        if !self.species.iter().any(|s| s.name == ion) {
            return Err(BuildError::UnknownIon {
                context: self.sec_context(sec),
                ion: ion.to_owned(),
            });
        }
        self.ion_styles.push((sec, ion.to_owned(), style));
        Ok(())
    }

    /// Declare a further ion species (`USEION x VALENCE z` of a loaded mechanism).
    pub fn add_ion_species(&mut self, s: IonSpecies) {
        if !self.species.iter().any(|x| x.name == s.name) {
            self.species.push(s);
        }
    }

    /// Place a point process at `sec(x)`.
    pub fn add_point(&mut self, mech: &str, sec: SecId, x: f64) -> Result<PointId, BuildError> {
        self.check_sec(sec)?;
        let ctx = self.sec_context(sec);
        let m = self.mech_index(&ctx, mech, MechKind::Point)?;
        if !(0.0..=1.0).contains(&x) {
            return Err(BuildError::BadValue {
                context: ctx,
                what: format!("location of `{mech}`"),
                value: x,
                why: "must be between 0 and 1",
            });
        }
        self.points.push(PointDef {
            mech: m,
            sec,
            x,
            params: Vec::new(),
        });
        Ok(PointId((self.points.len() - 1) as u32))
    }

    /// Set a parameter of a point process.
    pub fn set_point(&mut self, p: PointId, field: &str, value: f64) -> Result<(), BuildError> {
        let def = self
            .points
            .get(p.0 as usize)
            .ok_or_else(|| BuildError::Invalid {
                context: "model".into(),
                why: format!("no point process {}", p.0),
            })?;
        let (m, sec) = (def.mech, def.sec);
        let ctx = format!(
            "{}, point process `{}`",
            self.sec_context(sec),
            self.catalogue.by_index(m).info().name
        );
        let f = self.field_index(&ctx, m, field)?;
        check_finite(&ctx, field, value)?;
        self.points[p.0 as usize].params.push((f, value));
        Ok(())
    }

    /// Create an artificial cell; `name` is used in messages.
    pub fn add_artificial(&mut self, mech: &str, name: &str) -> Result<ArtId, BuildError> {
        let ctx = format!("artificial cell `{name}`");
        let m = self.mech_index(&ctx, mech, MechKind::Artificial)?;
        self.arts.push(ArtDef {
            mech: m,
            params: Vec::new(),
            rng: None,
            vector: Vec::new(),
            name: name.to_owned(),
        });
        Ok(ArtId((self.arts.len() - 1) as u32))
    }

    /// Set a parameter of an artificial cell.
    pub fn set_artificial(&mut self, a: ArtId, field: &str, value: f64) -> Result<(), BuildError> {
        let def = self.art(a)?;
        let m = def.mech;
        let ctx = format!("artificial cell `{}`", def.name);
        let f = self.field_index(&ctx, m, field)?;
        check_finite(&ctx, field, value)?;
        self.arts[a.0 as usize].params.push((f, value));
        Ok(())
    }

    /// Set the Random123 stream ids of an artificial cell (NetStim's
    /// `noiseFromRandom123(id1, id2, id3)`).
    pub fn set_random123(
        &mut self,
        a: ArtId,
        id1: u32,
        id2: u32,
        id3: u32,
    ) -> Result<(), BuildError> {
        self.art(a)?;
        self.arts[a.0 as usize].rng = Some((id1, id2, id3));
        Ok(())
    }

    /// Set the vector of an artificial cell (VecStim's event times `[ms]`).
    pub fn set_vector(&mut self, a: ArtId, v: Vec<f64>) -> Result<(), BuildError> {
        let def = self.art(a)?;
        if let Some(bad) = v.iter().find(|x| !x.is_finite()) {
            return Err(BuildError::BadValue {
                context: format!("artificial cell `{}`", def.name),
                what: "event time".into(),
                value: *bad,
                why: "must be finite",
            });
        }
        self.arts[a.0 as usize].vector = v;
        Ok(())
    }

    fn art(&self, a: ArtId) -> Result<&ArtDef, BuildError> {
        self.arts
            .get(a.0 as usize)
            .ok_or_else(|| BuildError::Invalid {
                context: "model".into(),
                why: format!("no artificial cell {}", a.0),
            })
    }

    /// A spike source. Voltage sources at the same location are shared (NEURON's
    /// `PreSyn`); `threshold` `[mV]` applies to voltage sources.
    pub fn add_source(&mut self, source: Source, threshold: f64) -> Result<SourceId, BuildError> {
        match source {
            Source::Voltage { sec, x } => {
                self.check_sec(sec)?;
                if !(0.0..=1.0).contains(&x) {
                    return Err(BuildError::BadValue {
                        context: self.sec_context(sec),
                        what: "spike detector location".into(),
                        value: x,
                        why: "must be between 0 and 1",
                    });
                }
                check_finite(&self.sec_context(sec), "threshold", threshold)?;
            }
            Source::Point(p) if p.0 as usize >= self.points.len() => {
                return Err(BuildError::Invalid {
                    context: "source".into(),
                    why: format!("no point process {}", p.0),
                });
            }
            Source::Artificial(a) => {
                self.art(a)?;
            }
            Source::PointField { point, field } => {
                let def = self
                    .points
                    .get(point.0 as usize)
                    .ok_or_else(|| BuildError::Invalid {
                        context: "source".into(),
                        why: format!("no point process {}", point.0),
                    })?;
                if field as usize >= self.catalogue.by_index(def.mech).info().fields.len() {
                    return Err(BuildError::Invalid {
                        context: "source".into(),
                        why: format!("no field {field}"),
                    });
                }
                check_finite("source", "threshold", threshold)?;
            }
            Source::Point(_) | Source::External(_) => {}
        }
        let key = SourceKey::of(&source);
        if let Some(&i) = self.source_index.get(&key) {
            self.sources[i as usize].1 = threshold;
            return Ok(SourceId(i));
        }
        let i = self.sources.len() as u32;
        self.sources.push((source, threshold));
        self.source_flags.push((false, false));
        self.source_index.insert(key, i);
        Ok(SourceId(i))
    }

    /// The source "field `name` of point process `point` crossing a threshold".
    pub fn point_field_source(&self, point: PointId, name: &str) -> Result<Source, BuildError> {
        let def = self
            .points
            .get(point.0 as usize)
            .ok_or_else(|| BuildError::Invalid {
                context: "source".into(),
                why: format!("no point process {}", point.0),
            })?;
        let ctx = format!(
            "{}, point process `{}`",
            self.sec_context(def.sec),
            self.catalogue.by_index(def.mech).info().name
        );
        let f = self.field_index(&ctx, def.mech, name)?;
        Ok(Source::PointField {
            point,
            field: f as u32,
        })
    }

    /// Connect a source to a target (or to nothing: a pure spike detector), with the
    /// first weight and a delay `[ms]`.
    pub fn connect(
        &mut self,
        source: SourceId,
        target: Option<Target>,
        weight: f64,
        delay: f64,
    ) -> Result<NetConId, BuildError> {
        let ctx = format!("connection from source {}", source.0);
        if source.0 as usize >= self.sources.len() {
            return Err(BuildError::Invalid {
                context: ctx,
                why: "no such source".into(),
            });
        }
        if !(delay >= 0.0) || !delay.is_finite() {
            return Err(BuildError::BadValue {
                context: ctx,
                what: "delay".into(),
                value: delay,
                why: "must be >= 0",
            });
        }
        check_finite(&ctx, "weight", weight)?;
        if let Some(t) = target {
            let m = match t {
                Target::Point(p) => self.points.get(p.0 as usize).map(|d| d.mech),
                Target::Artificial(a) => self.arts.get(a.0 as usize).map(|d| d.mech),
            };
            let Some(m) = m else {
                return Err(BuildError::Invalid {
                    context: ctx,
                    why: "no such target".into(),
                });
            };
            let info = self.catalogue.by_index(m).info();
            if info.net_receive_args.is_none() {
                return Err(BuildError::Invalid {
                    context: ctx,
                    why: format!(
                        "mechanism `{}` has no NET_RECEIVE block and cannot receive events",
                        info.name
                    ),
                });
            }
        }
        let order = self.netcons.len() as u64;
        self.netcons.push(NetConDef {
            order,
            source,
            target,
            weight,
            weight_index: 0,
            delay,
        });
        Ok(NetConId((self.netcons.len() - 1) as u32))
    }

    /// Put the connection's weight in slot `k` of its weight vector instead of slot 0
    /// (the other slots start at zero); NetPyNE's `weightIndex`, e.g. to reach one of
    /// several synapses a point process exposes through its `NET_RECEIVE` arguments.
    pub fn set_weight_index(&mut self, nc: NetConId, k: usize) -> Result<(), BuildError> {
        let def = self
            .netcons
            .get(nc.0 as usize)
            .ok_or_else(|| missing_netcon(nc))?;
        if let Some(t) = def.target {
            let m = match t {
                Target::Point(p) => self.points[p.0 as usize].mech,
                Target::Artificial(a) => self.arts[a.0 as usize].mech,
            };
            let n = self
                .catalogue
                .by_index(m)
                .info()
                .net_receive_args
                .unwrap_or(1);
            if k >= n {
                return Err(BuildError::Invalid {
                    context: format!("connection {}", nc.0),
                    why: format!(
                        "weight index {k}, but `{}` takes {n} NET_RECEIVE arguments",
                        self.catalogue.by_index(m).info().name
                    ),
                });
            }
        }
        self.netcons[nc.0 as usize].weight_index = k;
        Ok(())
    }

    /// Set the key that orders this connection's events among events due at the same
    /// time (default: creation order). Network builders give every connection a key
    /// that does not depend on how cells are distributed over groups.
    pub fn set_connection_order(&mut self, nc: NetConId, key: u64) -> Result<(), BuildError> {
        let def = self
            .netcons
            .get_mut(nc.0 as usize)
            .ok_or_else(|| missing_netcon(nc))?;
        def.order = key;
        Ok(())
    }

    /// Record the spikes of a source.
    pub fn record_spikes(&mut self, source: SourceId) {
        if let Some(f) = self.source_flags.get_mut(source.0 as usize) {
            f.0 = true;
        }
    }

    /// Put the spikes of a source in the group's outgoing buffer
    /// ([`Group::take_outgoing`](crate::Group::take_outgoing)) for exchange with other
    /// groups.
    pub fn export_spikes(&mut self, source: SourceId) {
        if let Some(f) = self.source_flags.get_mut(source.0 as usize) {
            f.1 = true;
        }
    }

    /// Record a trace under a name.
    pub fn record(&mut self, name: &str, probe: ProbeSpec) {
        self.probes.push((name.to_owned(), probe));
    }

    /// Resolve a NEURON range variable name at a location: `v`, `<field>_<mech>`,
    /// `i<ion>`, `e<ion>`, `<ion>i`, `<ion>o`.
    pub fn range_probe(&self, sec: SecId, x: f64, name: &str) -> Result<ProbeSpec, BuildError> {
        if name == "v" {
            return Ok(ProbeSpec::Voltage { sec, x });
        }
        // `<var>_<mech>`; both may contain `_` (`g_pas`, `m_kc_tb`): the first split
        // whose right part names a mechanism.
        for (i, _) in name.match_indices('_') {
            let (field, mech) = (&name[..i], &name[i + 1..]);
            if !field.is_empty() && self.catalogue.index_of(mech).is_some() {
                return Ok(ProbeSpec::Density {
                    sec,
                    x,
                    mech: mech.to_owned(),
                    field: field.to_owned(),
                });
            }
        }
        for s in &self.species {
            let n = s.name.as_str();
            let var = if name == format!("i{n}") {
                Some(IonVar::Cur)
            } else if name == format!("e{n}") {
                Some(IonVar::Erev)
            } else if name == format!("{n}i") {
                Some(IonVar::Conci)
            } else if name == format!("{n}o") {
                Some(IonVar::Conco)
            } else {
                None
            };
            if let Some(var) = var {
                return Ok(ProbeSpec::Ion {
                    sec,
                    x,
                    ion: n.to_owned(),
                    var,
                });
            }
        }
        Err(BuildError::Invalid {
            context: self.sec_context(sec),
            why: format!(
                "`{name}` is not a range variable (expected `v`, `<var>_<mech>` or an ion variable)"
            ),
        })
    }

    fn morph_err(&self, sec: SecId, e: ranvier_morph::MorphError) -> BuildError {
        let cell = self
            .sec_cell
            .get(sec.index())
            .map_or("?", |c| self.cells[c.0 as usize].as_str());
        BuildError::Morph {
            cell: cell.to_owned(),
            source: e,
        }
    }

    /// Lower the model into a runnable [`Group`].
    pub fn build(&self) -> Result<Group, BuildError> {
        if !(self.dt > 0.0) || !self.dt.is_finite() {
            return Err(BuildError::BadValue {
                context: "simulation".into(),
                what: "dt".into(),
                value: self.dt,
                why: "must be positive",
            });
        }
        check_finite("simulation", "celsius", self.celsius)?;
        if let Recording::Interval(step) = self.recording
            && !(step > 0.0 && step.is_finite())
        {
            return Err(BuildError::Invalid {
                context: "simulation".into(),
                why: format!("record step {step} ms must be positive and finite"),
            });
        }
        let mut morph = self.morph.clone();
        // Validate each section with its cell's name in the message.
        for (i, s) in morph.sections().iter().enumerate() {
            let mut one = Morphology::new();
            let mut s = s.clone();
            s.parent = None;
            one.add(s);
            one.validate()
                .map_err(|e| self.morph_err(SecId(i as u32), e))?;
        }
        let order = morph.topological_order().map_err(|e| BuildError::Morph {
            cell: "model".into(),
            source: e,
        })?;
        let geom = morph.geometry().map_err(|e| BuildError::Morph {
            cell: "model".into(),
            source: e,
        })?;
        let secs = morph.sections();

        // Node numbering: root nodes first, then each section's nodes (segment centres
        // then the far end), sections in topological order.
        let roots: Vec<SecId> = order
            .iter()
            .copied()
            .filter(|s| secs[s.index()].parent.is_none())
            .collect();
        let mut root_node = vec![u32::MAX; secs.len()];
        for (i, r) in roots.iter().enumerate() {
            root_node[r.index()] = i as u32;
        }
        let n_root = roots.len();
        let mut start = vec![0u32; secs.len()];
        let mut n = n_root;
        for s in &order {
            start[s.index()] = n as u32;
            n += secs[s.index()].nseg() + 1;
        }
        // The root node each section hangs from (for root sections, their own).
        let mut sec_root = vec![u32::MAX; secs.len()];
        for s in &order {
            sec_root[s.index()] = match secs[s.index()].parent {
                None => root_node[s.index()],
                Some(a) => sec_root[a.parent.index()],
            };
        }
        let parentnode = |s: SecId| -> u32 {
            match secs[s.index()].parent {
                None => sec_root[s.index()],
                Some(a) => node_exact(secs, &start, &sec_root, a.parent, a.x),
            }
        };

        let mut area = vec![100.0; n]; // [um2]
        let mut a = vec![0.0; n]; // [S/cm2]
        let mut b = vec![0.0; n]; // [S/cm2]
        let mut cm = vec![0.0; n]; // [uF/cm2]
        let mut node_diam = vec![0.0; n]; // [um] (0 at zero-area end nodes)
        let mut parent = vec![u32::MAX; n];
        let mut owner = vec![
            NodeOwner {
                sec: u32::MAX,
                x: 0.0
            };
            n
        ];
        for (i, r) in roots.iter().enumerate() {
            owner[i] = NodeOwner {
                sec: r.0,
                x: if secs[r.index()].reversed { 1.0 } else { 0.0 },
            };
        }
        for s in &order {
            let sec = &secs[s.index()];
            let g = &geom[s.index()];
            let st = start[s.index()] as usize;
            let nseg = sec.nseg();
            for j in 0..=nseg {
                area[st + j] = g.area[j];
                parent[st + j] = if j == 0 {
                    parentnode(*s)
                } else {
                    (st + j - 1) as u32
                };
                if j < nseg {
                    cm[st + j] = sec.cm[j];
                    node_diam[st + j] = sec.diam()[j];
                }
                let xf = if j < nseg {
                    (j as f64 + 0.5) / nseg as f64
                } else {
                    1.0
                };
                owner[st + j] = NodeOwner {
                    sec: s.0,
                    x: if sec.reversed { 1.0 - xf } else { xf },
                };
            }
        }
        // NEURON's connection_coef (rall_branch = 1).
        for s in &order {
            let g = &geom[s.index()];
            let st = start[s.index()] as usize;
            for j in 0..=secs[s.index()].nseg() {
                let nd = st + j;
                let pa = parent[nd] as usize;
                a[nd] = -1.0e2 * g.rinv[j] / area[pa];
                b[nd] = -1.0e2 * g.rinv[j] / area[nd];
            }
        }

        // Mechanism slots in catalogue (registration) order.
        let ncat = self.catalogue.len();
        let mut datas: Vec<Option<MechInstances>> = vec![None; ncat];
        let mut seg_inst: HashMap<(usize, u32), u32> = HashMap::new(); // (mech, node) -> instance
        for s in &order {
            let sec = &secs[s.index()];
            let st = start[s.index()];
            let mut mechs = self.inserted[s.index()].clone();
            mechs.sort_unstable();
            for m in mechs {
                let info = self.catalogue.by_index(m).info();
                let d = datas[m].get_or_insert_with(|| MechInstances::new(info));
                for j in 0..sec.nseg() as u32 {
                    let nd = (st + j) as usize;
                    let inst = d.push(info, st + j);
                    // What `area` and `diam` read in a density mechanism.
                    d.area_factor[inst] = 1.0e2 / area[nd];
                    d.diam[inst] = node_diam[nd];
                    seg_inst.insert((m, st + j), inst as u32);
                }
            }
        }
        for rs in &self.range_sets {
            let st = start[rs.sec.index()];
            let nseg = secs[rs.sec.index()].nseg();
            let d = datas[rs.mech]
                .as_mut()
                .expect("inserted mechanism has instances");
            let segs: Vec<usize> = match rs.seg {
                Some(j) => vec![j],
                None => (0..nseg).collect(),
            };
            for j in segs {
                let inst = seg_inst[&(rs.mech, st + j as u32)];
                d.fields[rs.field][inst as usize] = rs.value;
            }
        }
        for &(m, g, v) in &self.globals {
            if let Some(d) = datas[m].as_mut() {
                d.globals[g] = v;
            }
        }

        // Point processes.
        let mut point_map = Vec::with_capacity(self.points.len());
        let mut coalesce: HashMap<(usize, u32, Vec<u64>), u32> = HashMap::new();
        for p in &self.points {
            let info = self.catalogue.by_index(p.mech).info();
            let node = node_exact(secs, &start, &sec_root, p.sec, p.x);
            let d = datas[p.mech].get_or_insert_with(|| MechInstances::new(info));
            let mut fields: Vec<f64> = info.fields.iter().map(|f| f.default).collect();
            for &(f, v) in &p.params {
                fields[f] = v;
            }
            if self.coalesce_synapses && info.coalescable {
                let key = (
                    p.mech,
                    node,
                    fields.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                );
                if let Some(&inst) = coalesce.get(&key) {
                    point_map.push(inst);
                    continue;
                }
                let inst = d.push(info, node) as u32;
                coalesce.insert(key, inst);
                for (f, v) in fields.iter().enumerate() {
                    d.fields[f][inst as usize] = *v;
                }
                d.area_factor[inst as usize] = 1.0e2 / area[node as usize];
                d.diam[inst as usize] = node_diam[node as usize];
                point_map.push(inst);
            } else {
                let inst = d.push(info, node) as u32;
                for (f, v) in fields.iter().enumerate() {
                    d.fields[f][inst as usize] = *v;
                }
                d.area_factor[inst as usize] = 1.0e2 / area[node as usize];
                d.diam[inst as usize] = node_diam[node as usize];
                point_map.push(inst);
            }
        }
        // Artificial cells.
        let mut art_map = Vec::with_capacity(self.arts.len());
        // NEURON 9 gives the k-th instance with a RANDOM stream the ids (1, rank, k).
        let mut random_count = 0u32;
        for ad in &self.arts {
            let info = self.catalogue.by_index(ad.mech).info();
            let d = datas[ad.mech].get_or_insert_with(|| MechInstances::new(info));
            let inst = d.push(info, u32::MAX);
            for &(f, v) in &ad.params {
                d.fields[f][inst] = v;
            }
            if info.uses_random {
                random_count += 1;
                let (i1, i2, i3) = ad.rng.unwrap_or((1, 0, random_count));
                d.rng[inst] = Nrnran123::new(i1, i2, i3);
            }
            if info.uses_vector {
                d.vectors[inst] = ad.vector.clone();
            }
            art_map.push(inst as u32);
        }

        // Ions: one instance per node carrying a mechanism that uses the ion.
        let mut ions: Vec<IonInstances> = self
            .species
            .iter()
            .map(|s| {
                let global = |var| {
                    self.ion_defaults
                        .iter()
                        .rev()
                        .find(|(n, v, _)| n == &s.name && *v == var)
                        .map(|d| d.2)
                };
                IonInstances {
                    charge: s.charge,
                    conci0: global(IonVar::Conci).unwrap_or(s.conci0),
                    conco0: global(IonVar::Conco).unwrap_or(s.conco0),
                    ..Default::default()
                }
            })
            .collect();
        let mut ion_at: Vec<HashMap<u32, u32>> = vec![HashMap::new(); self.species.len()];
        let mut slots = Vec::new();
        let mut slot_of_mech = vec![u32::MAX; ncat];
        for (m, d) in datas.into_iter().enumerate() {
            let Some(mut d) = d else { continue };
            let mech: Arc<dyn Mechanism> = self.catalogue.by_index(m).clone();
            let info = mech.info();
            let mut ion_ids = Vec::with_capacity(info.ions.len());
            for (k, dep) in info.ions.iter().enumerate() {
                if let Some((_, why)) = self.ion_errors.iter().find(|(n, _)| n == &dep.ion) {
                    return Err(BuildError::Invalid {
                        context: format!("mechanism `{}`", info.name),
                        why: why.clone(),
                    });
                }
                let Some(sp) = self.species.iter().position(|s| s.name == dep.ion) else {
                    return Err(BuildError::UnknownIon {
                        context: format!("mechanism `{}`", info.name),
                        ion: dep.ion.clone(),
                    });
                };
                ion_ids.push(sp);
                if info.kind == MechKind::Artificial {
                    continue;
                }
                let (conc, rev) = dep.promote_levels();
                for i in 0..d.len() {
                    let idx =
                        ion_instance(&mut ions[sp], &mut ion_at[sp], &self.species[sp], d.node[i]);
                    let ion = &mut ions[sp];
                    ion.style[idx as usize] =
                        ion_style::promote(ion.style[idx as usize], conc, rev);
                    d.ion_index[k][i] = idx;
                }
            }
            slot_of_mech[m] = slots.len() as u32;
            let w_len = info.net_receive_args.unwrap_or(1).max(1) as u32;
            slots.push(Slot {
                mech,
                data: d,
                ion_ids,
                source_of: Vec::new(),
                w_len,
            });
        }
        for (sec, name) in &self.ion_inserts {
            let sp = self
                .species
                .iter()
                .position(|s| &s.name == name)
                .expect("checked");
            let s0 = start[sec.index()];
            for j in 0..secs[sec.index()].nseg() as u32 {
                ion_instance(&mut ions[sp], &mut ion_at[sp], &self.species[sp], s0 + j);
            }
        }
        for st in &self.ion_styles {
            let sp = self
                .species
                .iter()
                .position(|s| s.name == st.1)
                .expect("checked");
            let s0 = start[st.0.index()];
            for j in 0..secs[st.0.index()].nseg() as u32 {
                if let Some(&idx) = ion_at[sp].get(&(s0 + j)) {
                    let keep = ions[sp].style[idx as usize] & !0o177;
                    ions[sp].style[idx as usize] = keep | st.2;
                }
            }
        }
        for set in &self.ion_sets {
            let sp = self
                .species
                .iter()
                .position(|s| s.name == set.ion)
                .expect("checked");
            let s0 = start[set.sec.index()];
            let mut any = false;
            for j in 0..secs[set.sec.index()].nseg() as u32 {
                if let Some(&idx) = ion_at[sp].get(&(s0 + j)) {
                    any = true;
                    let ion = &mut ions[sp];
                    let v = match set.var {
                        IonVar::Erev => &mut ion.erev,
                        IonVar::Conci => &mut ion.conci,
                        IonVar::Conco => &mut ion.conco,
                        IonVar::Cur => &mut ion.cur,
                    };
                    v[idx as usize] = set.value;
                }
            }
            if !any {
                return Err(BuildError::Invalid {
                    context: self.sec_context(set.sec),
                    why: format!(
                        "ion `{}` is not used by any mechanism inserted here",
                        set.ion
                    ),
                });
            }
        }

        // Sources and connections.
        let resolve_target = |t: Target| -> (u32, u32) {
            match t {
                Target::Point(p) => {
                    let m = self.points[p.0 as usize].mech;
                    (slot_of_mech[m], point_map[p.0 as usize])
                }
                Target::Artificial(x) => {
                    let m = self.arts[x.0 as usize].mech;
                    (slot_of_mech[m], art_map[x.0 as usize])
                }
            }
        };
        let mut sources = Vec::with_capacity(self.sources.len());
        for (i, &(src, thr)) in self.sources.iter().enumerate() {
            let kind = match src {
                Source::Voltage { sec, x } => SourceKind::Voltage {
                    node: node_exact(secs, &start, &sec_root, sec, x),
                    threshold: thr,
                },
                Source::Point(_) | Source::Artificial(_) => {
                    // net_event of this instance fires source i.
                    let target = match src {
                        Source::Point(p) => Target::Point(p),
                        Source::Artificial(a) => Target::Artificial(a),
                        _ => unreachable!("matched above"),
                    };
                    let (slot, inst) = resolve_target(target);
                    let sl = &mut slots[slot as usize];
                    if sl.source_of.is_empty() {
                        sl.source_of = vec![u32::MAX; sl.data.len()];
                    }
                    sl.source_of[inst as usize] = i as u32;
                    SourceKind::Event
                }
                Source::External(_) => SourceKind::External,
                Source::PointField { point, field } => {
                    let (slot, inst) = resolve_target(Target::Point(point));
                    SourceKind::Field {
                        slot,
                        field,
                        inst,
                        threshold: thr,
                    }
                }
            };
            sources.push(SourceState {
                kind,
                flag: false,
                netcons: Vec::new(),
                record: self.source_flags[i].0,
                export: self.source_flags[i].1,
            });
        }
        // Connections are stored grouped by source (creation order within a source), so
        // a firing source walks contiguous memory; `nc_pos` maps a `NetConId` to its
        // position.
        let mut by_source: Vec<Vec<usize>> = vec![Vec::new(); sources.len()];
        for (i, nc) in self.netcons.iter().enumerate() {
            by_source[nc.source.0 as usize].push(i);
        }
        let mut netcons = Vec::with_capacity(self.netcons.len());
        let mut nc_pos = vec![0u32; self.netcons.len()];
        let mut weights = Vec::new();
        for (src, ids) in by_source.iter().enumerate() {
            for &i in ids {
                let nc = &self.netcons[i];
                let (target, nw) = match nc.target {
                    Some(t) => {
                        let (slot, inst) = resolve_target(t);
                        let nw = slots[slot as usize]
                            .mech
                            .info()
                            .net_receive_args
                            .unwrap_or(1)
                            .max(1);
                        (Some((slot, inst)), nw)
                    }
                    None => (None, 1),
                };
                let off = weights.len() as u32;
                weights.extend(std::iter::repeat_n(0.0, nw));
                weights[off as usize + nc.weight_index.min(nw - 1)] = nc.weight;
                let pos = netcons.len() as u32;
                nc_pos[i] = pos;
                netcons.push(NetCon {
                    target,
                    delay: nc.delay,
                    w_off: off,
                    w_len: nw as u32,
                    order: nc.order,
                });
                if target.is_some() {
                    sources[src].netcons.push(pos);
                }
            }
        }

        // Probes.
        let mut probes = Vec::with_capacity(self.probes.len());
        for (name, p) in &self.probes {
            let kind = match p {
                ProbeSpec::Voltage { sec, x } => {
                    self.check_loc(*sec, *x)?;
                    ProbeKind::Voltage(node_exact(secs, &start, &sec_root, *sec, *x))
                }
                ProbeSpec::Density {
                    sec,
                    x,
                    mech,
                    field,
                } => {
                    self.check_loc(*sec, *x)?;
                    let ctx = self.sec_context(*sec);
                    let m = self.mech_index(&ctx, mech, MechKind::Density)?;
                    let f = self.field_index(&ctx, m, field)?;
                    let node = start[sec.index()]
                        + secs[sec.index()]
                            .segment_index(*x)
                            .map_err(|e| self.morph_err(*sec, e))? as u32;
                    let Some(&inst) = seg_inst.get(&(m, node)) else {
                        return Err(BuildError::NotInserted {
                            context: ctx,
                            mech: mech.clone(),
                            section: secs[sec.index()].name.clone(),
                        });
                    };
                    ProbeKind::Field {
                        slot: slot_of_mech[m],
                        field: f as u32,
                        inst,
                    }
                }
                ProbeSpec::Ion { sec, x, ion, var } => {
                    self.check_loc(*sec, *x)?;
                    let ctx = self.sec_context(*sec);
                    let sp = self
                        .species
                        .iter()
                        .position(|s| &s.name == ion)
                        .ok_or_else(|| BuildError::UnknownIon {
                            context: ctx.clone(),
                            ion: ion.clone(),
                        })?;
                    let node = start[sec.index()]
                        + secs[sec.index()]
                            .segment_index(*x)
                            .map_err(|e| self.morph_err(*sec, e))? as u32;
                    let Some(&inst) = ion_at[sp].get(&node) else {
                        return Err(BuildError::Invalid {
                            context: ctx,
                            why: format!("no mechanism using ion `{ion}` here"),
                        });
                    };
                    ProbeKind::Ion {
                        species: sp as u32,
                        var: *var,
                        inst,
                    }
                }
                ProbeSpec::Point { point, field } => {
                    let def =
                        self.points
                            .get(point.0 as usize)
                            .ok_or_else(|| BuildError::Invalid {
                                context: format!("probe `{name}`"),
                                why: "no such point process".into(),
                            })?;
                    let f = self.field_index(&format!("probe `{name}`"), def.mech, field)?;
                    let (slot, inst) = resolve_target(Target::Point(*point));
                    ProbeKind::Field {
                        slot,
                        field: f as u32,
                        inst,
                    }
                }
                ProbeSpec::Artificial { art, field } => {
                    let def = self.art(*art)?;
                    let f = self.field_index(&format!("probe `{name}`"), def.mech, field)?;
                    let (slot, inst) = resolve_target(Target::Artificial(*art));
                    ProbeKind::Field {
                        slot,
                        field: f as u32,
                        inst,
                    }
                }
            };
            probes.push(Probe {
                name: name.clone(),
                kind,
                data: Vec::new(),
            });
        }

        let sec_names = secs.iter().map(|s| s.name.clone()).collect();
        let sec_cells = self
            .sec_cell
            .iter()
            .map(|c| self.cells[c.0 as usize].clone())
            .collect();
        let art_names = self.arts.iter().map(|a| a.name.clone()).collect();
        Ok(Group::new(crate::group::GroupParts {
            n_root,
            parent,
            area,
            a,
            b,
            cm,
            owner,
            sec_names,
            sec_cells,
            slots,
            ions,
            species: self.species.clone(),
            sources,
            netcons,
            nc_pos,
            weights,
            probes,
            dt: self.dt,
            celsius: self.celsius,
            method: self.method,
            recording: self.recording,
            art_names,
            vinit: self
                .vinit
                .iter()
                .flat_map(|&(sec, v)| {
                    let st = start[sec.index()];
                    (0..secs[sec.index()].nseg() as u32).map(move |j| (st + j, v))
                })
                .collect(),
        }))
    }

    fn check_loc(&self, sec: SecId, x: f64) -> Result<(), BuildError> {
        self.check_sec(sec)?;
        if (0.0..=1.0).contains(&x) {
            Ok(())
        } else {
            Err(BuildError::BadValue {
                context: self.sec_context(sec),
                what: "location".into(),
                value: x,
                why: "must be between 0 and 1",
            })
        }
    }
}

/// NEURON's `node_exact`: the node at a location, with `x = 0` / `x = 1` meaning the
/// section's ends.
fn node_exact(secs: &[Section], start: &[u32], sec_root: &[u32], s: SecId, x: f64) -> u32 {
    let sec = &secs[s.index()];
    let st = start[s.index()];
    let nseg = sec.nseg() as u32;
    let near = || match sec.parent {
        None => sec_root[s.index()],
        Some(a) => node_exact(secs, start, sec_root, a.parent, a.x),
    };
    let at0 = !sec.reversed;
    if x == 0.0 {
        if at0 { near() } else { st + nseg }
    } else if x == 1.0 {
        if at0 { st + nseg } else { near() }
    } else {
        st + ranvier_morph::node_index(sec.nseg(), sec.reversed, x) as u32
    }
}

fn kind_name(k: MechKind) -> &'static str {
    match k {
        MechKind::Density => "density mechanism",
        MechKind::Point => "point process",
        MechKind::Artificial => "artificial cell",
    }
}

fn check_finite(context: &str, what: &str, v: f64) -> Result<(), BuildError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(BuildError::BadValue {
            context: context.to_owned(),
            what: what.to_owned(),
            value: v,
            why: "must be finite",
        })
    }
}

/// The error for a connection id this model did not hand out.
fn missing_netcon(nc: NetConId) -> BuildError {
    BuildError::Invalid {
        context: "model".into(),
        why: format!("no connection {}", nc.0),
    }
}

/// The instance of an ion at `node`, allocated with the species' defaults (NEURON's
/// `ion_alloc`) on first use.
fn ion_instance(
    ion: &mut IonInstances,
    at: &mut HashMap<u32, u32>,
    species: &IonSpecies,
    node: u32,
) -> u32 {
    *at.entry(node).or_insert_with(|| {
        ion.node.push(node);
        ion.erev.push(species.erev0);
        ion.conci.push(species.conci0);
        ion.conco.push(species.conco0);
        ion.cur.push(0.0);
        ion.dcurdv.push(0.0);
        ion.style.push(0);
        (ion.node.len() - 1) as u32
    })
}
