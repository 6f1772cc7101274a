use std::cell::RefCell;

use toml::{Table, Value};

use crate::OptimError;

/// Documentation of one parameter accepted by a registered optimizer or schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDoc {
    /// The TOML key, e.g. `"lr"`.
    pub name: &'static str,
    /// The default as TOML text (`"1e-3"`, `"[0.9, 0.999]"`, `"false"`), or `"required"`.
    pub default: &'static str,
    /// One line of documentation.
    pub doc: &'static str,
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

    /// A float (an integer is accepted), or `default` when absent.
    pub fn f64(&self, key: &'static str, default: f64) -> Result<f64, OptimError> {
        self.get(key).map_or(Ok(default), |v| self.as_f64(key, v))
    }

    /// A float (an integer is accepted) that must be present.
    pub fn f64_required(&self, key: &'static str) -> Result<f64, OptimError> {
        let v = self.get(key).ok_or_else(|| self.missing(key))?;
        self.as_f64(key, v)
    }

    /// A non-negative integer, or `default` when absent.
    pub fn usize(&self, key: &'static str, default: usize) -> Result<usize, OptimError> {
        self.get(key).map_or(Ok(default), |v| self.as_usize(key, v))
    }

    /// A non-negative integer that must be present.
    pub fn usize_required(&self, key: &'static str) -> Result<usize, OptimError> {
        let v = self.get(key).ok_or_else(|| self.missing(key))?;
        self.as_usize(key, v)
    }

    /// A boolean, or `default` when absent.
    pub fn bool(&self, key: &'static str, default: bool) -> Result<bool, OptimError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Boolean(b)) => Ok(*b),
            Some(other) => Err(self.wrong_type(key, "a boolean", other)),
        }
    }

    /// A pair of floats written as a two-element array (`betas = [0.9, 0.999]`), or `default`.
    pub fn f64_pair(
        &self,
        key: &'static str,
        default: (f64, f64),
    ) -> Result<(f64, f64), OptimError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Array(a)) if a.len() == 2 => {
                let expected = "an array of two numbers";
                let one = |v: &Value| match v {
                    Value::Float(_) | Value::Integer(_) => self.as_f64(key, v),
                    _ => Err(self.wrong_type(key, expected, &Value::Array(a.clone()))),
                };
                Ok((one(&a[0])?, one(&a[1])?))
            }
            Some(other) => Err(self.wrong_type(key, "an array of two numbers", other)),
        }
    }

    /// One of the strings in `allowed`, or `default` when absent.
    pub fn choice(
        &self,
        key: &'static str,
        default: &'static str,
        allowed: &[&'static str],
    ) -> Result<&'static str, OptimError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::String(s)) => allowed.iter().copied().find(|a| a == s).ok_or_else(|| {
                let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
                OptimError::invalid(
                    self.name,
                    key,
                    format!("must be one of {}", list.join(", ")),
                    format!("\"{s}\""),
                )
            }),
            Some(other) => Err(self.wrong_type(key, "a string", other)),
        }
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

    #[test]
    fn integers_are_accepted_as_floats() {
        let t = table("lr = 1\nbetas = [1, 0.5]");
        let p = Params::new("adam", &t);
        assert_eq!(p.f64("lr", 0.1).unwrap(), 1.0);
        assert_eq!(p.f64_pair("betas", (0.0, 0.0)).unwrap(), (1.0, 0.5));
        assert_eq!(p.f64("eps", 1e-8).unwrap(), 1e-8);
        p.finish().unwrap();
    }

    #[test]
    fn wrong_types_name_the_key_and_the_expected_type() {
        let t = table("lr = \"0.1\"\namsgrad = 1\nbetas = [0.9]\nstep_size = 2.5");
        let p = Params::new("adam", &t);
        let e = p.f64("lr", 0.1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "adam: `lr` must be a number (got string \"0.1\")"
        );
        assert_eq!(e.key(), Some("lr"));
        let e = p.bool("amsgrad", false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "adam: `amsgrad` must be a boolean (got integer 1)"
        );
        let e = p.f64_pair("betas", (0.9, 0.999)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "adam: `betas` must be an array of two numbers (got array [0.9])"
        );
        let e = p.usize("step_size", 1).unwrap_err();
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
            p.f64("lr", 0.1).unwrap_err().to_string(),
            "x: `lr` must be finite (got NaN)"
        );
        assert_eq!(
            p.f64("eps", 0.1).unwrap_err().to_string(),
            "x: `eps` must be finite (got inf)"
        );
        assert_eq!(
            p.usize("n", 1).unwrap_err().to_string(),
            "x: `n` must be >= 0 (got -1)"
        );
    }

    #[test]
    fn required_keys() {
        let t = table("");
        let p = Params::new("step", &t);
        let e = p.usize_required("step_size").unwrap_err();
        assert_eq!(e.to_string(), "step: `step_size` is required");
        assert_eq!(e.key(), Some("step_size"));
        assert!(p.f64_required("gamma").is_err());
    }

    #[test]
    fn choices() {
        let t = table("monitor = \"val\"");
        let p = Params::new("reduce_on_plateau", &t);
        let e = p
            .choice("monitor", "train_loss", &["train_loss", "test_loss"])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "reduce_on_plateau: `monitor` must be one of \"train_loss\", \"test_loss\" (got \"val\")"
        );
    }

    #[test]
    fn finish_lists_unknown_and_accepted_keys() {
        let t = table("lr = 0.1\nlrr = 2\nmomentun = 0.9");
        let p = Params::new("sgd", &t);
        p.f64("lr", 1e-3).unwrap();
        p.f64("momentum", 0.0).unwrap();
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
