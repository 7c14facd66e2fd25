//! Random GraphQL operations over the schema, valid and invalid, drawn from a tape of choices.
//!
//! Every decision reads the next number of the tape; an exhausted tape reads 0, which always
//! means the plainest choice (first field, no optional argument, no mutation of the value), so
//! short tapes give short, plain operations.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::model::{InputValue, Model, TypeRef};

/// Object nesting allowed below the root.
const MAX_DEPTH: usize = 4;

pub struct Tape {
    data: Vec<u32>,
    pos: usize,
}

impl Tape {
    pub fn new(data: Vec<u32>) -> Self {
        Self { data, pos: 0 }
    }

    /// A number in `0..n` (0 when `n` is 0 or the tape is exhausted).
    pub fn pick(&mut self, n: usize) -> usize {
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        if n == 0 { 0 } else { v as usize % n }
    }

    /// True with `percent` % probability; an exhausted tape says no.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.pick(100) >= 100 - percent.min(100)
    }

    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.pick(items.len())]
    }
}

/// A value, rendered either as a GraphQL literal or as JSON (for a variable).
#[derive(Debug, Clone)]
enum Lit {
    /// Kept as text: some are beyond any integer type.
    Int(String),
    Float(f64),
    Str(String),
    Bool(bool),
    Null,
    Enum(String),
    List(Vec<Lit>),
    Object(Vec<(String, Lit)>),
}

impl Lit {
    fn graphql(&self) -> String {
        match self {
            Lit::Int(n) => n.clone(),
            Lit::Float(f) => format!("{f:e}"),
            Lit::Str(s) => serde_json::to_string(s).unwrap_or_default(),
            Lit::Bool(b) => b.to_string(),
            Lit::Null => "null".into(),
            Lit::Enum(e) => e.clone(),
            Lit::List(items) => format!("[{}]", items.iter().map(Lit::graphql).collect::<Vec<_>>().join(", ")),
            Lit::Object(fields) => {
                let inner: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {}", v.graphql())).collect();
                format!("{{{}}}", inner.join(", "))
            }
        }
    }

    fn json(&self) -> Value {
        match self {
            Lit::Int(n) => n.parse::<i64>().map(Value::from).unwrap_or_else(|_| json!(n.parse::<f64>().unwrap_or(0.0))),
            Lit::Float(f) => json!(f),
            Lit::Str(s) | Lit::Enum(s) => json!(s),
            Lit::Bool(b) => json!(b),
            Lit::Null => Value::Null,
            Lit::List(items) => Value::Array(items.iter().map(Lit::json).collect()),
            Lit::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.json())).collect()),
        }
    }
}

const INTS: &[&str] = &[
    "1",
    "0",
    "-1",
    "2",
    "5",
    "29",
    "100",
    "129",
    "500",
    "501",
    "65536",
    "2147483647",
    "-2147483648",
    "2147483648",
    "9223372036854775807",
    "-9223372036854775809",
    "100000000000000000000",
];
const FLOATS: &[f64] = &[0.0, 1.5, -1.0, 1e308, -1e308, 5e-324, 12345.678];
/// Text with no SQL keyword in capitals (the checker looks for leaked SQL in error messages,
/// and some errors rightly quote the value they refuse).
const STRINGS: &[&str] = &[
    "市税务局",
    "家",
    "",
    " ",
    "天津",
    "x",
    "%",
    "_",
    "\\",
    "'",
    "\"",
    "' or 1=1 --",
    "1); drop table task; --",
    "\u{0}",
    "\u{feff}",
    "😀",
    "\u{202e}abc",
    "a\nb",
    "NaN",
    "2023-04-10",
    "2023-02-30",
    "-1",
    "c:1",
    "<script>",
];
const DATES: &[&str] =
    &["2023-04-10", "2023-12-31", "2024-02-29", "2023-02-30", "0000-01-01", "9999-12-31", "today", ""];
const NODE_TYPES: &[&str] = &["Task", "Department", "ReportingPeriod", "Report", "Indicator", "Document", "Category"];
const WRONG: &[&str] = &["1", "\"x\"", "true", "null", "[1, 2]", "{a: 1}", "ON_TRACK", "1.5", "$undefined"];

pub struct Generator<'a> {
    model: &'a Model,
    /// Global ids that exist in the database, to reach past "not found".
    ids: &'a [String],
    pub tape: Tape,
    variables: Vec<(String, String, Value)>,
}

/// One request's GraphQL part.
#[derive(Debug, Clone)]
pub struct Operation {
    pub query: String,
    pub variables: Value,
    pub is_mutation: bool,
}

