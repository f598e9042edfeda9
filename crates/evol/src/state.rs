//! Checkpoint text for [`EcState`].
//!
//! A line-oriented format, exact for every value (floats are written as the
//! 16 hex digits of their IEEE-754 bits), so a run saved and read back resumes
//! bit-identically:
//!
//! ```text
//! ranvier-evol-state 3
//! rng <seed> <gid> <purpose> <block> <word>
//! counters <num_evaluations> <num_generations> <next_birthdate> <pop_size> <maximize 0|1>
//! memo <generation_count> <temperature: - | bits> <previous_best: - | fitness>
//! termination <- | name>
//! population <n>
//! ind <birthdate> <maximize 0|1> <fitness> <genes> <bits>...   (n lines)
//! archive <m>
//! ind ...                                                      (m lines)
//! previous <k>
//! ind ...                                                      (k lines)
//! cma -            or, with a CMA-ES state:
//! cma <n> <lambda> <generation> <eigen_generation> <sigma bits>
//! mean <bits>...                                               (n values)
//! p_sigma <bits>...
//! p_c <bits>...
//! d <bits>...
//! c <bits>...                                                  (n lines: rows of C)
//! b <bits>...                                                  (n lines: rows of B)
//! pending <k>
//! x <bits>...                                                  (k lines, n values each)
//! end
//! ```
//!
//! where `<fitness>` is `s <bits>` or `p <k> <bits>...`. `previous` is
//! [`Memo::previous_population`] (the PSO's previous positions), `cma` is
//! [`Memo::cma`] (see [`CmaState`]). Version 2 text (without the `cma`
//! section) and version 1 text (without `previous` either) are still read.
//! The time-termination start time is not saved.

use std::fmt::Write as _;

use ranvier_rng::StreamKey;

use crate::cma::CmaState;
use crate::ec::{EcState, Memo};
use crate::error::StateParseError;
use crate::individual::{Fitness, Individual};
use crate::rng::{EcRng, RngState};

const MAGIC: &str = "ranvier-evol-state 3";
const MAGIC_V2: &str = "ranvier-evol-state 2";
const MAGIC_V1: &str = "ranvier-evol-state 1";

fn bits(x: f64) -> String {
    format!("{:016x}", x.to_bits())
}

fn write_fitness(out: &mut String, f: &Fitness) {
    match f {
        Fitness::Single(v) => {
            let _ = write!(out, "s {}", bits(*v));
        }
        Fitness::Pareto(v) => {
            let _ = write!(out, "p {}", v.len());
            for x in v {
                let _ = write!(out, " {}", bits(*x));
            }
        }
    }
}

fn write_floats(out: &mut String, keyword: &str, values: &[f64]) {
    out.push_str(keyword);
    for v in values {
        let _ = write!(out, " {}", bits(*v));
    }
    out.push('\n');
}

fn write_cma(out: &mut String, cma: Option<&CmaState>) {
    let Some(c) = cma else {
        out.push_str("cma -\n");
        return;
    };
    let n = c.dim();
    let _ = writeln!(
        out,
        "cma {n} {} {} {} {}",
        c.lambda,
        c.generation,
        c.eigen_generation,
        bits(c.sigma)
    );
    write_floats(out, "mean", &c.mean);
    write_floats(out, "p_sigma", &c.p_sigma);
    write_floats(out, "p_c", &c.p_c);
    write_floats(out, "d", &c.d);
    for row in c.c.chunks(n) {
        write_floats(out, "c", row);
    }
    for row in c.b.chunks(n) {
        write_floats(out, "b", row);
    }
    let _ = writeln!(out, "pending {}", c.pending.len());
    for x in &c.pending {
        write_floats(out, "x", x);
    }
}

fn write_individual(out: &mut String, ind: &Individual) {
    let _ = write!(out, "ind {} {} ", ind.birthdate, u8::from(ind.maximize));
    write_fitness(out, &ind.fitness);
    let _ = write!(out, " {}", ind.candidate.len());
    for g in &ind.candidate {
        let _ = write!(out, " {}", bits(*g));
    }
    out.push('\n');
}

