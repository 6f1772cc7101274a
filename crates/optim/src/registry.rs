use std::sync::OnceLock;

use dlp_registry::{Registered, Registry};

use crate::{OptimError, Optimizer, Param, Params, Schedule};

/// A registered optimizer: what `list` prints and how to build it from a TOML table.
///
/// Register one with [`register_optimizer!`](crate::register_optimizer).
#[derive(Debug)]
pub struct OptimizerEntry {
    /// Unique name used in `[optim] name = "..."`; matches `^[a-z][a-z0-9_]*$`.
    pub name: &'static str,
    /// One-line description.
    pub summary: &'static str,
    /// The parameters the constructor reads, with their defaults.
    pub params: &'static [Param],
    /// Reads every parameter from the table (see [`Params`]), validates and builds.
    pub build: fn(&Params) -> Result<Box<dyn Optimizer>, OptimError>,
}

/// A registered learning-rate schedule.
///
/// Register one with [`register_schedule!`](crate::register_schedule).
#[derive(Debug)]
pub struct ScheduleEntry {
    /// Unique name used in `[optim.schedule] name = "..."`; matches `^[a-z][a-z0-9_]*$`.
    pub name: &'static str,
    /// One-line description.
    pub summary: &'static str,
    /// The parameters the constructor reads, with their defaults.
    pub params: &'static [Param],
    /// Reads every parameter from the table (see [`Params`]), validates and builds.
    pub build: fn(&Params) -> Result<Box<dyn Schedule>, OptimError>,
}

/// An entry as [`register_optimizer!`](crate::register_optimizer) and
/// [`register_schedule!`](crate::register_schedule) submit it: with the module that registered
/// it, which a duplicate name's error names.
#[doc(hidden)]
#[derive(Debug)]
pub struct Registration<E: 'static> {
    pub entry: E,
    pub origin: &'static str,
}

inventory::collect!(Registration<OptimizerEntry>);
inventory::collect!(Registration<ScheduleEntry>);

/// Registers an [`OptimizerEntry`] (a `static`-constructible expression) with the registry.
///
/// Plugin crates need no `inventory` dependency of their own. The entry is collected when the
/// crate that submits it is linked: see `docs/plugins.md`.
///
/// ```
/// use dlp_optim::{
///     OptimError, Optimizer, OptimizerEntry, Param, ParamDefault, Params, Sgd, SgdConfig,
/// };
///
/// const LR: Param = Param { name: "lr", default: ParamDefault::Float(0.5), doc: "learning rate" };
///
/// fn build(p: &Params) -> Result<Box<dyn Optimizer>, OptimError> {
///     let lr = p.f64(&LR)?;
///     Ok(Box::new(Sgd::new(SgdConfig { lr, ..SgdConfig::default() })?))
/// }
///
/// dlp_optim::register_optimizer!(OptimizerEntry {
///     name: "big_sgd",
///     summary: "plain SGD with a default lr of 0.5",
///     params: &[LR],
///     build,
/// });
///
/// let opt = dlp_optim::build_optimizer("big_sgd", &toml::Table::new()).unwrap();
/// assert_eq!(opt.lr(), 0.5);
/// ```
#[macro_export]
macro_rules! register_optimizer {
    ($entry:expr $(,)?) => {
        $crate::__inventory::submit! {
            $crate::Registration::<$crate::OptimizerEntry> {
                entry: $entry,
                origin: ::core::module_path!(),
            }
        }
    };
}

/// Registers a [`ScheduleEntry`] with the registry, like
/// [`register_optimizer!`](crate::register_optimizer).
#[macro_export]
macro_rules! register_schedule {
    ($entry:expr $(,)?) => {
        $crate::__inventory::submit! {
            $crate::Registration::<$crate::ScheduleEntry> {
                entry: $entry,
                origin: ::core::module_path!(),
            }
        }
    };
}

trait Entry: 'static {
    const KIND: &'static str;
    fn name(&self) -> &'static str;
}

impl Entry for OptimizerEntry {
    const KIND: &'static str = "optimizer";
    fn name(&self) -> &'static str {
        self.name
    }
}

impl Entry for ScheduleEntry {
    const KIND: &'static str = "schedule";
    fn name(&self) -> &'static str {
        self.name
    }
}

/// The registrations of one kind, sorted and checked by the lookup all registries share.
fn registry<E: Entry>(
    registrations: impl Iterator<Item = &'static Registration<E>>,
) -> Registry<E> {
    Registry::new(
        E::KIND,
        registrations.map(|r| Registered {
            name: r.entry.name(),
            origin: r.origin,
            entry: &r.entry,
        }),
    )
}

fn optimizer_registry() -> &'static Registry<OptimizerEntry> {
    static REGISTRY: OnceLock<Registry<OptimizerEntry>> = OnceLock::new();
    REGISTRY.get_or_init(|| registry(inventory::iter::<Registration<OptimizerEntry>>.into_iter()))
}

fn schedule_registry() -> &'static Registry<ScheduleEntry> {
    static REGISTRY: OnceLock<Registry<ScheduleEntry>> = OnceLock::new();
    REGISTRY.get_or_init(|| registry(inventory::iter::<Registration<ScheduleEntry>>.into_iter()))
}