impl<'a> Generator<'a> {
    pub fn new(model: &'a Model, ids: &'a [String], tape: Tape) -> Self {
        Self { model, ids, tape, variables: Vec::new() }
    }

    pub fn operation(&mut self) -> Operation {
        let (keyword, root) = match self.tape.pick(20) {
            19 => return self.garbage(),
            15..=18 => ("mutation", self.model.mutation.clone()),
            14 => ("subscription", self.model.subscription.clone()),
            _ => ("query", Some(self.model.query.clone())),
        };
        let root = root.unwrap_or_else(|| self.model.query.clone());
        let selection = self.selection(&root, 0);
        let decls: Vec<String> = self.variables.iter().map(|(n, t, _)| format!("${n}: {t}")).collect();
        let head = if decls.is_empty() { keyword.to_owned() } else { format!("{keyword} Op({})", decls.join(", ")) };
        let variables: serde_json::Map<String, Value> = self.variables.drain(..).map(|(n, _, v)| (n, v)).collect();
        let mut query = format!("{head} {selection}");
        if self.tape.chance(3) {
            // Cut anywhere (on a character boundary): a syntax error.
            let cut = self.tape.pick(query.chars().count());
            query = query.chars().take(cut).collect();
        }
        Operation { query, variables: Value::Object(variables), is_mutation: keyword == "mutation" }
    }

    /// Documents no generator of valid syntax makes: broken syntax, cycles, bombs.
    fn garbage(&mut self) -> Operation {
        let nested = format!("{}{}", "{ tasks { nodes { category { tasks { nodes ".repeat(8), "}".repeat(40));
        let aliases: String = (0..60).map(|i| format!("a{i}: viewer {{ role }} ")).collect();
        let options = [
            "{".to_owned(),
            "query {".to_owned(),
            "{ tasks(first: ) { totalCount } }".to_owned(),
            "mutation".to_owned(),
            "fragment F on Task { ...F } { tasks { nodes { ...F } } }".to_owned(),
            "query A { viewer { role } } query B { viewer { role } }".to_owned(),
            "{ tasks { nodes { number @include(if: $x) } } }".to_owned(),
            "{ __typename @skip(if: true) @skip(if: true) }".to_owned(),
            "subscription { reportSubmitted { id } }".to_owned(),
            "{ __schema { types { name fields { name } } } }".to_owned(),
            "{ __type(name: \"Task\") { name fields { name } } }".to_owned(),
            "query Q($a: Int = \"x\") { task(number: $a) { id } }".to_owned(),
            nested,
            format!("{{ {aliases} }}"),
            "\u{feff}{ viewer { role } }".to_owned(),
            String::new(),
        ];
        let query = self.tape.choose(&options).clone();
        Operation { query, variables: json!({}), is_mutation: false }
    }

    fn selection(&mut self, type_name: &str, depth: usize) -> String {
        let model = self.model;
        let Some(ty) = model.types.get(type_name) else { return "{ __typename }".into() };
        let mut parts = Vec::new();
        if let Some(possible) = ty.possible_types.as_ref().filter(|p| !p.is_empty()) {
            // An interface or union: fragments on its members.
            parts.push("__typename".to_owned());
            if ty.fields.as_ref().is_some_and(|f| f.iter().any(|f| f.name == "id")) {
                parts.push("id".to_owned());
            }
            for _ in 0..self.tape.pick(3) {
                let member = self.tape.choose(possible).name.clone();
                if depth < MAX_DEPTH {
                    parts.push(format!("... on {member} {}", self.selection(&member, depth + 1)));
                }
            }
            return format!("{{ {} }}", parts.join(" "));
        }
        let fields = ty.fields.as_deref().unwrap_or_default();
        for i in 0..1 + self.tape.pick(3) {
            if self.tape.chance(3) {
                parts.push("noSuchField".to_owned());
                continue;
            }
            let Some(field) = fields.get(self.tape.pick(fields.len())) else { break };
            let named = field.ty.named();
            let leaf = model.is_leaf(named);
            if !leaf && depth >= MAX_DEPTH {
                parts.push("__typename".to_owned());
                continue;
            }
            let alias = if self.tape.chance(10) { format!("f{i}: ") } else { String::new() };
            let args = self.arguments(&field.args);
            let sub = match (leaf, self.tape.chance(2)) {
                // A selection on a leaf, or none on an object: both invalid.
                (true, true) => " { id }".to_owned(),
                (true, false) | (false, true) => String::new(),
                (false, false) => format!(" {}", self.selection(named, depth + 1)),
            };
            parts.push(format!("{alias}{}{args}{sub}", field.name));
        }
        format!("{{ {} }}", parts.join(" "))
    }

