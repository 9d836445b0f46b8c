//! The expression subset cronwarp evaluates for a CronWorkflow's
//! `spec.when` and `spec.stopStrategy.expression`
//! (docs/fidelity/argo.md#argo-7).
//!
//! Upstream evaluates `stopStrategy.expression` with expr-lang
//! (`util/expr/argoexpr.EvalBool`) over a `cronworkflow` map, and `when` as
//! a template (`util/template`: `{{= expr }}` is expr-lang,
//! `{{cronworkflow.x}}` a plain substitution) whose text is then evaluated
//! by govaluate (`operator.go` `evalWhen`, `shouldExecute`). Both read the
//! variables `expressionEnv` sets.
//!
//! The subset: literals (integers, decimals, strings, `true`, `false`,
//! `nil`), the variables `cronworkflow.name`, `.namespace`, `.failed`,
//! `.succeeded` and `.lastScheduledTime`, `now()`, `+ - * /`, comparisons,
//! `&& || !` (and `and or not`) with short-circuit, parentheses, and on a
//! duration (a time minus a time) `.Seconds()`, `.Minutes()`, `.Hours()`.
//! Anything else is refused when parsed, with the offending text, so a
//! scenario never runs on a guess.

use crate::model::Time;

/// A value of the subset.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `nil` (an unset `lastScheduledTime`).
    Nil,
    /// A boolean.
    Bool(bool),
    /// A number (expr-lang's int and float alike).
    Num(f64),
    /// A string.
    Str(String),
    /// An instant.
    Time(Time),
    /// A duration in milliseconds.
    Duration(i64),
}

/// What `expressionEnv` exposes, at the instant of evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprEnv {
    /// `cronworkflow.name`.
    pub name: String,
    /// `cronworkflow.namespace`.
    pub namespace: String,
    /// `cronworkflow.failed` (status counter).
    pub failed: i64,
    /// `cronworkflow.succeeded` (status counter).
    pub succeeded: i64,
    /// `cronworkflow.lastScheduledTime`, nil when never scheduled.
    pub last_scheduled_time: Option<Time>,
    /// What `now()` returns: the controller's clock.
    pub now: Time,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Lit(Value),
    /// `cronworkflow.<field>`.
    Var(Field),
    /// `now()`.
    Now,
    /// `!e`.
    Not(Box<Expr>),
    /// `-e`.
    Neg(Box<Expr>),
    /// `e.Seconds()` and friends: the duration in that unit.
    Unit(Box<Expr>, f64),
    /// A binary operation.
    Bin(Box<Expr>, Op, Box<Expr>),
}

/// The variables of the subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `name`.
    Name,
    /// `namespace`.
    Namespace,
    /// `failed`.
    Failed,
    /// `succeeded`.
    Succeeded,
    /// `lastScheduledTime`.
    LastScheduledTime,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `||`.
    Or,
    /// `&&`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

/// Parses an expression of the subset; the error names what is outside it.
pub fn parse(text: &str) -> Result<Expr, String> {
    let tokens = lex(text)?;
    let mut p = Parser { tokens, pos: 0 };
    let e = p.or()?;
    match p.tokens.get(p.pos) {
        None => Ok(e),
        Some(t) => Err(format!("unexpected `{}` in `{text}`", t.text())),
    }
}

/// Evaluates `e`; errors are expr-lang's runtime errors (nil arithmetic,
/// mismatched types).
pub fn eval(e: &Expr, env: &ExprEnv) -> Result<Value, String> {
    Ok(match e {
        Expr::Lit(v) => v.clone(),
        Expr::Now => Value::Time(env.now),
        Expr::Var(f) => match f {
            Field::Name => Value::Str(env.name.clone()),
            Field::Namespace => Value::Str(env.namespace.clone()),
            Field::Failed => Value::Num(env.failed as f64),
            Field::Succeeded => Value::Num(env.succeeded as f64),
            Field::LastScheduledTime => env.last_scheduled_time.map_or(Value::Nil, Value::Time),
        },
        Expr::Not(x) => match eval(x, env)? {
            Value::Bool(b) => Value::Bool(!b),
            v => return Err(format!("invalid operation: ! ({})", type_name(&v))),
        },
        Expr::Neg(x) => match eval(x, env)? {
            Value::Num(n) => Value::Num(-n),
            v => return Err(format!("invalid operation: - ({})", type_name(&v))),
        },
        Expr::Unit(x, per) => match eval(x, env)? {
            Value::Duration(ms) => Value::Num(ms as f64 / per),
            v => return Err(format!("type {} has no method for a duration unit", type_name(&v))),
        },
        Expr::Bin(a, Op::And, b) => Value::Bool(truth(eval(a, env)?)? && truth(eval(b, env)?)?),
        Expr::Bin(a, Op::Or, b) => Value::Bool(truth(eval(a, env)?)? || truth(eval(b, env)?)?),
        Expr::Bin(a, op, b) => binary(eval(a, env)?, *op, eval(b, env)?)?,
    })
}

