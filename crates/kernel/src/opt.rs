//! A small optimiser for kernels, run by [`KernelBuilder::finish`](crate::ir::KernelBuilder):
//! the interpreter sweeps every op over all instances, so each op removed is a pass over
//! memory saved.
//!
//! - **Load forwarding.** Within a straight run of ops, a field (or `v`, a GLOBAL) read
//!   again, or read after the kernel stored it, reuses the register that holds it.
//! - **Constant operands.** A binary op with a constant operand becomes [`Op::BinK`].
//! - **Dead code.** Ops without side effects whose register nobody reads are dropped.
//!
//! Only registers written exactly once (the builder's temporaries) are renamed or
//! treated as constants; registers that act as variables (targets of several writes,
//! e.g. `Copy` into a LOCAL) are left alone. Arithmetic is unchanged, so results are
//! bit-identical.

use std::collections::HashMap;

use crate::ir::{Op, Reg};

/// Optimise `ops` (see the module documentation).
#[must_use]
pub(crate) fn optimize(mut ops: Vec<Op>) -> Vec<Op> {
    let mut writes: HashMap<Reg, u32> = HashMap::new();
    count_writes(&ops, &mut writes);
    let single = |r: Reg| writes.get(&r).copied() == Some(1);
    // 1. Forward loads; collect the renaming.
    let mut rename: HashMap<Reg, Reg> = HashMap::new();
    forward(&mut ops, &single, &mut rename);
    apply_rename(&mut ops, &rename);
    // 2. Constant operands.
    let mut consts: HashMap<Reg, f64> = HashMap::new();
    collect_consts(&ops, &single, &mut consts);
    fold_consts(&mut ops, &consts);
    // 3. Dead code, to a fixed point.
    loop {
        let mut reads: HashMap<Reg, u32> = HashMap::new();
        count_reads(&ops, &mut reads);
        let before = size(&ops);
        remove_dead(&mut ops, &reads);
        if size(&ops) == before {
            break;
        }
    }
    ops
}

fn size(ops: &[Op]) -> usize {
    ops.iter()
        .map(|o| 1 + children(o).iter().map(|c| size(c)).sum::<usize>())
        .sum()
}

fn children(op: &Op) -> Vec<&Vec<Op>> {
    match op {
        Op::If {
            then, otherwise, ..
        } => vec![then, otherwise],
        Op::Loop { body, .. } | Op::ForNetcons { body } => vec![body],
        _ => Vec::new(),
    }
}

fn children_mut(op: &mut Op) -> Vec<&mut Vec<Op>> {
    match op {
        Op::If {
            then, otherwise, ..
        } => vec![then, otherwise],
        Op::Loop { body, .. } | Op::ForNetcons { body } => vec![body],
        _ => Vec::new(),
    }
}

fn written(op: &Op) -> Vec<Reg> {
    match op {
        Op::Table { dst, .. } => dst.clone(),
        _ => op.dst().into_iter().collect(),
    }
}

fn count_writes(ops: &[Op], w: &mut HashMap<Reg, u32>) {
    for op in ops {
        for r in written(op) {
            *w.entry(r).or_insert(0) += 1;
        }
        for c in children(op) {
            count_writes(c, w);
        }
    }
}

fn count_reads(ops: &[Op], r: &mut HashMap<Reg, u32>) {
    for op in ops {
        for x in op.reads() {
            *r.entry(x).or_insert(0) += 1;
        }
        for c in children(op) {
            count_reads(c, r);
        }
    }
}

/// What a register is known to hold within a straight run of ops.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Loaded {
    Field(u16),
    Voltage,
    Global(u16),
}

fn forward(ops: &mut [Op], single: &impl Fn(Reg) -> bool, rename: &mut HashMap<Reg, Reg>) {
    let mut known: HashMap<Loaded, Reg> = HashMap::new();
    let resolve = |r: Reg, rename: &HashMap<Reg, Reg>| rename.get(&r).copied().unwrap_or(r);
    for op in ops.iter_mut() {
        match *op {
            Op::Field { dst, field } if single(dst) => match known.get(&Loaded::Field(field)) {
                Some(&r) => {
                    rename.insert(dst, r);
                }
                None => {
                    known.insert(Loaded::Field(field), dst);
                }
            },
            Op::Voltage { dst } if single(dst) => match known.get(&Loaded::Voltage) {
                Some(&r) => {
                    rename.insert(dst, r);
                }
                None => {
                    known.insert(Loaded::Voltage, dst);
                }
            },
            Op::Global { dst, global } if single(dst) => match known.get(&Loaded::Global(global)) {
                Some(&r) => {
                    rename.insert(dst, r);
                }
                None => {
                    known.insert(Loaded::Global(global), dst);
                }
            },
            Op::StoreField { field, src } => {
                let s = resolve(src, rename);
                if single(s) {
                    known.insert(Loaded::Field(field), s);
                } else {
                    known.remove(&Loaded::Field(field));
                }
            }
            Op::Cnexp { field, .. } => {
                known.remove(&Loaded::Field(field));
            }
            Op::StoreVoltage { .. } => {
                known.remove(&Loaded::Voltage);
            }
            // A GLOBAL read after this lane's store sees the stored value: NEURON runs
            // the instances one at a time, so that is what each instance reads.
            Op::StoreGlobal { global, src } => {
                let s = resolve(src, rename);
                if single(s) {
                    known.insert(Loaded::Global(global), s);
                } else {
                    known.remove(&Loaded::Global(global));
                }
            }
            _ => {}
        }
        let nested = !children(op).is_empty();
        for c in children_mut(op) {
            forward(c, single, rename);
        }
        if nested {
            // A nested body may have stored anything (and only in some lanes).
            known.clear();
        }
    }
}