impl EcState {
    /// The checkpoint text of this state (see the module docs).
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let r = self.rng.state();
        let _ = writeln!(out, "{MAGIC}");
        let _ = writeln!(
            out,
            "rng {} {} {} {} {}",
            r.key.seed, r.key.gid, r.key.purpose, r.block, r.word
        );
        let _ = writeln!(
            out,
            "counters {} {} {} {} {}",
            self.num_evaluations,
            self.num_generations,
            self.next_birthdate,
            self.pop_size,
            u8::from(self.maximize)
        );
        let _ = write!(out, "memo {} ", self.memo.generation_count);
        match self.memo.temperature {
            Some(t) => out.push_str(&bits(t)),
            None => out.push('-'),
        }
        out.push(' ');
        match &self.memo.previous_best {
            Some(f) => write_fitness(&mut out, f),
            None => out.push('-'),
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "termination {}",
            self.termination_cause.as_deref().unwrap_or("-")
        );
        let _ = writeln!(out, "population {}", self.population.len());
        for ind in &self.population {
            write_individual(&mut out, ind);
        }
        let _ = writeln!(out, "archive {}", self.archive.len());
        for ind in &self.archive {
            write_individual(&mut out, ind);
        }
        let _ = writeln!(out, "previous {}", self.memo.previous_population.len());
        for ind in &self.memo.previous_population {
            write_individual(&mut out, ind);
        }
        write_cma(&mut out, self.memo.cma.as_ref());
        out.push_str("end\n");
        out
    }

    /// Read a state written by [`EcState::to_text`].
    ///
    /// # Errors
    /// A [`StateParseError`] naming the offending line.
    pub fn from_text(text: &str) -> Result<Self, StateParseError> {
        let mut p = Parser {
            lines: text.lines().enumerate(),
            line_no: 0,
            toks: Vec::new(),
            pos: 0,
        };
        p.next_line()?;
        let header = p.toks.join(" ");
        let v1 = header == MAGIC_V1;
        let v2 = header == MAGIC_V2;
        if header != MAGIC && !v1 && !v2 {
            return Err(p.err(format!("expected `{MAGIC}`")));
        }
        p.pos = p.toks.len();
        p.next_line()?;
        p.keyword("rng")?;
        let key = StreamKey::new(p.num()?, p.num()?, p.num()?);
        let block = p.num()?;
        let word: u8 = p.num()?;
        if word > 3 {
            return Err(p.err("rng word must be 0..=3".to_owned()));
        }
        let rng = EcRng::from_state(RngState { key, block, word });
        p.next_line()?;
        p.keyword("counters")?;
        let num_evaluations = p.num()?;
        let num_generations = p.num()?;
        let next_birthdate = p.num()?;
        let pop_size = p.num()?;
        let maximize = p.flag()?;
        p.next_line()?;
        p.keyword("memo")?;
        let generation_count = p.num()?;
        let temperature = if p.peek() == Some("-") {
            p.pos += 1;
            None
        } else {
            Some(p.float()?)
        };
        let previous_best = if p.peek() == Some("-") {
            p.pos += 1;
            None
        } else {
            Some(p.fitness()?)
        };
        p.next_line()?;
        p.keyword("termination")?;
        let cause = p.word()?;
        let termination_cause = (cause != "-").then(|| cause.to_owned());
        p.next_line()?;
        p.keyword("population")?;
        let population = p.individuals()?;
        p.next_line()?;
        p.keyword("archive")?;
        let archive = p.individuals()?;
        let previous_population = if v1 {
            Vec::new()
        } else {
            p.next_line()?;
            p.keyword("previous")?;
            p.individuals()?
        };
        let cma = if v1 || v2 { None } else { p.cma()? };
        p.next_line()?;
        p.keyword("end")?;
        Ok(EcState {
            population,
            archive,
            rng,
            num_evaluations,
            num_generations,
            next_birthdate,
            pop_size,
            maximize,
            memo: Memo {
                previous_best,
                generation_count,
                temperature,
                start_time: None,
                previous_population,
                cma,
            },
            termination_cause,
        })
    }
}

struct Parser<'a, I: Iterator<Item = (usize, &'a str)>> {
    lines: I,
    line_no: usize,
    toks: Vec<&'a str>,
    pos: usize,
}