/// `EvalBool`: the expression must come out a boolean.
pub fn eval_bool(e: &Expr, env: &ExprEnv) -> Result<bool, String> {
    match eval(e, env)? {
        Value::Bool(b) => Ok(b),
        v => Err(format!("unable to cast expression result '{}' to bool", format_value(&v))),
    }
}

/// How a template substitution prints a value.
pub fn format_value(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Value::Num(n) => n.to_string(),
        Value::Str(s) => s.clone(),
        Value::Time(t) => t.rfc3339(),
        Value::Duration(ms) => crate::model::format_duration(*ms),
    }
}

fn truth(v: Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(b),
        v => Err(format!("invalid operation: non-bool {} used as condition", type_name(&v))),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Bool(_) => "bool",
        Value::Num(_) => "number",
        Value::Str(_) => "string",
        Value::Time(_) => "time.Time",
        Value::Duration(_) => "time.Duration",
    }
}

fn binary(a: Value, op: Op, b: Value) -> Result<Value, String> {
    use Value::*;
    let bad = |a: &Value, b: &Value| {
        Err(format!("invalid operation: {} {} {}", type_name(a), op_text(op), type_name(b)))
    };
    Ok(match (op, &a, &b) {
        (Op::Eq, _, _) => Bool(a == b),
        (Op::Ne, _, _) => Bool(a != b),
        (Op::Add, Num(x), Num(y)) => Num(x + y),
        (Op::Sub, Num(x), Num(y)) => Num(x - y),
        (Op::Mul, Num(x), Num(y)) => Num(x * y),
        (Op::Div, Num(x), Num(y)) => Num(x / y),
        (Op::Add, Str(x), Str(y)) => Str(format!("{x}{y}")),
        (Op::Sub, Time(x), Time(y)) => Duration(x.since(*y)),
        (Op::Lt | Op::Le | Op::Gt | Op::Ge, _, _) => {
            let ord = match (&a, &b) {
                (Num(x), Num(y)) => x.partial_cmp(y),
                (Str(x), Str(y)) => Some(x.cmp(y)),
                (Time(x), Time(y)) => Some(x.cmp(y)),
                (Duration(x), Duration(y)) => Some(x.cmp(y)),
                _ => return bad(&a, &b),
            };
            let Some(ord) = ord else { return Ok(Bool(false)) };
            Bool(match op {
                Op::Lt => ord.is_lt(),
                Op::Le => ord.is_le(),
                Op::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        _ => return bad(&a, &b),
    })
}

fn op_text(op: Op) -> &'static str {
    match op {
        Op::Or => "||",
        Op::And => "&&",
        Op::Eq => "==",
        Op::Ne => "!=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Add => "+",
        Op::Sub => "-",
        Op::Mul => "*",
        Op::Div => "/",
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Sym(&'static str),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Num(n) => n.to_string(),
            Tok::Str(s) => format!("{s:?}"),
            Tok::Ident(s) => s.clone(),
            Tok::Sym(s) => (*s).to_string(),
        }
    }
}

const SYMBOLS: [&str; 17] =
    ["&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "(", ")", ".", ","];

fn lex(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            let s = text[start..i].replace('_', "");
            out.push(Tok::Num(s.parse().map_err(|_| format!("bad number `{s}`"))?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Ident(text[start..i].to_string()));
        } else if c == '"' || c == '\'' {
            let end = text[i + 1..].find(c).ok_or_else(|| format!("unterminated string in `{text}`"))?;
            out.push(Tok::Str(text[i + 1..i + 1 + end].to_string()));
            i += end + 2;
        } else if let Some(s) = SYMBOLS.iter().find(|s| text[i..].starts_with(**s)) {
            out.push(Tok::Sym(s));
            i += s.len();
        } else {
            let ch = text[i..].chars().next().unwrap_or(c);
            return Err(format!("`{ch}` is outside the expression subset cronwarp evaluates"));
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if *x == s) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(x)) if x == w) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn expect(&mut self, s: &str) -> Result<(), String> {
        if self.eat_sym(s) {
            return Ok(());
        }
        let found = self.peek().map_or("the end".to_string(), |t| format!("`{}`", t.text()));
        Err(format!("expected `{s}`, found {found}"))
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.eat_sym("||") || self.eat_word("or") {
            e = Expr::Bin(Box::new(e), Op::Or, Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.not()?;
        while self.eat_sym("&&") || self.eat_word("and") {
            e = Expr::Bin(Box::new(e), Op::And, Box::new(self.not()?));
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.eat_sym("!") || self.eat_word("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Expr, String> {
        let a = self.sum()?;
        let ops =
            [("==", Op::Eq), ("!=", Op::Ne), ("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt)];
        for (s, op) in ops {
            if self.eat_sym(s) {
                return Ok(Expr::Bin(Box::new(a), op, Box::new(self.sum()?)));
            }
        }
        Ok(a)
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut e = self.product()?;
        loop {
            let op = if self.eat_sym("+") {
                Op::Add
            } else if self.eat_sym("-") {
                Op::Sub
            } else {
                return Ok(e);
            };
            e = Expr::Bin(Box::new(e), op, Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        loop {
            let op = if self.eat_sym("*") {
                Op::Mul
            } else if self.eat_sym("/") {
                Op::Div
            } else {
                return Ok(e);
            };
            e = Expr::Bin(Box::new(e), op, Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat_sym("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        let mut e = self.primary()?;
        while self.eat_sym(".") {
            let method = match self.tokens.get(self.pos) {
                Some(Tok::Ident(m)) => m.clone(),
                _ => return Err("expected a method name after `.`".into()),
            };
            self.pos += 1;
            let per = match method.as_str() {
                "Seconds" => 1_000.0,
                "Minutes" => 60_000.0,
                "Hours" => 3_600_000.0,
                "Milliseconds" => 1.0,
                m => return Err(format!("`.{m}` is outside the expression subset cronwarp evaluates")),
            };
            self.expect("(")?;
            self.expect(")")?;
            e = Expr::Unit(Box::new(e), per);
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let Some(t) = self.tokens.get(self.pos).cloned() else {
            return Err("the expression ends too early".into());
        };
        self.pos += 1;
        match t {
            Tok::Num(n) => Ok(Expr::Lit(Value::Num(n))),
            Tok::Str(s) => Ok(Expr::Lit(Value::Str(s))),
            Tok::Sym("(") => {
                let e = self.or()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Ident(w) => match w.as_str() {
                "true" => Ok(Expr::Lit(Value::Bool(true))),
                "false" => Ok(Expr::Lit(Value::Bool(false))),
                "nil" => Ok(Expr::Lit(Value::Nil)),
                "now" => {
                    self.expect("(")?;
                    self.expect(")")?;
                    Ok(Expr::Now)
                }
                "cronworkflow" => {
                    self.expect(".")?;
                    let field = match self.tokens.get(self.pos) {
                        Some(Tok::Ident(f)) => f.clone(),
                        _ => return Err("expected a field after `cronworkflow.`".into()),
                    };
                    self.pos += 1;
                    Ok(Expr::Var(variable(&field)?))
                }
                other => Err(format!(
                    "`{other}` is outside the expression subset cronwarp evaluates (it knows \
                     cronworkflow.name, .namespace, .failed, .succeeded, .lastScheduledTime and now())"
                )),
            },
            t => Err(format!("unexpected `{}`", t.text())),
        }
    }
}

fn variable(field: &str) -> Result<Field, String> {
    Ok(match field {
        "name" => Field::Name,
        "namespace" => Field::Namespace,
        "failed" => Field::Failed,
        "succeeded" => Field::Succeeded,
        "lastScheduledTime" => Field::LastScheduledTime,
        "labels" | "annotations" | "labels.json" | "annotations.json" => {
            return Err(format!(
                "cronworkflow.{field} is not modelled by cronwarp (upstream also fills \
                 cronworkflow.annotations with the labels: argo-workflows operator.go expressionEnv)"
            ));
        }
        f => return Err(format!("cronworkflow.{f} is not a CronWorkflow variable")),
    })
}
