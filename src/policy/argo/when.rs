//! `spec.when` (`operator.go` `evalWhen`, `shouldExecute`) and
//! `spec.stopStrategy.expression` (`checkStopingCondition`), parsed once
//! into the expression subset of [`super::expr`].

use super::expr::{self, Expr, ExprEnv, Field, Value};

/// A parsed `when` template: text with `{{= expr }}` and
/// `{{cronworkflow.x}}` holes.
#[derive(Debug, Clone, PartialEq)]
pub struct When {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Hole(Expr),
}

/// Parses `spec.when`; the error says what is outside the subset.
pub fn parse_when(text: &str) -> Result<When, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        parts.push(Part::Text(rest[..open].to_string()));
        let close = rest[open..].find("}}").ok_or_else(|| format!("unterminated `{{{{` in `{text}`"))?;
        let inner = rest[open + 2..open + close].trim();
        let hole = match inner.strip_prefix('=') {
            Some(e) => expr::parse(e.trim())?,
            None => {
                // A plain tag names one variable; an unresolved one is an
                // error upstream too (`Replace(..., allowUnresolved=false)`).
                let field = inner.strip_prefix("cronworkflow.").ok_or_else(|| {
                    format!("`{{{{{inner}}}}}` cannot be resolved: only cronworkflow.* variables are set")
                })?;
                expr::parse(&format!("cronworkflow.{field}"))?
            }
        };
        parts.push(Part::Hole(hole));
        rest = &rest[open + close + 2..];
    }
    parts.push(Part::Text(rest.to_string()));
    Ok(When { parts })
}

impl When {
    /// `evalWhen`: substitute the holes, then evaluate the text as a
    /// boolean (govaluate upstream; the same subset here).
    pub fn eval(&self, env: &ExprEnv) -> Result<bool, String> {
        let mut text = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => text.push_str(t),
                Part::Hole(e) => text.push_str(&expr::format_value(&expr::eval(e, env)?)),
            }
        }
        let text = text.trim();
        if text.is_empty() {
            return Ok(true);
        }
        let e = expr::parse(text)?;
        match expr::eval(&e, env)? {
            Value::Bool(b) => Ok(b),
            v => Err(format!("Expected boolean evaluation for '{text}'. Got {}", expr::format_value(&v))),
        }
    }

    /// Whether the template reads `lastScheduledTime` (for reports).
    pub fn reads_last_scheduled_time(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Hole(e) if reads(e, Field::LastScheduledTime)))
    }
}

fn reads(e: &Expr, f: Field) -> bool {
    match e {
        Expr::Var(g) => *g == f,
        Expr::Not(x) | Expr::Neg(x) | Expr::Unit(x, _) => reads(x, f),
        Expr::Bin(a, _, b) => reads(a, f) || reads(b, f),
        Expr::Lit(_) | Expr::Now => false,
    }
}

/// Parses `spec.stopStrategy.expression` (expr-lang, no template braces).
pub fn parse_stop(text: &str) -> Result<Expr, String> {
    expr::parse(text)
}
