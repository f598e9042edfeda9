use proptest::prelude::*;
use ranvier_units::{UnitTable, parse_unit};

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,40}") {
        let _ = parse_unit(&s);
        let mut t = UnitTable::neuron();
        let _ = t.define(&s, &s);
        let _ = t.factor_def(&s, "coulomb");
    }

    #[test]
    fn unit_like_strings_never_panic(s in "[0-9a-zA-Z/ |.+-]{0,40}") {
        if let Ok(u) = parse_unit(&s) {
            prop_assert!(u.factor.is_finite() && u.factor != 0.0);
        }
    }
}
