//! `ranvier optimize` across MPI ranks (feature `mpi`, through the `mpi` crate and the
//! system's MPI library).
//!
//! Rank 0 runs the evolution exactly as a single process does; the other ranks only
//! evaluate. For every batch rank 0 broadcasts the candidates; candidate `i` is
//! evaluated by rank `i mod size` (on that rank's threads); the outcomes are gathered
//! back to rank 0 in the candidates' order. A candidate's outcome depends only on the
//! candidate, so a run gives the same checkpoint, CSV and best network on any number of
//! ranks and threads (tested against a single process). Rank 0 finishes by
//! broadcasting a stop, also when it fails, so no rank is left waiting.
//!
//! Every rank reads the optimisation file and the model itself (a shared file system,
//! as MPI jobs usually have). MPI is called from the main thread only
//! (`MPI_THREAD_FUNNELED`).

use std::io::Write;

use mpi::datatype::PartitionMut;
use mpi::topology::{Rank, SimpleCommunicator};
use mpi::traits::*;
use ranvier_mech::Catalogue;

use crate::objective::{Objective, Outcome};
use crate::optimize::{
    OptimizeOptions, OptimizeResult, Pool, evaluate_on_threads, optimize, optimize_with,
};

/// The header value that ends the workers' loop.
const STOP: u64 = u64::MAX;

/// Run `ranvier optimize` on the ranks of `MPI_COMM_WORLD` (a plain run on one rank).
/// Only rank 0 writes to `log` and to the output folder; other ranks return `Ok(None)`.
pub fn optimize_mpi(
    opts: &OptimizeOptions,
    log: &mut dyn Write,
) -> Result<Option<OptimizeResult>, String> {
    let Some((universe, _threading)) = mpi::initialize_with_threading(mpi::Threading::Funneled)
    else {
        return Err("MPI was already initialised".into());
    };
    let world = universe.world();
    if world.size() <= 1 {
        return optimize(opts, log).map(Some);
    }
    if world.rank() == 0 {
        let pool = MpiPool {
            world: &world,
            threads: opts.thread_count(),
        };
        let result = optimize_with(opts, log, &pool);
        pool.stop();
        result.map(Some)
    } else {
        worker(&world, opts);
        Ok(None)
    }
}

/// Rank 0's side: evaluations spread over all ranks.
struct MpiPool<'a> {
    world: &'a SimpleCommunicator,
    threads: usize,
}

impl MpiPool<'_> {
    fn stop(&self) {
        let mut header = [STOP, 0];
        self.world
            .process_at_rank(0)
            .broadcast_into(&mut header[..]);
    }
}

impl Pool for MpiPool<'_> {
    fn evaluate(&self, obj: &Objective, catalogue: &Catalogue, cands: &[Vec<f64>]) -> Vec<Outcome> {
        let root = self.world.process_at_rank(0);
        let dim = cands.first().map_or(0, Vec::len);
        let mut header = [cands.len() as u64, dim as u64];
        root.broadcast_into(&mut header[..]);
        let mut flat: Vec<f64> = cands.iter().flat_map(|c| c.iter().copied()).collect();
        flat.resize(cands.len() * dim, 0.0);
        root.broadcast_into(&mut flat[..]);
        let mine = evaluate_share(obj, catalogue, cands, 0, self.world.size(), self.threads);
        let bytes = encode(&mine);
        let size = self.world.size() as usize;
        let mut counts = vec![0 as mpi::Count; size];
        root.gather_into_root(&(bytes.len() as mpi::Count), &mut counts[..]);
        let displs: Vec<mpi::Count> = counts
            .iter()
            .scan(0, |acc, &c| {
                let d = *acc;
                *acc += c;
                Some(d)
            })
            .collect();
        let total: usize = counts.iter().map(|&c| c.max(0) as usize).sum();
        let mut buf = vec![0u8; total];
        {
            let mut part = PartitionMut::new(&mut buf[..], &counts[..], &displs[..]);
            root.gather_varcount_into_root(&bytes[..], &mut part);
        }
        let mut out: Vec<Option<Outcome>> = cands.iter().map(|_| None).collect();
        for (i, o) in decode(&buf) {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(o);
            }
        }
        out.into_iter()
            .map(|o| o.unwrap_or_else(|| Outcome::Failed("no result from its MPI rank".into())))
            .collect()
    }
}

/// The candidates of a batch of `n` that rank `rank` of `size` evaluates: those with
/// `i mod size == rank`.
fn share(n: usize, rank: Rank, size: Rank) -> impl Iterator<Item = usize> {
    (0..n).filter(move |i| i % size as usize == rank as usize)
}

