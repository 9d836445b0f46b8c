//! Resource quantities (`cpu: 250m`, `memory: 512Mi`), read as the API
//! server's `resource.ParseQuantity` reads them (apimachinery
//! `pkg/api/resource/quantity.go`), and a container's requests summed into
//! a pod's as the scheduler sums them.
//!
//! A quantity is a decimal number (`1`, `0.5`, `.5`, `1.`) with an
//! optional suffix: decimal SI (`n u m k M G T P E`), binary SI (`Ki Mi Gi
//! Ti Pi Ei`) or a decimal exponent (`e3`, `E-2`). Like upstream, a value is
//! rounded up to the nanounit when read, and read out rounded up again:
//! `MilliValue` for CPU (millicores), `Value` for memory (bytes). Upstream
//! reads a few more forms that no request needs (values beyond 2^63 are
//! capped there); cronwarp refuses those with a message instead.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smol_str::SmolStr;
use std::fmt;

/// One resource quantity, as written, and its exact value in nanounits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Quantity {
    text: SmolStr,
    nanos: i128,
}

/// Nanounits per unit.
const NANO: i128 = 1_000_000_000;

/// The largest value read: 2^63 units, which upstream's int64 readers
/// (`Value`, `MilliValue`) cannot go past either.
const MAX_NANOS: i128 = (1i128 << 63) * NANO;

const EXAMPLES: &str = r#"write e.g. "250m" or "2" for CPU, "512Mi" or "1G" for memory"#;

impl Quantity {
    /// Reads `s` as `resource.ParseQuantity` does (see the module docs).
    pub fn parse(s: &str) -> Result<Quantity, String> {
        let bad = |why: &str| format!("invalid quantity {s:?}: {why}; {EXAMPLES}");
        if s.is_empty() {
            return Err(bad("it is empty"));
        }
        let (negative, rest) = match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int, rest) = rest.split_at(int_len);
        let (frac, suffix) = match rest.strip_prefix('.') {
            Some(r) => r.split_at(r.bytes().take_while(u8::is_ascii_digit).count()),
            None => ("", rest),
        };
        if int.is_empty() && frac.is_empty() && !rest.starts_with('.') {
            return Err(bad("it does not start with a number"));
        }
        let (ten, two) = suffix_exponents(suffix).ok_or_else(|| {
            bad(&format!(
                "unknown suffix {suffix:?} (decimal: n, u, m, k, M, G, T, P, E; binary: Ki, Mi, Gi, Ti, \
                 Pi, Ei; or an exponent such as e3)"
            ))
        })?;
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 30 {
            return Err(bad("it has too many digits"));
        }
        let mantissa: i128 =
            if digits.is_empty() { 0 } else { digits.parse().map_err(|_| bad("too large"))? };
        // value = mantissa × 10^(ten - |frac|) × 2^two, in nanounits
        // rounded up (away from zero), as upstream rounds on parse.
        let scale = ten - frac.len() as i32 + 9;
        let too_large = || bad("too large (at most 2^63 units)");
        let mut nanos = mantissa.checked_mul(1i128 << two).ok_or_else(too_large)?;
        if scale >= 0 {
            let factor = 10i128.checked_pow(scale as u32).ok_or_else(too_large)?;
            nanos = if nanos == 0 { 0 } else { nanos.checked_mul(factor).ok_or_else(too_large)? };
        } else {
            nanos = match 10i128.checked_pow(scale.unsigned_abs()) {
                Some(d) => (nanos + d - 1) / d,
                None => i128::from(nanos > 0),
            };
        }
        if nanos > MAX_NANOS {
            return Err(too_large());
        }
        Ok(Quantity { text: s.into(), nanos: if negative { -nanos } else { nanos } })
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the value is below zero (a request must not be).
    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// The exact value in nanounits.
    pub fn nanos(&self) -> i128 {
        self.nanos
    }

    /// Thousandths of the unit, rounded up (`Quantity.MilliValue`): CPU in
    /// millicores.
    pub fn milli_value(&self) -> i64 {
        ceil_div(self.nanos, NANO / 1000)
    }

    /// Whole units, rounded up (`Quantity.Value`): memory in bytes.
    pub fn value(&self) -> i64 {
        ceil_div(self.nanos, NANO)
    }
}

/// `n / d` rounded up for `n >= 0`, clamped to `i64`.
fn ceil_div(n: i128, d: i128) -> i64 {
    let q = if n >= 0 { (n + d - 1) / d } else { n / d };
    i64::try_from(q).unwrap_or(if q > 0 { i64::MAX } else { i64::MIN })
}

