//! A compact binary result format for large runs: spikes and traces without JSON's
//! overhead (16 bytes per spike, 8 per sample). All numbers are little endian.
//!
//! ```text
//! magic "RNVR", u32 version (1)
//! u64 n_spikes, then n_spikes x (f64 time [ms], u64 gid)        sorted by time, gid
//! u64 n_samples, then n_samples x f64 time [ms]                 trace sample times
//! u64 n_traces, then per trace: u32 name length, name (UTF-8), u64 gid,
//!                               n_samples x f64 value
//! ```

use std::io::{self, Read, Write};

use crate::sim::{CellTrace, RunOutput};

const MAGIC: &[u8; 4] = b"RNVR";
const VERSION: u32 = 1;

/// Spikes and traces read back from the binary format.
#[derive(Clone, Debug, PartialEq)]
pub struct BinaryResults {
    pub spikes: Vec<(f64, u64)>,
    pub t: Vec<f64>,
    pub traces: Vec<CellTrace>,
}

/// Write the spikes and traces of a run.
pub fn write_binary(w: &mut dyn Write, out: &RunOutput) -> io::Result<()> {
    w.write_all(MAGIC)?;
    w.write_all(&VERSION.to_le_bytes())?;
    w.write_all(&(out.spikes.len() as u64).to_le_bytes())?;
    for &(t, gid) in &out.spikes {
        w.write_all(&t.to_le_bytes())?;
        w.write_all(&gid.to_le_bytes())?;
    }
    w.write_all(&(out.t.len() as u64).to_le_bytes())?;
    for t in &out.t {
        w.write_all(&t.to_le_bytes())?;
    }
    w.write_all(&(out.traces.len() as u64).to_le_bytes())?;
    for tr in &out.traces {
        w.write_all(&(tr.name.len() as u32).to_le_bytes())?;
        w.write_all(tr.name.as_bytes())?;
        w.write_all(&tr.gid.to_le_bytes())?;
        for i in 0..out.t.len() {
            w.write_all(&tr.values.get(i).copied().unwrap_or(f64::NAN).to_le_bytes())?;
        }
    }
    Ok(())
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_owned())
}

fn u32_of(r: &mut dyn Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn u64_of(r: &mut dyn Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn f64_of(r: &mut dyn Read) -> io::Result<f64> {
    u64_of(r).map(f64::from_bits)
}

/// A length that must fit in memory sensibly: refuse absurd values from corrupt files
/// instead of trying to allocate them.
fn len_of(r: &mut dyn Read, what: &str) -> io::Result<usize> {
    let n = u64_of(r)?;
    if n > (1 << 40) {
        return Err(bad(&format!("corrupt file: {what} count {n}")));
    }
    Ok(n as usize)
}

/// Read results written by [`write_binary`].
pub fn read_binary(r: &mut dyn Read) -> io::Result<BinaryResults> {
    let mut magic = [0u8; 4];
    r.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(bad("not a Ranvier binary result file"));
    }
    let v = u32_of(r)?;
    if v != VERSION {
        return Err(bad(&format!("unsupported version {v}")));
    }
    let n = len_of(r, "spike")?;
    let mut spikes = Vec::with_capacity(n.min(1 << 24));
    for _ in 0..n {
        let t = f64_of(r)?;
        spikes.push((t, u64_of(r)?));
    }
    let ns = len_of(r, "sample")?;
    let mut t = Vec::with_capacity(ns.min(1 << 24));
    for _ in 0..ns {
        t.push(f64_of(r)?);
    }
    let nt = len_of(r, "trace")?;
    let mut traces = Vec::new();
    for _ in 0..nt {
        let len = u32_of(r)? as usize;
        if len > 4096 {
            return Err(bad("corrupt file: trace name too long"));
        }
        let mut name = vec![0u8; len];
        r.read_exact(&mut name)?;
        let name =
            String::from_utf8(name).map_err(|_| bad("corrupt file: trace name is not UTF-8"))?;
        let gid = u64_of(r)?;
        let mut values = Vec::with_capacity(ns.min(1 << 24));
        for _ in 0..ns {
            values.push(f64_of(r)?);
        }
        traces.push(CellTrace { name, gid, values });
    }
    Ok(BinaryResults { spikes, t, traces })
}
