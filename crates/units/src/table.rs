//! Unit definitions transcribed from NEURON's `share/lib/nrnunits.lib.in`
//! (the file nocmodl and modlunit load), plus the prefix list hard-coded in
//! `src/modlunit/units.cpp`.
//!
//! Each line is `name<whitespace>definition`, in the database's own syntax,
//! and the lines are evaluated in order by the same algorithm that parses
//! user expressions, so factors are reproduced with NEURON's floating-point
//! operation order (e.g. `faraday = e-mole` is `1.602176634e-19 *
//! 6.02214076e23` exactly as NEURON computes it).

/// The prefixes recognised by modlunit's `lookup()`, in the order it tries
/// them (first match wins). Note: no one-letter prefixes (`m`, `u`, `k`, `M`,
/// ...) — in `nrnunits.lib` those lines are commented out, so NEURON does not
/// know `mV` unless a UNITS block declares it.
pub(crate) const PREFIXES: &[(&str, f64)] = &[
    ("atto", 1e-18),
    ("femto", 1e-15),
    ("pico", 1e-12),
    ("nano", 1e-9),
    ("micro", 1e-6),
    ("milli", 1e-3),
    ("centi", 1e-2),
    ("deci", 1e-1),
    ("deka", 1e1),
    ("hecta", 1e2),
    ("hecto", 1e2),
    ("kilo", 1e3),
    ("mega", 1e6),
    ("meg", 1e6),
    ("giga", 1e9),
    ("tera", 1e12),
];

/// Subset of `nrnunits.lib` (NEURON 9 default, CODATA 2018 constants), in
/// file order so that every definition only refers to earlier ones. The
/// primitive units (`m kg sec coul candela K`) are installed separately.
pub(crate) const NRNUNITS_SUBSET: &str = "\
fuzz            1
two             2
pi              3.14159265358979323846
c               2.99792458+8 m/sec fuzz
g               9.80665 m/sec2
mole            6.02214076+23 fuzz
e               1.602176634-19 coul fuzz
mercury         1.33322+5 kg/m2-sec2
hg              mercury
radian          .5 / pi
degree          1|180 pi-radian
steradian       radian2
sr              steradian
second          sec
s               sec
minute          60 sec
min             minute
hour            60 min
hr              hour
day             24 hr
ms              millisec
us              microsec
gram            millikg
gm              gram
mg              milligram
meter           m
cm              centimeter
mm              millimeter
km              kilometer
nm              nanometer
micron          micrometer
angstrom        decinanometer
cc              cm3
liter           kilocc
ml              milliliter
newton          kg-m/sec2
nt              newton
N               newton
joule           nt-m
cal             4.1868 joule
coulomb         coul
C               coul
ampere          coul/sec
amp             ampere
watt            joule/sec
volt            watt/amp
ohm             volt/amp
mho             /ohm
farad           coul/volt
henry           sec2/farad
weber           volt-sec
%               1|100
atmosphere      1.01325+5 nt/m2
atm             atmosphere
calorie         cal
dyne            cm-gm/sec2
electronvolt    e-volt
erg             cm2-gm/sec2
ev              e-volt
faraday         e-mole
gauss           1-4 weber/m2
hertz           /sec
Hz              hertz
boltzmann       1.380649-23 joule/K
k               boltzmann
kcal            kilocal
hz              /sec
mh              millihenry
ns              nanosec
pascal          nt/m2
percent         %
pf              picofarad
gasconstant     k-mole
R               gasconstant
siemens         /ohm
stere           m3
tesla           weber/m2
torr            mm hg
degC            K
kelvin          K
degF            5|9 degC
planck          6.62607015-34 joule-sec
hbar            planck/two-pi
V               volt
eV              e V
kilohm          kiloohm
megohm          megaohm
metre           meter
litre           liter
gramme          gram
";

/// Abbreviations that are *not* in `nrnunits.lib` but that mod files
/// conventionally declare in their UNITS block (`(mV) = (millivolt)`,
/// `(mM) = (milli/liter)`, ...). nocmodl never evaluates the units of
/// declarations or literals, so files that use them undeclared still compile
/// under NEURON; [`crate::UnitTable::common`] adds these definitions so that
/// such files can still be checked. A file's own UNITS-block definition of
/// one of these names replaces it silently.
pub(crate) const COMMON_ABBREVIATIONS: &str = "\
mV              millivolt
uV              microvolt
kV              kilovolt
A               ampere
mA              milliamp
uA              microamp
nA              nanoamp
pA              picoamp
S               siemens
mS              millisiemens
uS              microsiemens
nS              nanosiemens
pS              picosiemens
umho            micromho
mmho            millimho
kohm            kiloohm
Mohm            megohm
F               farad
uF              microfarad
nF              nanofarad
pF              picofarad
um              micron
l               liter
L               liter
molar           1/liter
M               1/liter
mM              milli/liter
uM              micro/liter
nM              nano/liter
mol             mole
mmol            millimole
kHz             kilohertz
";
