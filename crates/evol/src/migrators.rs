//! Migration between islands (inspyred's `migrators` module).
//!
//! Only the default is provided; inspyred's multiprocessing migrator needs the
//! island model, which belongs with the parallel evaluators.

use crate::ec::Ctx;
use crate::error::EcError;
use crate::individual::Individual;

/// Exchanges individuals with other populations.
pub trait Migrator: Send + Sync {
    /// inspyred's function name.
    fn name(&self) -> &'static str;

    /// The population after migration.
    ///
    /// # Errors
    /// When migration fails.
    fn migrate(
        &self,
        cx: &mut Ctx<'_>,
        population: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError>;
}

/// No migration (`default_migration`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultMigration;

impl Migrator for DefaultMigration {
    fn name(&self) -> &'static str {
        "default_migration"
    }

    fn migrate(
        &self,
        _cx: &mut Ctx<'_>,
        population: Vec<Individual>,
    ) -> Result<Vec<Individual>, EcError> {
        Ok(population)
    }
}