/// Every registered optimizer, sorted by name. A name registered twice appears twice (so that
/// `dlp list` shows the clash), and every lookup fails (see [`find_optimizer`]).
pub fn optimizers() -> Vec<&'static OptimizerEntry> {
    optimizer_registry().all()
}

/// Every registered schedule, sorted by name, as [`optimizers`].
pub fn schedules() -> Vec<&'static ScheduleEntry> {
    schedule_registry().all()
}

/// The optimizer registered as `name`.
///
/// # Errors
/// [`OptimError::Lookup`]: no optimizer has this name (the error lists the known ones and
/// suggests one only if it is near), or two linked crates registered one optimizer name
/// (whichever name is asked for: the registry refuses every lookup, before anything trains).
pub fn find_optimizer(name: &str) -> Result<&'static OptimizerEntry, OptimError> {
    Ok(optimizer_registry().lookup(name)?)
}

/// The schedule registered as `name`; errors as [`find_optimizer`].
pub fn find_schedule(name: &str) -> Result<&'static ScheduleEntry, OptimError> {
    Ok(schedule_registry().lookup(name)?)
}

/// Builds the optimizer `name` from its parameter table: the user's `[optim]` table without
/// its `name` key and `schedule` sub-table.
///
/// # Errors
/// An unknown or duplicated name, a parameter of the wrong type or out of range, or a key the
/// optimizer does not accept.
pub fn build_optimizer(name: &str, table: &toml::Table) -> Result<Box<dyn Optimizer>, OptimError> {
    let entry = find_optimizer(name)?;
    let params = Params::new(entry.name, table);
    let optimizer = (entry.build)(&params)?;
    params.finish()?;
    Ok(optimizer)
}

