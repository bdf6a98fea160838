//! `code_enum!`: an enum with a stable code name (database, API, URLs) and labels in Chinese and
//! English, for the fixed vocabularies of the programme (roles, loan statuses, contract kinds).

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

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.code()) }
        }
    };
}
