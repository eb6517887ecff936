//! What the Room catalog and the chat method table share: parameter specs with JSON types,
//! validation before sending, and request templates.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParamType {
    Str,
    Int,
    Bool,
    StrList,
    Object,
    Array,
}

impl ParamType {
    pub fn name(self) -> &'static str {
        match self {
            ParamType::Str => "string",
            ParamType::Int => "integer",
            ParamType::Bool => "boolean",
            ParamType::StrList => "string[]",
            ParamType::Object => "object",
            ParamType::Array => "array",
        }
    }

    pub fn matches(self, v: &Value) -> bool {
        match self {
            ParamType::Str => v.is_string(),
            ParamType::Int => v.is_i64() || v.is_u64(),
            ParamType::Bool => v.is_boolean(),
            ParamType::StrList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            ParamType::Object => v.is_object(),
            ParamType::Array => v.is_array(),
        }
    }

    /// A placeholder value of this type, for templates.
    pub fn example(self) -> Value {
        match self {
            ParamType::Str => Value::String(String::new()),
            ParamType::Int => Value::from(0),
            ParamType::Bool => Value::Bool(false),
            ParamType::StrList | ParamType::Array => Value::Array(vec![]),
            ParamType::Object => Value::Object(Map::new()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    pub key: &'static str,
    pub ty: ParamType,
    pub required: bool,
    pub note: &'static str,
}

/// A parameter problem found before sending.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("`{method}` needs `{key}` ({ty})")]
    Missing {
        method: &'static str,
        key: &'static str,
        ty: &'static str,
    },
    #[error("`{key}` of `{method}` must be {ty}, not {got}")]
    WrongType {
        method: &'static str,
        key: &'static str,
        ty: &'static str,
        got: &'static str,
    },
    #[error("`{method}` has no parameter `{key}`; it takes {known}")]
    Unknown {
        method: &'static str,
        key: String,
        known: String,
    },
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fraction",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks `given` against `params`: every required key present, every key known (unless
/// `open`), every value of its type. Returns every problem, not just the first.
pub fn validate(
    method: &'static str,
    params: &'static [ParamSpec],
    open: bool,
    given: &Map<String, Value>,
) -> Vec<ParamError> {
    let mut errs = Vec::new();
    for p in params {
        match given.get(p.key) {
            None | Some(Value::Null) if p.required => errs.push(ParamError::Missing {
                method,
                key: p.key,
                ty: p.ty.name(),
            }),
            Some(v) if !v.is_null() && !p.ty.matches(v) => errs.push(ParamError::WrongType {
                method,
                key: p.key,
                ty: p.ty.name(),
                got: json_type(v),
            }),
            _ => {}
        }
    }
    if !open {
        for k in given.keys() {
            if k != "requestId" && k != "method" && !params.iter().any(|p| p.key == k) {
                let known = if params.is_empty() {
                    "no parameters".to_string()
                } else {
                    params
                        .iter()
                        .map(|p| format!("`{}`", p.key))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                errs.push(ParamError::Unknown {
                    method,
                    key: k.clone(),
                    known,
                });
            }
        }
    }
    errs
}

/// A request object with every parameter: a required one with a placeholder of its type, an
/// optional one as `null` (left out when sent as it is; fill it in to use it).
pub fn template(params: &[ParamSpec]) -> Map<String, Value> {
    params
        .iter()
        .map(|p| {
            let v = if p.required {
                p.ty.example()
            } else {
                Value::Null
            };
            (p.key.to_string(), v)
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MethodSpec {
    pub name: &'static str,
    pub group: &'static str,
    pub admin_only: bool,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    /// The parameters are not fully known: any extra key is allowed.
    pub open_params: bool,
    /// Keys the reply carries besides `method`, `requestId`, `result`.
    pub response: &'static [&'static str],
    /// Events that usually follow.
    pub follow_up: &'static str,
}

impl MethodSpec {
    /// Checks parameters against the spec: every required key present, every key known (unless
    /// the spec is open), every value of its type. Returns every problem, not just the first.
    pub fn validate(&self, params: &Map<String, Value>) -> Vec<ParamError> {
        validate(self.name, self.params, self.open_params, params)
    }

    /// A request object with every parameter: required ones with a placeholder, optional ones too.
    pub fn template(&self) -> Map<String, Value> {
        template(self.params)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventSpec {
    pub name: &'static str,
    pub group: &'static str,
    pub fields: &'static [&'static str],
    pub summary: &'static str,
}