/// Builds the schedule `name` from its parameter table: the user's `[optim.schedule]` table
/// without its `name` key. Errors as [`build_optimizer`].
pub fn build_schedule(name: &str, table: &toml::Table) -> Result<Box<dyn Schedule>, OptimError> {
    let entry = find_schedule(name)?;
    let params = Params::new(entry.name, table);
    let schedule = (entry.build)(&params)?;
    params.finish()?;
    Ok(schedule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EpochLosses;

    use dlp_registry::is_well_formed as valid_name;

    #[test]
    fn names_are_unique_and_well_formed() {
        for (kind, names) in [
            (
                "optimizer",
                optimizers().iter().map(|e| e.name).collect::<Vec<_>>(),
            ),
            ("schedule", schedules().iter().map(|e| e.name).collect()),
        ] {
            let mut dedup = names.clone();
            dedup.dedup();
            assert_eq!(dedup, names, "duplicate {kind} name");
            for n in names {
                assert!(
                    valid_name(n),
                    "{kind} name `{n}` does not match ^[a-z][a-z0-9_]*$"
                );
            }
        }
    }

    #[test]
    fn this_crate_registers_its_builtins() {
        let names: Vec<_> = optimizers().iter().map(|e| e.name).collect();
        for n in ["adagrad", "adam", "adamw", "rmsprop", "sgd"] {
            assert!(names.contains(&n), "{n} missing from {names:?}");
        }
        let names: Vec<_> = schedules().iter().map(|e| e.name).collect();
        assert_eq!(
            names,
            [
                "adaptive",
                "constant",
                "cosine",
                "exponential",
                "loss_increase",
                "reduce_on_plateau",
                "step",
                "warmup"
            ]
        );
    }

    /// What `dlp list` shows as a default is TOML for the value [`crate::fill_defaults`]
    /// records, and what an absent key reads.
    #[test]
    fn listed_defaults_are_the_recorded_ones() {
        let params = optimizers().into_iter().flat_map(|e| e.params);
        for param in params.chain(schedules().into_iter().flat_map(|e| e.params)) {
            let text = format!("v = {}", param.default);
            let listed = text
                .parse::<toml::Table>()
                .ok()
                .and_then(|t| t.get("v").cloned());
            assert_eq!(listed, param.default.to_toml(), "`{}`: {text}", param.name);
        }
    }

    /// Every built-in optimizer reads exactly its documented keys and trains the same with
    /// its documented defaults written out as without them (`testing::assert_registered`).
    #[test]
    fn optimizers_train_their_documented_defaults() {
        for e in optimizers() {
            crate::testing::assert_registered(e.name, &toml::Table::new());
        }
    }

    /// Every schedule reads exactly its documented keys and gives the same learning rates with
    /// its documented defaults written out as without them (a required key is given 2).
    #[test]
    fn schedules_follow_their_documented_defaults() {
        let losses: Vec<EpochLosses> = (0..40)
            .map(|e| EpochLosses {
                train_loss: 1.0 + 0.1 * f64::from(e % 2),
                test_loss: 2.0 - 0.01 * f64::from(e),
            })
            .collect();
        let lrs = |name: &str, table: &toml::Table| {
            let mut schedule = build_schedule(name, table).unwrap_or_else(|e| panic!("{e}"));
            let mut previous = None;
            let mut out = Vec::new();
            for (epoch, l) in losses.iter().enumerate() {
                out.push(schedule.lr(epoch, 0.1, previous));
                previous = Some(l);
            }
            out
        };
        for e in schedules() {
            let required: toml::Table = e
                .params
                .iter()
                .filter(|p| p.default == crate::ParamDefault::Required)
                .map(|p| (p.name.to_owned(), toml::Value::Integer(2)))
                .collect();
            let mut explicit = required.clone();
            crate::fill_defaults(&mut explicit, e.params);
            let p = Params::new(e.name, &explicit);
            (e.build)(&p).unwrap_or_else(|err| panic!("{err}"));
            p.finish().unwrap();
            let mut read = p.keys_read();
            read.sort_unstable();
            let mut documented: Vec<_> = e.params.iter().map(|d| d.name).collect();
            documented.sort_unstable();
            assert_eq!(read, documented, "{}", e.name);
            assert_eq!(explicit.len(), e.params.len(), "{}", e.name);
            assert_eq!(lrs(e.name, &required), lrs(e.name, &explicit), "{}", e.name);
        }
    }

    #[test]
    fn unknown_names_list_the_known_ones_and_suggest_the_nearest() {
        let e = build_optimizer("adma", &toml::Table::new()).err().unwrap();
        let msg = e.to_string();
        assert!(
            msg.starts_with("unknown optimizer `adma` (known: adagrad, adam, adamw"),
            "{msg}"
        );
        assert!(msg.ends_with("; did you mean `adam`?"), "{msg}");
        assert!(
            msg.contains("if it comes from a plugin crate, that crate must be linked"),
            "{msg}"
        );
        assert_eq!(e.key(), None);
        let e = build_schedule("cosin", &toml::Table::new()).err().unwrap();
        assert!(e.to_string().ends_with("did you mean `cosine`?"), "{e}");
        // Far names get no suggestion (the nearest registered name would be a wrong guess).
        for far in ["transformer", "momentum", "adadelta"] {
            let e = find_optimizer(far).unwrap_err();
            assert!(!e.to_string().contains("did you mean"), "{e}");
        }
        for far in ["linear", "plateau"] {
            let e = find_schedule(far).unwrap_err();
            assert!(!e.to_string().contains("did you mean"), "{e}");
        }
        // Near ones do, whatever their case.
        let e = find_optimizer("RMS_prop").unwrap_err();
        assert!(e.to_string().ends_with("; did you mean `rmsprop`?"), "{e}");
        let e = find_schedule("reduce_lr_on_plateau").unwrap_err();
        assert!(
            e.to_string().ends_with("did you mean `reduce_on_plateau`?"),
            "{e}"
        );
    }

    /// A second `adam` registered by another crate: the registry refuses every lookup (not
    /// only `adam`'s) with an error naming both registrations, and lists both.
    #[test]
    fn a_duplicate_name_refuses_every_lookup() {
        static ANOTHER_ADAM: Registration<OptimizerEntry> = Registration {
            entry: OptimizerEntry {
                name: "adam",
                summary: "",
                params: &[],
                build: |_| unreachable!(),
            },
            origin: "my_plugin",
        };
        let all = inventory::iter::<Registration<OptimizerEntry>>.into_iter();
        let clash = registry(all.chain([&ANOTHER_ADAM]));
        let message = "optimizer `adam` is registered twice, by `dlp_optim::adam` and by \
                       `my_plugin`; rename one of the two";
        for name in ["adam", "sgd", "adma"] {
            let e = OptimError::from(clash.lookup(name).unwrap_err());
            assert_eq!(e.to_string(), message);
            assert_eq!((e.name(), e.key()), ("adam", None));
        }
        let names = clash.names();
        assert_eq!(
            names.iter().filter(|&&n| n == "adam").count(),
            2,
            "{names:?}"
        );
        // Without the clash, the same registrations look up.
        let all = inventory::iter::<Registration<OptimizerEntry>>.into_iter();
        assert!(registry(all).lookup("sgd").is_ok());
    }

    /// Listed by name, whatever order the linker left the registrations in.
    #[test]
    fn listings_are_sorted_by_name() {
        let names: Vec<_> = optimizers().iter().map(|e| e.name).collect();
        assert!(names.is_sorted(), "{names:?}");
        let names: Vec<_> = schedules().iter().map(|e| e.name).collect();
        assert!(names.is_sorted(), "{names:?}");
        let reversed: Vec<_> = inventory::iter::<Registration<ScheduleEntry>>
            .into_iter()
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let names = registry(reversed.into_iter()).names();
        assert!(names.is_sorted(), "{names:?}");
    }

    #[test]
    fn unknown_keys_are_rejected_after_a_build() {
        let table: toml::Table = toml::from_str("lr = 0.1\nbeta = 0.9").unwrap();
        let e = build_optimizer("adam", &table).err().unwrap();
        assert_eq!(
            e.to_string(),
            "adam: unknown key `beta` (accepted: `amsgrad`, `betas`, `eps`, `lr`, `weight_decay`)"
        );
    }
}