/// Evaluate the candidates `i` with `i mod size == rank`.
fn evaluate_share(
    obj: &Objective,
    catalogue: &Catalogue,
    cands: &[Vec<f64>],
    rank: Rank,
    size: Rank,
    threads: usize,
) -> Vec<(usize, Outcome)> {
    let idx: Vec<usize> = share(cands.len(), rank, size).collect();
    let mine: Vec<Vec<f64>> = idx.iter().map(|&i| cands[i].clone()).collect();
    idx.into_iter()
        .zip(evaluate_on_threads(obj, catalogue, &mine, threads))
        .collect()
}

/// The other ranks: evaluate their share of every batch until rank 0 says stop.
fn worker(world: &SimpleCommunicator, opts: &OptimizeOptions) {
    let root = world.process_at_rank(0);
    let mut catalogue = ranvier_builtins::catalogue();
    // Rank 0 reports problems with the file; a worker that cannot load it answers
    // every candidate with the reason (and rank 0 stops first anyway).
    let obj = Objective::load(&opts.file, &mut catalogue, &mut std::io::sink());
    let threads = opts.thread_count();
    loop {
        let mut header = [0u64; 2];
        root.broadcast_into(&mut header[..]);
        if header[0] == STOP {
            return;
        }
        let (n, dim) = (header[0] as usize, header[1] as usize);
        let mut flat = vec![0.0f64; n * dim];
        root.broadcast_into(&mut flat[..]);
        let cands: Vec<Vec<f64>> = if dim == 0 {
            vec![Vec::new(); n]
        } else {
            flat.chunks(dim).map(<[f64]>::to_vec).collect()
        };
        let mine = match &obj {
            Ok(obj) => evaluate_share(obj, &catalogue, &cands, world.rank(), world.size(), threads),
            Err(e) => share(n, world.rank(), world.size())
                .map(|i| (i, Outcome::Failed(format!("rank {}: {e}", world.rank()))))
                .collect(),
        };
        let bytes = encode(&mine);
        root.gather_into(&(bytes.len() as mpi::Count));
        root.gather_varcount_into(&bytes[..]);
    }
}

/// Outcomes as bytes: per outcome the index (u64), a tag (0 fitness, 1 failed), the
/// length (u64), then the values' IEEE bits or the message's UTF-8, little endian.
fn encode(results: &[(usize, Outcome)]) -> Vec<u8> {
    let mut b = Vec::new();
    for (i, o) in results {
        b.extend_from_slice(&(*i as u64).to_le_bytes());
        match o {
            Outcome::Fitness(f) => {
                b.push(0);
                b.extend_from_slice(&(f.len() as u64).to_le_bytes());
                for x in f {
                    b.extend_from_slice(&x.to_bits().to_le_bytes());
                }
            }
            Outcome::Failed(why) => {
                b.push(1);
                b.extend_from_slice(&(why.len() as u64).to_le_bytes());
                b.extend_from_slice(why.as_bytes());
            }
        }
    }
    b
}

/// The inverse of [`encode`]; a truncated buffer ends the list.
fn decode(mut b: &[u8]) -> Vec<(usize, Outcome)> {
    fn u64_at(b: &mut &[u8]) -> Option<u64> {
        let (head, rest) = b.split_first_chunk::<8>()?;
        *b = rest;
        Some(u64::from_le_bytes(*head))
    }
    let mut out = Vec::new();
    while let Some(i) = u64_at(&mut b) {
        let Some((&tag, rest)) = b.split_first() else {
            break;
        };
        b = rest;
        let Some(len) = u64_at(&mut b) else { break };
        let o = if tag == 0 {
            let mut f = Vec::new();
            for _ in 0..len {
                let Some(bits) = u64_at(&mut b) else {
                    return out;
                };
                f.push(f64::from_bits(bits));
            }
            Outcome::Fitness(f)
        } else {
            let Some((msg, rest)) = b.split_at_checked(len as usize) else {
                return out;
            };
            b = rest;
            Outcome::Failed(String::from_utf8_lossy(msg).into_owned())
        };
        out.push((i as usize, o));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_through_bytes() {
        let r = vec![
            (3, Outcome::Fitness(vec![1.5, f64::INFINITY, -0.0])),
            (7, Outcome::Failed("blew up: NaN".into())),
            (9, Outcome::Fitness(vec![])),
        ];
        let back = decode(&encode(&r));
        assert_eq!(back.len(), 3);
        for ((i, a), (j, b)) in r.iter().zip(&back) {
            assert_eq!(i, j);
            match (a, b) {
                (Outcome::Fitness(x), Outcome::Fitness(y)) => {
                    let xb: Vec<u64> = x.iter().map(|v| v.to_bits()).collect();
                    let yb: Vec<u64> = y.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(xb, yb);
                }
                (Outcome::Failed(x), Outcome::Failed(y)) => assert_eq!(x, y),
                _ => panic!("tag changed"),
            }
        }
        // Truncated input never panics.
        let bytes = encode(&r);
        for cut in 0..bytes.len() {
            let _ = decode(&bytes[..cut]);
        }
    }
}