impl<'a, I: Iterator<Item = (usize, &'a str)>> Parser<'a, I> {
    fn err(&self, message: String) -> StateParseError {
        StateParseError {
            line: self.line_no,
            message,
        }
    }

    fn next_line(&mut self) -> Result<(), StateParseError> {
        if self.pos < self.toks.len() {
            return Err(self.err(format!("unexpected `{}`", self.toks[self.pos])));
        }
        let (i, line) = self.lines.next().ok_or(StateParseError {
            line: 0,
            message: "unexpected end of text".to_owned(),
        })?;
        self.line_no = i + 1;
        self.toks = line.split_ascii_whitespace().collect();
        self.pos = 0;
        Ok(())
    }

    fn peek(&self) -> Option<&'a str> {
        self.toks.get(self.pos).copied()
    }

    fn word(&mut self) -> Result<&'a str, StateParseError> {
        let t = self
            .peek()
            .ok_or_else(|| self.err("line ends too early".to_owned()))?;
        self.pos += 1;
        Ok(t)
    }

    fn keyword(&mut self, kw: &str) -> Result<(), StateParseError> {
        let t = self.word()?;
        if t == kw {
            Ok(())
        } else {
            Err(self.err(format!("expected `{kw}`, found `{t}`")))
        }
    }

    fn num<T: std::str::FromStr>(&mut self) -> Result<T, StateParseError> {
        let t = self.word()?;
        t.parse()
            .map_err(|_| self.err(format!("expected an unsigned integer, found `{t}`")))
    }

    fn flag(&mut self) -> Result<bool, StateParseError> {
        match self.word()? {
            "0" => Ok(false),
            "1" => Ok(true),
            t => Err(self.err(format!("expected 0 or 1, found `{t}`"))),
        }
    }

    fn float(&mut self) -> Result<f64, StateParseError> {
        let t = self.word()?;
        u64::from_str_radix(t, 16)
            .ok()
            .filter(|_| t.len() == 16)
            .map(f64::from_bits)
            .ok_or_else(|| self.err(format!("expected 16 hex digits, found `{t}`")))
    }

    fn fitness(&mut self) -> Result<Fitness, StateParseError> {
        match self.word()? {
            "s" => Ok(Fitness::Single(self.float()?)),
            "p" => {
                let k: usize = self.num()?;
                let v = (0..k).map(|_| self.float()).collect::<Result<_, _>>()?;
                Ok(Fitness::Pareto(v))
            }
            t => Err(self.err(format!("expected fitness `s` or `p`, found `{t}`"))),
        }
    }

    /// `n` floats on the next line, after `keyword`.
    fn float_line(&mut self, keyword: &str, n: usize) -> Result<Vec<f64>, StateParseError> {
        self.next_line()?;
        self.keyword(keyword)?;
        (0..n).map(|_| self.float()).collect()
    }

    fn cma(&mut self) -> Result<Option<CmaState>, StateParseError> {
        self.next_line()?;
        self.keyword("cma")?;
        if self.peek() == Some("-") {
            self.pos += 1;
            return Ok(None);
        }
        let n: usize = self.num()?;
        if n == 0 || n > 1 << 12 {
            return Err(self.err(format!("cma dimension {n} out of range 1..=4096")));
        }
        let lambda = self.num()?;
        let generation = self.num()?;
        let eigen_generation = self.num()?;
        let sigma = self.float()?;
        let mean = self.float_line("mean", n)?;
        let p_sigma = self.float_line("p_sigma", n)?;
        let p_c = self.float_line("p_c", n)?;
        let d = self.float_line("d", n)?;
        let mut c = Vec::with_capacity(n * n);
        for _ in 0..n {
            c.extend(self.float_line("c", n)?);
        }
        let mut b = Vec::with_capacity(n * n);
        for _ in 0..n {
            b.extend(self.float_line("b", n)?);
        }
        self.next_line()?;
        self.keyword("pending")?;
        let k: usize = self.num()?;
        let pending = (0..k)
            .map(|_| self.float_line("x", n))
            .collect::<Result<_, _>>()?;
        Ok(Some(CmaState {
            lambda,
            mean,
            sigma,
            c,
            p_sigma,
            p_c,
            b,
            d,
            generation,
            eigen_generation,
            pending,
        }))
    }

    fn individuals(&mut self) -> Result<Vec<Individual>, StateParseError> {
        let n: usize = self.num()?;
        let mut out = Vec::with_capacity(n.min(1 << 20));
        for _ in 0..n {
            self.next_line()?;
            self.keyword("ind")?;
            let birthdate = self.num()?;
            let maximize = self.flag()?;
            let fitness = self.fitness()?;
            let len: usize = self.num()?;
            let candidate = (0..len).map(|_| self.float()).collect::<Result<_, _>>()?;
            out.push(Individual::new(candidate, fitness, birthdate, maximize));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_state() -> EcState {
        let mut rng = EcRng::new(5);
        for _ in 0..7 {
            rng.random();
        }
        rng.gauss(0.0, 1.0);
        let mut rng2 = rng.clone();
        rng2.random(); // odd word offset
        EcState {
            population: vec![
                Individual::new(
                    vec![0.1, -2.5, f64::MIN_POSITIVE],
                    Fitness::Single(-0.0),
                    3,
                    false,
                ),
                Individual::new(vec![], Fitness::Pareto(vec![1.0, f64::NAN]), 9, false),
            ],
            archive: vec![Individual::new(
                vec![1e300],
                Fitness::Single(f64::INFINITY),
                1,
                false,
            )],
            rng: rng2,
            num_evaluations: 42,
            num_generations: 4,
            next_birthdate: 10,
            pop_size: 2,
            maximize: false,
            memo: Memo {
                previous_best: Some(Fitness::Pareto(vec![0.5])),
                generation_count: 2,
                temperature: Some(0.125),
                start_time: None,
                previous_population: vec![Individual::new(
                    vec![0.25, 0.5],
                    Fitness::Single(3.0),
                    7,
                    false,
                )],
                cma: None,
            },
            termination_cause: Some("generation_termination".to_owned()),
        }
    }

    #[test]
    fn round_trip_is_exact() {
        let s = sample_state();
        let text = s.to_text();
        let back = EcState::from_text(&text).unwrap();
        assert_eq!(back.to_text(), text);
        assert_eq!(back.rng, s.rng);
        assert_eq!(back.population[0], s.population[0]);
        assert!(
            back.population[0]
                .fitness
                .as_single()
                .unwrap()
                .is_sign_negative()
        );
    }

    #[test]
    fn errors_name_the_line() {
        let text = sample_state().to_text();
        let broken = text.replace("counters 42", "counters x");
        let e = EcState::from_text(&broken).unwrap_err();
        assert_eq!(e.line, 3);
        let truncated: String = text.lines().take(7).collect::<Vec<_>>().join("\n");
        assert!(EcState::from_text(&truncated).is_err());
        assert!(EcState::from_text("").is_err());
    }

    #[test]
    fn version_one_text_is_read() {
        let mut s = sample_state();
        s.memo.previous_population.clear();
        let text = s.to_text();
        let v1 = text
            .replace("ranvier-evol-state 3", "ranvier-evol-state 1")
            .replace("previous 0\n", "")
            .replace("cma -\n", "");
        assert_eq!(EcState::from_text(&v1).unwrap().to_text(), text);
    }

    #[test]
    fn version_two_text_is_read() {
        let s = sample_state();
        let text = s.to_text();
        let v2 = text
            .replace("ranvier-evol-state 3", "ranvier-evol-state 2")
            .replace("cma -\n", "");
        assert!(v2.contains("previous 1\n"));
        let back = EcState::from_text(&v2).unwrap();
        assert_eq!(back.memo.cma, None);
        assert_eq!(back.to_text(), text);
        // A literal version-2 file, as written before CMA-ES existed.
        let literal = "ranvier-evol-state 2\nrng 1 0 1163284300 0 0\n\
                       counters 0 0 0 0 0\nmemo 0 - -\ntermination -\n\
                       population 0\narchive 0\nprevious 0\nend\n";
        let back = EcState::from_text(literal).unwrap();
        assert!(back.population.is_empty() && back.memo.cma.is_none());
    }

    #[test]
    fn cma_state_round_trips() {
        let mut s = sample_state();
        let mut cma = CmaState::new(vec![0.5, -1.0 / 3.0, 2.0], 0.3, 7);
        cma.update(&[&[0.1, 0.2, 0.3], &[1.0, -1.0, 0.0], &[0.0, 0.0, 0.0]])
            .unwrap();
        cma.p_c[1] = -0.0;
        cma.pending = vec![vec![1.0, 2.0, 3.0], vec![f64::NAN, 0.0, -0.0]];
        s.memo.cma = Some(cma);
        let text = s.to_text();
        assert!(text.contains("\ncma 3 7 1 1 "), "{text}");
        let back = EcState::from_text(&text).unwrap();
        let (got, want) = (
            back.memo.cma.as_ref().unwrap(),
            s.memo.cma.as_ref().unwrap(),
        );
        assert_eq!(
            (&got.c, &got.b, &got.d, got.sigma),
            (&want.c, &want.b, &want.d, want.sigma)
        );
        assert_eq!(got.pending[0], want.pending[0]);
        assert!(got.pending[1][0].is_nan() && got.pending[1][2].is_sign_negative());
        assert!(got.p_c[1].is_sign_negative());
        assert_eq!(back.to_text(), text);
        // A missing row is an error on the line that follows.
        let broken: String = text
            .lines()
            .filter(|l| !l.starts_with("b "))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(EcState::from_text(&broken).is_err());
    }
}