    fn arguments(&mut self, args: &[InputValue]) -> String {
        let mut out = Vec::new();
        for arg in args {
            // Required arguments are left out now and then, optional ones given about half the time.
            let include = if arg.ty.kind == "NON_NULL" { !self.tape.chance(3) } else { self.tape.chance(45) };
            if !include {
                continue;
            }
            if self.tape.chance(20) {
                let name = format!("v{}", self.variables.len());
                let declared = if self.tape.chance(5) { "Int".to_owned() } else { arg.ty.render() };
                let value = if self.tape.chance(5) { json!(["wrong"]) } else { self.value(&arg.ty, 0).json() };
                self.variables.push((name.clone(), declared, value));
                out.push(format!("{}: ${name}", arg.name));
            } else {
                out.push(format!("{}: {}", arg.name, self.literal(&arg.ty)));
            }
        }
        if self.tape.chance(3) {
            out.push("bogus: 1".to_owned());
        }
        if out.is_empty() { String::new() } else { format!("({})", out.join(", ")) }
    }

    fn literal(&mut self, ty: &TypeRef) -> String {
        if self.tape.chance(6) { self.tape.choose(WRONG).to_string() } else { self.value(ty, 0).graphql() }
    }

    fn value(&mut self, ty: &TypeRef, depth: usize) -> Lit {
        match (ty.kind.as_str(), ty.of_type.as_deref()) {
            ("NON_NULL", Some(inner)) => {
                if self.tape.chance(3) {
                    Lit::Null
                } else {
                    self.value(inner, depth)
                }
            }
            ("LIST", Some(inner)) => {
                let n = if depth > 2 { 0 } else { self.tape.pick(4) };
                Lit::List((0..n).map(|_| self.value(inner, depth + 1)).collect())
            }
            _ => self.named_value(ty.named(), depth),
        }
    }

    fn named_value(&mut self, name: &str, depth: usize) -> Lit {
        let model = self.model;
        match name {
            "Int" => Lit::Int(self.tape.choose(INTS).to_string()),
            "Float" => Lit::Float(*self.tape.choose(FLOATS)),
            "Boolean" => Lit::Bool(self.tape.chance(50)),
            "ID" => Lit::Str(self.id()),
            "String" => Lit::Str(self.string()),
            "Date" => Lit::Str(self.tape.choose(DATES).to_string()),
            "DateTime" => {
                Lit::Str(["2023-04-10T00:00:00Z", "yesterday", "2023-13-01T00:00:00Z"][self.tape.pick(3)].into())
            }
            _ => match model.types.get(name) {
                Some(t) if t.kind == "ENUM" => {
                    let values = t.enum_values.as_deref().unwrap_or_default();
                    match values.get(self.tape.pick(values.len() + 1)) {
                        Some(v) => Lit::Enum(v.name.clone()),
                        None => Lit::Enum("NO_SUCH_VALUE".into()),
                    }
                }
                Some(t) if t.kind == "INPUT_OBJECT" => {
                    let mut fields = Vec::new();
                    for f in t.input_fields.as_deref().unwrap_or_default() {
                        let required = f.ty.kind == "NON_NULL";
                        let recursive = f.ty.named() == name;
                        if (required && !self.tape.chance(3)) || (!recursive || depth < 2) && self.tape.chance(40) {
                            fields.push((f.name.clone(), self.value(&f.ty, depth + 1)));
                        }
                    }
                    if self.tape.chance(3) {
                        fields.push(("noSuchInput".into(), Lit::Int("1".into())));
                    }
                    Lit::Object(fields)
                }
                _ => Lit::Str(self.string()),
            },
        }
    }

    fn id(&mut self) -> String {
        match self.tape.pick(10) {
            0..=5 if !self.ids.is_empty() => self.tape.choose(self.ids).clone(),
            6 => {
                let ty = self.tape.choose(NODE_TYPES);
                let n = self.tape.choose(INTS);
                URL_SAFE_NO_PAD.encode(format!("{ty}:{n}"))
            }
            7 => URL_SAFE_NO_PAD.encode(format!("c:{}", self.tape.choose(INTS))),
            _ => self.string(),
        }
    }

    fn string(&mut self) -> String {
        match self.tape.pick(12) {
            0 => "x".repeat([5000, 5001, 70_000][self.tape.pick(3)]),
            1 => format!("summary {}", self.tape.pick(1 << 30)),
            _ => self.tape.choose(STRINGS).to_string(),
        }
    }
}