/// The powers of ten and of two a suffix stands for
/// (`quantitySuffixer.interpret`); `None` for an unknown one.
fn suffix_exponents(suffix: &str) -> Option<(i32, u32)> {
    let decimal = match suffix {
        "" => Some(0),
        "n" => Some(-9),
        "u" => Some(-6),
        "m" => Some(-3),
        "k" => Some(3),
        "M" => Some(6),
        "G" => Some(9),
        "T" => Some(12),
        "P" => Some(15),
        "E" => Some(18),
        _ => None,
    };
    if let Some(ten) = decimal {
        return Some((ten, 0));
    }
    let binary = match suffix {
        "Ki" => Some(10),
        "Mi" => Some(20),
        "Gi" => Some(30),
        "Ti" => Some(40),
        "Pi" => Some(50),
        "Ei" => Some(60),
        _ => None,
    };
    if let Some(two) = binary {
        return Some((0, two));
    }
    // A decimal exponent: `e` or `E`, an optional sign, digits.
    let exp = suffix.strip_prefix(['e', 'E'])?;
    let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 4 {
        return None;
    }
    Some((exp.parse().ok()?, 0))
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Strings, and bare YAML numbers (`cpu: 1`, `cpu: 0.5`), as the API
/// server's JSON decoder takes both.
struct QuantityVisitor;

impl Visitor<'_> for QuantityVisitor {
    type Value = Quantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a quantity such as "250m", "2" or "512Mi""#)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
        Quantity::parse(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
        Quantity::parse(&v.to_string()).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
        Quantity::parse(&v.to_string()).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
        Quantity::parse(&v.to_string()).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Quantity, D::Error> {
        d.deserialize_any(QuantityVisitor)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Quantity {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quantity".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A Kubernetes resource quantity: a number with an optional suffix (\"250m\", \"2\", \"512Mi\", \"1G\", \"1e3\").",
            "anyOf": [
                { "type": "string", "pattern": r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]*)([numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)?$" },
                { "type": "number" }
            ]
        })
    }
}

/// The CPU and memory a pod requests, as the scheduler adds them up
/// (`resource.PodRequests` in k8s.io/component-helpers): the regular
/// containers' sum, or the largest init container's request if that is
/// more (init containers run one at a time, before the others).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PodRequests {
    /// CPU, in millicores.
    pub cpu_millis: i64,
    /// Memory, in bytes.
    pub memory_bytes: i64,
}

impl PodRequests {
    /// Whether it requests anything.
    pub fn is_zero(&self) -> bool {
        self.cpu_millis == 0 && self.memory_bytes == 0
    }
}

/// What one container's `resources.requests` say, in nanounits: (CPU,
/// memory); other resources are not counted.
pub(crate) fn container_requests(requests: &std::collections::BTreeMap<SmolStr, Quantity>) -> (i128, i128) {
    let get = |k: &str| requests.get(k).map_or(0, Quantity::nanos);
    (get("cpu"), get("memory"))
}

/// Sums containers' and init containers' requests into a pod's (see
/// [`PodRequests`]); exact until the final rounding up.
pub(crate) fn pod_requests(containers: &[(i128, i128)], init: &[(i128, i128)]) -> PodRequests {
    let sum = containers.iter().fold((0i128, 0i128), |(c, m), r| (c + r.0, m + r.1));
    let max_init = init.iter().fold((0i128, 0i128), |(c, m), r| (c.max(r.0), m.max(r.1)));
    let (cpu, mem) = (sum.0.max(max_init.0), sum.1.max(max_init.1));
    PodRequests { cpu_millis: ceil_div(cpu, NANO / 1000), memory_bytes: ceil_div(mem, NANO) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn milli(s: &str) -> i64 {
        Quantity::parse(s).unwrap().milli_value()
    }

    fn value(s: &str) -> i64 {
        Quantity::parse(s).unwrap().value()
    }

    #[test]
    fn cpu_forms_read_as_millicores() {
        assert_eq!(milli("250m"), 250);
        assert_eq!(milli("1"), 1000);
        assert_eq!(milli("0.5"), 500);
        assert_eq!(milli(".5"), 500);
        assert_eq!(milli("1."), 1000);
        assert_eq!(milli("+2"), 2000);
        assert_eq!(milli("1500u"), 2); // 1.5m rounds up
        assert_eq!(milli("1n"), 1);
        assert_eq!(milli("0"), 0);
        assert_eq!(milli("1e-3"), 1);
        assert_eq!(milli("2k"), 2_000_000);
    }

    #[test]
    fn memory_forms_read_as_bytes() {
        assert_eq!(value("512Mi"), 512 << 20);
        assert_eq!(value("1Gi"), 1 << 30);
        assert_eq!(value("1.5Gi"), 3 << 29);
        assert_eq!(value("1G"), 1_000_000_000);
        assert_eq!(value("128974848"), 128_974_848);
        assert_eq!(value("129e6"), 129_000_000);
        assert_eq!(value("129E+6"), 129_000_000);
        assert_eq!(value("123Mi"), 128_974_848);
        assert_eq!(value("100m"), 1); // a tenth of a byte rounds up
        assert_eq!(value("1Ki"), 1024);
    }

    #[test]
    fn bad_quantities_say_why() {
        for (s, why) in [
            ("", "empty"),
            ("abc", "does not start with a number"),
            ("1K", "unknown suffix \"K\""),
            ("1Mb", "unknown suffix"),
            ("1 Gi", "unknown suffix \" Gi\""),
            ("1e", "unknown suffix"),
            ("9Ei0", "unknown suffix"),
            ("100000Ei", "too large"),
        ] {
            let e = Quantity::parse(s).unwrap_err();
            assert!(e.contains(why), "{s:?}: {e}");
        }
        assert!(Quantity::parse("-1").unwrap().is_negative());
    }

    #[test]
    fn pods_sum_containers_and_take_the_largest_init_container() {
        let r = |c: &str, m: &str| (Quantity::parse(c).unwrap().nanos(), Quantity::parse(m).unwrap().nanos());
        let p = pod_requests(&[r("250m", "64Mi"), r("250m", "64Mi")], &[r("1", "16Mi")]);
        assert_eq!(p, PodRequests { cpu_millis: 1000, memory_bytes: 128 << 20 });
        // Sub-millicore requests add up before rounding, as the scheduler's
        // Quantity sums do.
        let p = pod_requests(&[r("500u", "0"), r("500u", "0")], &[]);
        assert_eq!(p.cpu_millis, 1);
    }
}
