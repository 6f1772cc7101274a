use std::cell::RefCell;

use toml::{Table, Value};

use crate::OptimError;

/// One parameter accepted by a registered optimizer or schedule, declared once: the
/// constructor reads it through [`Params`], `dlp list` prints it, and the runner records its
/// default in a run's configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// The TOML key, e.g. `"lr"`.
    pub name: &'static str,
    /// Its type and default.
    pub default: ParamDefault,
    /// One line of documentation.
    pub doc: &'static str,
}

/// The type and default value of a [`Param`]; its [`Display`](std::fmt::Display) is the TOML
/// text `dlp list` shows (`1e-3`, `[0.9, 0.999]`, `"rel"`, `false`, or `required`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamDefault {
    /// No default: the key must be given (read with any getter).
    Required,
    /// A float, read with [`Params::f64`].
    Float(f64),
    /// A non-negative integer, read with [`Params::usize`].
    Integer(usize),
    /// A boolean, read with [`Params::bool`].
    Bool(bool),
    /// A pair of floats written as a two-element array, read with [`Params::f64_pair`].
    FloatPair(f64, f64),
    /// One string of `allowed`, read with [`Params::choice`].
    Choice {
        /// The default, one of `allowed`.
        default: &'static str,
        /// Every accepted string.
        allowed: &'static [&'static str],
    },
}

impl ParamDefault {
    /// The default as a TOML value, as the runner records it; `None` when required.
    pub fn to_toml(self) -> Option<Value> {
        Some(match self {
            Self::Required => return None,
            Self::Float(x) => Value::Float(x),
            Self::Integer(n) => Value::Integer(i64::try_from(n).expect("a default fits in i64")),
            Self::Bool(b) => Value::Boolean(b),
            Self::FloatPair(a, b) => Value::Array(vec![Value::Float(a), Value::Float(b)]),
            Self::Choice { default, .. } => Value::String(default.to_owned()),
        })
    }
}

/// Adds the default of each parameter of `params` that `table` does not set (not the required
/// ones): the table an optimizer or schedule is built from, with every value it trains with
/// written out, as the runner records it.
pub fn fill_defaults(table: &mut Table, params: &[Param]) {
    for param in params {
        if let Some(value) = param.default.to_toml()
            && !table.contains_key(param.name)
        {
            table.insert(param.name.to_owned(), value);
        }
    }
}

/// A float as TOML text: `1e-3` below 0.1, else `0.5`, `0.0`.
fn float_text(x: f64) -> String {
    if x != 0.0 && x.abs() < 0.1 {
        format!("{x:e}")
    } else {
        format!("{x:?}")
    }
}

impl std::fmt::Display for ParamDefault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Required => f.write_str("required"),
            Self::Float(x) => f.write_str(&float_text(*x)),
            Self::Integer(n) => write!(f, "{n}"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::FloatPair(a, b) => write!(f, "[{}, {}]", float_text(*a), float_text(*b)),
            Self::Choice { default, .. } => write!(f, "\"{default}\""),
        }
    }
}

/// A strict, read-recording view of a user's parameter table.
///
/// Constructors read their parameters through the typed getters, each of which records the key;
/// [`Params::finish`] (called by [`build_optimizer`](crate::build_optimizer) and
/// [`build_schedule`](crate::build_schedule) after a successful build) then rejects every key
/// that was never read. A constructor must therefore read all its keys unconditionally.
///
/// Every float getter accepts a TOML integer too, and rejects NaN and infinities.
#[derive(Debug)]
pub struct Params<'a> {
    name: &'a str,
    table: &'a Table,
    read: RefCell<Vec<&'static str>>,
}

impl<'a> Params<'a> {
    /// A view of `table` for the optimizer or schedule registered as `name` (used in errors).
    pub fn new(name: &'a str, table: &'a Table) -> Self {
        Self {
            name,
            table,
            read: RefCell::new(Vec::new()),
        }
    }

    /// The registered name given to [`Params::new`].
    pub fn name(&self) -> &str {
        self.name
    }