fn apply_rename(ops: &mut [Op], rename: &HashMap<Reg, Reg>) {
    if rename.is_empty() {
        return;
    }
    // Chains (a -> b -> c) resolve to their end.
    let get = |r: Reg| {
        let mut r = r;
        while let Some(&n) = rename.get(&r) {
            r = n;
        }
        r
    };
    for op in ops.iter_mut() {
        op.map_reads(&get);
        for c in children_mut(op) {
            apply_rename(c, rename);
        }
    }
}

fn collect_consts(ops: &[Op], single: &impl Fn(Reg) -> bool, out: &mut HashMap<Reg, f64>) {
    for op in ops {
        if let Op::Const { dst, value } = *op
            && single(dst)
        {
            out.insert(dst, value);
        }
        for c in children(op) {
            collect_consts(c, single, out);
        }
    }
}

fn fold_consts(ops: &mut [Op], consts: &HashMap<Reg, f64>) {
    for op in ops.iter_mut() {
        if let Op::Bin { op: bop, dst, a, b } = *op {
            match (consts.get(&a), consts.get(&b)) {
                (None, Some(&k)) => {
                    *op = Op::BinK {
                        op: bop,
                        dst,
                        a,
                        k,
                        k_first: false,
                    }
                }
                (Some(&k), None) => {
                    *op = Op::BinK {
                        op: bop,
                        dst,
                        a: b,
                        k,
                        k_first: true,
                    }
                }
                _ => {}
            }
        }
        for c in children_mut(op) {
            fold_consts(c, consts);
        }
    }
}

/// Ops that only compute their register.
fn pure(op: &Op) -> bool {
    matches!(
        op,
        Op::Const { .. }
            | Op::Copy { .. }
            | Op::Field { .. }
            | Op::Global { .. }
            | Op::Voltage { .. }
            | Op::Ion { .. }
            | Op::Time { .. }
            | Op::Dt { .. }
            | Op::Celsius { .. }
            | Op::SecondOrder { .. }
            | Op::AreaFactor { .. }
            | Op::Diam { .. }
            | Op::Bin { .. }
            | Op::BinK { .. }
            | Op::Un { .. }
            | Op::Select { .. }
            | Op::Weight { .. }
            | Op::NcWeight { .. }
            | Op::Flag { .. }
    )
}

fn remove_dead(ops: &mut Vec<Op>, reads: &HashMap<Reg, u32>) {
    ops.retain(|op| !(pure(op) && op.dst().is_some_and(|d| !reads.contains_key(&d))));
    for op in ops.iter_mut() {
        for c in children_mut(op) {
            remove_dead(c, reads);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::BinOp;

    #[test]
    fn forwards_loads_folds_constants_and_drops_dead_ops() {
        let ops = vec![
            Op::Field { dst: 0, field: 1 },
            Op::Field { dst: 1, field: 1 },
            Op::Bin {
                op: BinOp::Mul,
                dst: 2,
                a: 0,
                b: 1,
            },
            Op::Const { dst: 3, value: 2.0 },
            Op::Bin {
                op: BinOp::Add,
                dst: 4,
                a: 2,
                b: 3,
            },
            Op::StoreField { field: 1, src: 4 },
            Op::Field { dst: 5, field: 1 },
            Op::StoreField { field: 2, src: 5 },
            Op::Const { dst: 6, value: 9.0 },
        ];
        let out = optimize(ops);
        assert_eq!(
            out,
            vec![
                Op::Field { dst: 0, field: 1 },
                Op::Bin {
                    op: BinOp::Mul,
                    dst: 2,
                    a: 0,
                    b: 0
                },
                Op::BinK {
                    op: BinOp::Add,
                    dst: 4,
                    a: 2,
                    k: 2.0,
                    k_first: false
                },
                Op::StoreField { field: 1, src: 4 },
                Op::StoreField { field: 2, src: 4 },
            ]
        );
    }

    #[test]
    fn variables_written_twice_are_not_forwarded() {
        let ops = vec![
            Op::Const { dst: 0, value: 1.0 },
            Op::Field { dst: 1, field: 0 },
            Op::Copy { dst: 0, src: 1 },
            Op::StoreField { field: 3, src: 0 },
        ];
        let out = optimize(ops.clone());
        assert_eq!(out, ops);
    }
}
