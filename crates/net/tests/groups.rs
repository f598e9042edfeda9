//! A random network of hh cells gives bit-identical spikes for any number of cell
//! groups (threads), and the same spikes as one hand-built model.

use ranvier_cable::{BuildError, CableModel, Source, Target};
use ranvier_morph::Section;
use ranvier_net::{CellParts, Connection, Gid, NetError, Network, NetworkOptions, Recipe};
use ranvier_rng::KeyedRng;

struct RandomNet {
    n: Gid,
    fan_in: u32,
}

impl Recipe for RandomNet {
    fn num_cells(&self) -> Gid {
        self.n
    }

    fn build_cell(&self, gid: Gid, model: &mut CableModel) -> Result<CellParts, BuildError> {
        let cell = model.add_cell(&format!("cell_{gid}"));
        let mut s = Section::new("soma");
        s.set_length(18.8).expect("L");
        s.set_diam(18.8).expect("diam");
        let soma = model.add_section(cell, s);
        model.insert(soma, "hh")?;
        let syn = model.add_point("ExpSyn", soma, 0.5)?;
        model.set_point(syn, "tau", 2.0)?;
        let ns = model.add_artificial("NetStim", &format!("ns_{gid}"))?;
        model.set_artificial(ns, "interval", 20.0)?;
        model.set_artificial(ns, "number", 1e9)?;
        model.set_artificial(ns, "start", 0.0)?;
        model.set_artificial(ns, "noise", 0.7)?;
        model.set_random123(ns, gid as u32, 0, 7)?;
        let nss = model.add_source(Source::Artificial(ns), 0.0)?;
        model.connect(nss, Some(Target::Point(syn)), 0.02, 1.0)?;
        Ok(CellParts {
            sources: vec![(Source::Voltage { sec: soma, x: 0.5 }, 10.0)],
            targets: vec![Target::Point(syn)],
            weight_index: Vec::new(),
        })
    }

    fn connections_on(&self, gid: Gid) -> Vec<Connection> {
        let mut rng = KeyedRng::from_parts(11, gid as u32, 1);
        (0..self.fan_in)
            .map(|_| {
                let mut pre = rng.gen_index(self.n as usize) as Gid;
                if pre == gid {
                    pre = (pre + 1) % self.n;
                }
                Connection {
                    source: (pre, 0),
                    target: 0,
                    weight: 0.004,
                    delay: 1.0 + 4.0 * rng.uniform(),
                }
            })
            .collect()
    }
}

fn run(groups: usize) -> Vec<(u64, u64)> {
    let recipe = RandomNet { n: 60, fan_in: 10 };
    let opts = NetworkOptions {
        groups,
        ..NetworkOptions::default()
    };
    let mut net = Network::build(&recipe, &ranvier_builtins::catalogue(), &opts).expect("build");
    assert_eq!(net.group_count(), groups);
    net.init(-65.0).expect("init");
    net.run(200.0).expect("run");
    net.spikes()
        .iter()
        .map(|s| (s.gid, s.time.to_bits()))
        .collect()
}

#[test]
fn spikes_do_not_depend_on_group_count() {
    let one = run(1);
    assert!(one.len() > 100, "network is active: {} spikes", one.len());
    for g in [2, 3, 7] {
        assert_eq!(run(g), one, "{g} groups");
    }
}

#[test]
fn delays_shorter_than_dt_between_groups_are_rejected() {
    struct Short;
    impl Recipe for Short {
        fn num_cells(&self) -> Gid {
            2
        }
        fn build_cell(&self, gid: Gid, model: &mut CableModel) -> Result<CellParts, BuildError> {
            RandomNet { n: 2, fan_in: 0 }.build_cell(gid, model)
        }
        fn connections_on(&self, gid: Gid) -> Vec<Connection> {
            vec![Connection {
                source: (1 - gid, 0),
                target: 0,
                weight: 0.01,
                delay: 0.01,
            }]
        }
    }
    let opts = NetworkOptions {
        groups: 2,
        ..NetworkOptions::default()
    };
    let e = Network::build(&Short, &ranvier_builtins::catalogue(), &opts)
        .err()
        .expect("error");
    assert!(e.to_string().contains("shorter than dt"), "{e}");
    // One group is fine.
    assert!(
        Network::build(
            &Short,
            &ranvier_builtins::catalogue(),
            &NetworkOptions::default()
        )
        .is_ok()
    );
}

#[test]
fn bad_connections_name_the_cell() {
    struct Bad;
    impl Recipe for Bad {
        fn num_cells(&self) -> Gid {
            2
        }
        fn build_cell(&self, gid: Gid, model: &mut CableModel) -> Result<CellParts, BuildError> {
            RandomNet { n: 2, fan_in: 0 }.build_cell(gid, model)
        }
        fn connections_on(&self, gid: Gid) -> Vec<Connection> {
            vec![
                Connection {
                    source: (5, 0),
                    target: 0,
                    weight: 0.01,
                    delay: 1.0
                };
                usize::from(gid == 1)
            ]
        }
    }
    let e = Network::build(
        &Bad,
        &ranvier_builtins::catalogue(),
        &NetworkOptions::default(),
    )
    .err()
    .expect("error");
    assert!(matches!(e, NetError::Connection { gid: 1, .. }), "{e}");
    assert!(e.to_string().contains("presynaptic gid 5"), "{e}");
}