    /// The keys read so far, in first-read order.
    pub fn keys_read(&self) -> Vec<&'static str> {
        self.read.borrow().clone()
    }

    fn get(&self, key: &'static str) -> Option<&'a Value> {
        let mut read = self.read.borrow_mut();
        if !read.contains(&key) {
            read.push(key);
        }
        self.table.get(key)
    }

    fn wrong_type(&self, key: &str, expected: &'static str, got: &Value) -> OptimError {
        OptimError::WrongType {
            name: self.name.to_owned(),
            key: key.to_owned(),
            expected,
            got: format!("{} {got}", got.type_str()),
        }
    }

    fn missing(&self, key: &str) -> OptimError {
        OptimError::Missing {
            name: self.name.to_owned(),
            key: key.to_owned(),
        }
    }

    fn as_f64(&self, key: &str, value: &Value) -> Result<f64, OptimError> {
        let x = match value {
            Value::Float(x) => *x,
            Value::Integer(i) => *i as f64,
            other => return Err(self.wrong_type(key, "a number", other)),
        };
        if x.is_finite() {
            Ok(x)
        } else {
            Err(OptimError::invalid(self.name, key, "must be finite", x))
        }
    }

    fn as_usize(&self, key: &str, value: &Value) -> Result<usize, OptimError> {
        match value {
            Value::Integer(i) => usize::try_from(*i)
                .map_err(|_| OptimError::invalid(self.name, key, "must be >= 0", i)),
            other => Err(self.wrong_type(key, "an integer", other)),
        }
    }

    /// Reads `param`: `parse` its value, or its `default` when absent (an error when it is
    /// required). Panics when `param` is declared with another type than the getter reads.
    fn read<T>(
        &self,
        param: &Param,
        default: Option<T>,
        parse: impl FnOnce(&'a Value) -> Result<T, OptimError>,
    ) -> Result<T, OptimError> {
        assert!(
            default.is_some() || param.default == ParamDefault::Required,
            "{}: `{}` is declared as {:?}, not read with this getter",
            self.name,
            param.name,
            param.default
        );
        match self.get(param.name) {
            Some(value) => parse(value),
            None => default.ok_or_else(|| self.missing(param.name)),
        }
    }

    /// A float (an integer is accepted); `param` is declared [`ParamDefault::Float`] or
    /// [`ParamDefault::Required`].
    pub fn f64(&self, param: &Param) -> Result<f64, OptimError> {
        let default = match param.default {
            ParamDefault::Float(x) => Some(x),
            _ => None,
        };
        self.read(param, default, |v| self.as_f64(param.name, v))
    }

    /// A non-negative integer; `param` is declared [`ParamDefault::Integer`] or
    /// [`ParamDefault::Required`].
    pub fn usize(&self, param: &Param) -> Result<usize, OptimError> {
        let default = match param.default {
            ParamDefault::Integer(n) => Some(n),
            _ => None,
        };
        self.read(param, default, |v| self.as_usize(param.name, v))
    }

    /// A boolean; `param` is declared [`ParamDefault::Bool`].
    pub fn bool(&self, param: &Param) -> Result<bool, OptimError> {
        let default = match param.default {
            ParamDefault::Bool(b) => Some(b),
            _ => None,
        };
        self.read(param, default, |v| match v {
            Value::Boolean(b) => Ok(*b),
            other => Err(self.wrong_type(param.name, "a boolean", other)),
        })
    }

    /// A pair of floats written as a two-element array (`betas = [0.9, 0.999]`); `param` is
    /// declared [`ParamDefault::FloatPair`].
    pub fn f64_pair(&self, param: &Param) -> Result<(f64, f64), OptimError> {
        let default = match param.default {
            ParamDefault::FloatPair(a, b) => Some((a, b)),
            _ => None,
        };
        let key = param.name;
        let expected = "an array of two numbers";
        self.read(param, default, |v| match v {
            Value::Array(a) if a.len() == 2 => {
                let one = |v: &Value| match v {
                    Value::Float(_) | Value::Integer(_) => self.as_f64(key, v),
                    _ => Err(self.wrong_type(key, expected, &Value::Array(a.clone()))),
                };
                Ok((one(&a[0])?, one(&a[1])?))
            }
            other => Err(self.wrong_type(key, expected, other)),
        })
    }

    /// One of the allowed strings; `param` is declared [`ParamDefault::Choice`].
    pub fn choice(&self, param: &Param) -> Result<&'static str, OptimError> {
        let ParamDefault::Choice { default, allowed } = param.default else {
            panic!(
                "{}: `{}` is not declared as a choice",
                self.name, param.name
            );
        };
        self.read(param, Some(default), |v| match v {
            Value::String(s) => allowed.iter().copied().find(|a| a == s).ok_or_else(|| {
                let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
                OptimError::invalid(
                    self.name,
                    param.name,
                    format!("must be one of {}", list.join(", ")),
                    format!("\"{s}\""),
                )
            }),
            other => Err(self.wrong_type(param.name, "a string", other)),
        })
    }

    /// Fails on every key of the table that no getter has read.
    pub fn finish(&self) -> Result<(), OptimError> {
        let read = self.read.borrow();
        let mut unknown: Vec<String> = self
            .table
            .keys()
            .filter(|k| !read.contains(&k.as_str()))
            .cloned()
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        unknown.sort();
        let mut accepted: Vec<&str> = read.clone();
        accepted.sort_unstable();
        let accepted = if accepted.is_empty() {
            "none".to_owned()
        } else {
            accepted
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Err(OptimError::UnknownKeys {
            name: self.name.to_owned(),
            keys: unknown,
            accepted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> Table {
        toml::from_str(s).unwrap()
    }

    const fn param(name: &'static str, default: ParamDefault) -> Param {
        Param {
            name,
            default,
            doc: "",
        }
    }

    const LR: Param = param("lr", ParamDefault::Float(0.1));
    const EPS: Param = param("eps", ParamDefault::Float(1e-8));
    const BETAS: Param = param("betas", ParamDefault::FloatPair(0.9, 0.999));
    const AMSGRAD: Param = param("amsgrad", ParamDefault::Bool(false));
    const STEP_SIZE: Param = param("step_size", ParamDefault::Integer(1));
    const N: Param = param("n", ParamDefault::Integer(1));
    const REQUIRED: Param = param("step_size", ParamDefault::Required);
    const MONITOR: Param = param(
        "monitor",
        ParamDefault::Choice {
            default: "train_loss",
            allowed: &["train_loss", "test_loss"],
        },
    );

    #[test]
    fn integers_are_accepted_as_floats() {
        let t = table("lr = 1\nbetas = [1, 0.5]");
        let p = Params::new("adam", &t);
        assert_eq!(p.f64(&LR).unwrap(), 1.0);
        assert_eq!(p.f64_pair(&BETAS).unwrap(), (1.0, 0.5));
        assert_eq!(p.f64(&EPS).unwrap(), 1e-8);
        p.finish().unwrap();
    }

    #[test]
    fn wrong_types_name_the_key_and_the_expected_type() {
        let t = table("lr = \"0.1\"\namsgrad = 1\nbetas = [0.9]\nstep_size = 2.5");
        let p = Params::new("adam", &t);
        let e = p.f64(&LR).unwrap_err();
        assert_eq!(
            e.to_string(),
            "adam: `lr` must be a number (got string \"0.1\")"
        );
        assert_eq!(e.key(), Some("lr"));
        let e = p.bool(&AMSGRAD).unwrap_err();
        assert_eq!(
            e.to_string(),
            "adam: `amsgrad` must be a boolean (got integer 1)"
        );
        let e = p.f64_pair(&BETAS).unwrap_err();
        assert_eq!(
            e.to_string(),
            "adam: `betas` must be an array of two numbers (got array [0.9])"
        );
        let e = p.usize(&STEP_SIZE).unwrap_err();
        assert_eq!(
            e.to_string(),
            "adam: `step_size` must be an integer (got float 2.5)"
        );
    }

    #[test]
    fn non_finite_and_negative_integers_are_rejected() {
        let t = table("lr = nan\neps = inf\nn = -1");
        let p = Params::new("x", &t);
        assert_eq!(
            p.f64(&LR).unwrap_err().to_string(),
            "x: `lr` must be finite (got NaN)"
        );
        assert_eq!(
            p.f64(&EPS).unwrap_err().to_string(),
            "x: `eps` must be finite (got inf)"
        );
        assert_eq!(
            p.usize(&N).unwrap_err().to_string(),
            "x: `n` must be >= 0 (got -1)"
        );
    }

    #[test]
    fn required_keys() {
        let t = table("");
        let p = Params::new("step", &t);
        let e = p.usize(&REQUIRED).unwrap_err();
        assert_eq!(e.to_string(), "step: `step_size` is required");
        assert_eq!(e.key(), Some("step_size"));
        assert!(p.f64(&REQUIRED).is_err());
    }

    #[test]
    fn choices() {
        let t = table("monitor = \"val\"");
        let p = Params::new("reduce_on_plateau", &t);
        let e = p.choice(&MONITOR).unwrap_err();
        assert_eq!(
            e.to_string(),
            "reduce_on_plateau: `monitor` must be one of \"train_loss\", \"test_loss\" (got \"val\")"
        );
    }

    #[test]
    fn finish_lists_unknown_and_accepted_keys() {
        let t = table("lr = 0.1\nlrr = 2\nmomentun = 0.9");
        let p = Params::new("sgd", &t);
        p.f64(&LR).unwrap();
        p.f64(&param("momentum", ParamDefault::Float(0.0))).unwrap();
        let e = p.finish().unwrap_err();
        assert_eq!(
            e.to_string(),
            "sgd: unknown keys `lrr`, `momentun` (accepted: `lr`, `momentum`)"
        );
        assert_eq!(e.key(), Some("lrr"));
        let t = table("x = 1");
        let e = Params::new("constant", &t).finish().unwrap_err();
        assert_eq!(e.to_string(), "constant: unknown key `x` (accepted: none)");
    }
}
