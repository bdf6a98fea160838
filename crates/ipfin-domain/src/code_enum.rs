//! `code_enum!`: an enum with a stable code name (database, API, URLs) and labels in Chinese and
//! English, for the fixed vocabularies of the programme (roles, loan statuses, contract kinds).

/// A fixed vocabulary with stable code names: what the store needs to decode a stored code and
/// to refuse one it does not know.
pub trait CodeEnum: Sized + Copy + 'static {
    /// The vocabulary's name, for error messages and logs.
    const NAME: &'static str;
    /// The value with this code, if any.
    fn from_code(s: &str) -> Option<Self>;
    /// The stable code name used in the database, the API and URLs.
    fn code(self) -> &'static str;
}

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code name used in the database, the API and URLs.
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            pub fn en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            pub fn label(self, lang: crate::message::Lang) -> &'static str {
                match lang { crate::message::Lang::Zh => self.zh(), crate::message::Lang::En => self.en() }
            }
            pub fn from_code(s: &str) -> Option<$name> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::code_enum::CodeEnum for $name {
            const NAME: &'static str = stringify!($name);
            fn from_code(s: &str) -> Option<$name> { $name::from_code(s) }
            fn code(self) -> &'static str { $name::code(self) }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.code()) }
        }
    };
}
