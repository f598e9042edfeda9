//! Counter-based random numbers for Ranvier.
//!
//! * [`Philox4x32`] / [`philox4x32`]: Random123's Philox4x32-10 block function,
//!   checked against Random123's known-answer vectors.
//! * [`Nrnran123`]: NEURON 9's `nrnran123` stream (what `Random.Random123(...)`,
//!   NMODL `RANDOM` variables and NetStim use), reproduced bit for bit; see
//!   `validation/rng/` and `tests/neuron_parity.rs`.
//! * [`KeyedRng`] / [`StreamKey`]: Ranvier's own reproducible streams keyed by
//!   `(seed, gid, purpose)`, independent of thread count.
//!
//! The library has no dependencies, no global state, no `unsafe` and never panics.
//!
//! # NEURON correspondences
//!
//! | NEURON 9                                         | here                                   |
//! |--------------------------------------------------|----------------------------------------|
//! | `r = h.Random(); r.Random123(a, b, c)`           | `Nrnran123::new(a, b, c)`              |
//! | `r.Random123(a)` / `r.Random123(a, b)`           | `new(a, 0, 0)` / `new(a, b, 0)`        |
//! | `Random123_globalindex(g)` then a new stream     | `Nrnran123::with_global_index(a, b, c, g)` |
//! | `r.uniform(0, 1)`, `random_dpick`, `random_uniform(rv)` | [`Nrnran123::dblpick`]          |
//! | `r.uniform(lo, hi)`, `random_uniform(rv, lo, hi)` | [`Nrnran123::uniform_range`]          |
//! | `r.negexp(m)`, `random_negexp(rv, m)`; `random_negexp(rv)` | [`Nrnran123::negexp`]`(m)`; `negexp(1.0)` |
//! | `random_normal(rv)`, `random_normal(rv, mu, sd)` | [`Nrnran123::normal`], [`Nrnran123::normal_with`] |
//! | `random_ipick(rv)`                               | [`Nrnran123::ipick`]                   |
//! | `r.seq(x)`, `random_setseq(rv, x)`, `rv.set_seq(x)` (x = seq·4 + which) | [`Nrnran123::set_seq4which`] |
//! | `r.seq()`, `rv.get_seq()`                        | [`Nrnran123::seq4which`]               |
//!
//! The hoc `Random.normal(mean, variance)` is *not* `nrnran123_normal` (it is the
//! libg++ `Normal` class) and is not provided.
//!
//! `dblpick` maps a 32-bit draw `u` to `(u as f64 + 1.0) * (1.0 / 4294967297.0)`
//! (see [`u32_to_open01`]), a double strictly inside (0, 1).
//!
//! # NetStim (NEURON 9 `src/nrnoc/netstim.mod`)
//!
//! NetStim has an NMODL `RANDOM ranvar`, i.e. one [`Nrnran123`] per instance with
//! the global index in force when the stream is (re)positioned.
//!
//! **Ids.** `ns.noiseFromRandom123(a, b, c)` sets the ids to `(a, b, c)` and the
//! sequence to `(0, 0)`: the stream is `Nrnran123::new(a, b, c)`.
//! `noiseFromRandom123(a, b)` means `(a, b, 0)`; with a single argument the ids are
//! left unchanged (only the sequence is reset). Without any call, the instance
//! keeps the ids it got at creation from `nrnran123_newstream()`:
//! `(1, nrnmpi_myid, n)` where `n` is a process-wide counter incremented for
//! *every* NMODL `RANDOM` stream created (any mechanism, in creation order,
//! starting at 1). In a serial run where NetStims are the only RANDOM users, the
//! `k`-th NetStim created (1-based) has ids `(1, 0, k)`. The legacy
//! `noiseFromRandom(hocRandom)` copies the ids and the current `(seq, which)` of a
//! `Random123` hoc Random.
//!
//! **Sequence reset.** `INITIAL` starts with `seed(0)`, i.e.
//! `random_setseq(ranvar, 0)` = `set_seq4which(0.0)` = `set_seq(0, 0)`, so every
//! `finitialize` restarts the stream at draw 0 (the reset done by
//! `noiseFromRandom123` is therefore redundant before a run). `ns.seed(x)` sets
//! the position from the double `x = seq*4 + which`.
//!
//! **Draws.** `erand()` is `random_negexp(ranvar)` = `stream.negexp(1.0)` =
//! `-ln(dblpick())`. With `noise` clamped to `[0, 1]` in `INITIAL` and `mean <= 0`
//! replaced by `0.01` ms:
//!
//! ```text
//! invl(mean) = mean                                          if noise == 0 (no draw)
//!            = (1 - noise) * mean + noise * mean * erand()   otherwise
//!              evaluated as ((1 - noise) * mean) + ((noise * mean) * erand)
//! ```
//!
//! The event sequence (all times `[ms]`, every sum in f64 exactly in this order):
//!
//! 1. `INITIAL` (t = 0), if `start >= 0 && number > 0`:
//!    `event = (start + invl(interval)) - interval * (1 - noise)`, clamped to
//!    `>= 0`; `net_send(event, 3)` delivers at `t3 = 0.0 + event`.
//!    (One draw when noise > 0.)
//! 2. flag 3 at `t3`: `init_sequence` (`ispike = 0`), `net_send(0, 1)` → `t1 = t3 + 0.0`.
//! 3. flag 1 at `t`: `ispike += 1`; spike at `t` (this is what `NetCon.record`
//!    stores); `event = invl(interval)` (**always drawn**, also after the last
//!    spike); if `ispike >= number` stop, else next flag 1 at `t + event`.
//!
//! So `number` spikes consume `number + 1` draws (`get_seq()` ends at
//! `number + 1`). Events with times beyond `tstop` are simply not delivered.
//! The external-event path (`flag == 0`, `w > 0` while off) uses
//! `event = invl(interval) - interval * (1 - noise)` and `net_send(event, 1)`.
//!
//! ```
//! use ranvier_rng::Nrnran123;
//! // NetStim start = 5, interval = 10, number = 30, noise = 0.5,
//! // ns.noiseFromRandom123(1, 2, 3): reproduces NEURON 9's recorded spike times.
//! let (start, interval, number, noise) = (5.0_f64, 10.0_f64, 30, 0.5_f64);
//! let mut s = Nrnran123::new(1, 2, 3);
//! s.set_seq4which(0.0); // seed(0) in INITIAL
//! let mut invl = |mean: f64| (1.0 - noise) * mean + noise * mean * s.negexp(1.0);
//! let mut event = start + invl(interval) - interval * (1.0 - noise);
//! if event < 0.0 { event = 0.0; }
//! let mut t = 0.0 + event; // flag 3
//! t += 0.0; // flag 1
//! let mut spikes = Vec::new();
//! for ispike in 1..=number {
//!     spikes.push(t);
//!     let next = invl(interval);
//!     if ispike >= number { break; }
//!     t += next;
//! }
//! assert_eq!(spikes[..3], [5.096618033729275, 17.464537977938466, 32.866935222452085]);
//! assert_eq!(spikes[29], 259.53822026706376);
//! ```

pub mod keyed;
pub mod nrnran123;
pub mod philox;

pub use keyed::{KEYED_DOMAIN_TAG, KeyedRng, StreamKey};
pub use nrnran123::{Nrnran123, SHIFT32, nrnran123_iran, u32_to_open01};
pub use philox::{
    Ctr4x32, Key2x32, PHILOX_M4X32_0, PHILOX_M4X32_1, PHILOX_W32_0, PHILOX_W32_1, Philox4x32,
    increment_counter, philox4x32, philox4x32_rounds,
};
