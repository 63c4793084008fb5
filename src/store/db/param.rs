//! Values bound to a statement. A NULL keeps its type: PostgreSQL prepares a statement for the types
//! first bound to it, so a text column's NULL must be a text NULL.

/// One bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(String),
    Int(i64),
    Real(f64),
    Blob(Vec<u8>),
    Null(Kind),
}

/// The type of a NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Real,
    Blob,
}

/// A Rust value that binds as one parameter, and the type its `None` binds as.
pub trait ToParam {
    const KIND: Kind;
    fn to_param(self) -> Param;
}

impl ToParam for String {
    const KIND: Kind = Kind::Text;
    fn to_param(self) -> Param {
        Param::Text(self)
    }
}

impl ToParam for &str {
    const KIND: Kind = Kind::Text;
    fn to_param(self) -> Param {
        Param::Text(self.to_owned())
    }
}

impl ToParam for &String {
    const KIND: Kind = Kind::Text;
    fn to_param(self) -> Param {
        Param::Text(self.clone())
    }
}

impl ToParam for i64 {
    const KIND: Kind = Kind::Int;
    fn to_param(self) -> Param {
        Param::Int(self)
    }
}

impl ToParam for i32 {
    const KIND: Kind = Kind::Int;
    fn to_param(self) -> Param {
        Param::Int(i64::from(self))
    }
}

impl ToParam for f64 {
    const KIND: Kind = Kind::Real;
    fn to_param(self) -> Param {
        Param::Real(self)
    }
}

impl ToParam for Vec<u8> {
    const KIND: Kind = Kind::Blob;
    fn to_param(self) -> Param {
        Param::Blob(self)
    }
}

impl ToParam for &[u8] {
    const KIND: Kind = Kind::Blob;
    fn to_param(self) -> Param {
        Param::Blob(self.to_vec())
    }
}

impl<T: ToParam> ToParam for Option<T> {
    const KIND: Kind = T::KIND;
    fn to_param(self) -> Param {
        match self {
            Some(value) => value.to_param(),
            None => Param::Null(T::KIND),
        }
    }
}

impl<T: ToParam + Clone> ToParam for &Option<T> {
    const KIND: Kind = T::KIND;
    fn to_param(self) -> Param {
        self.clone().to_param()
    }
}
