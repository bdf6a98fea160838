//! The message catalogue of the pages: Chinese first, English second. Templates call
//! `ctx.t.s("key")`. Each product area keeps its own table (`i18n/<area>.rs`, registered with
//! the area in `crate::areas`); they are composed once into one index looked up in O(1). A
//! test checks every key used in a template or in code exists exactly once.

use ipfin_domain::Lang;
use std::collections::HashMap;
use std::sync::LazyLock;

pub mod application;
pub mod audit;
pub mod common;
pub mod confirmation;
pub mod coordination;
pub mod enterprise;
pub mod financing;
pub mod home;
pub mod import;
pub mod meeting;
pub mod org;
pub mod payment;
pub mod platform;
pub mod policy;
pub mod push;
pub mod screening;
pub mod station;
pub mod stats;
pub mod summary;
pub mod supervision;
pub mod tools;
pub mod user;
pub mod whitelist;

/// A message table: (key, zh-CN, en).
pub type Messages = &'static [(&'static str, &'static str, &'static str)];

/// Every table: the shared messages and each area's.
pub fn tables() -> impl Iterator<Item = Messages> {
    std::iter::once(common::MESSAGES).chain(crate::areas::AREAS.iter().map(|a| a.messages))
}

/// The composed catalogue: key → (zh-CN, en), built on first use.
static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    tables()
        .flat_map(|t| t.iter())
        .map(|(k, zh, en)| (*k, (*zh, *en)))
        .collect()
});
/// The translator of one request: `t.s("key")`.
#[derive(Debug, Clone, Copy)]
pub struct T(pub Lang);

impl T {
    /// The text for a key; an unknown key shows itself (and the catalogue test fails).
    pub fn s(&self, key: &str) -> &'static str {
        match INDEX.get(key) {
            Some((zh, en)) => match self.0 {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => "⟨missing text⟩",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_used_in_templates_and_code_exists_once() {
        let mut keys: Vec<&str> = tables()
            .flat_map(|t| t.iter())
            .map(|(k, _, _)| *k)
            .collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "duplicate catalogue keys");
        let root = concat!(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        for dir in [
            "templates",
            "src",
            "src/views",
            "src/api",
            "src/usecase",
            "src/areas",
        ] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).expect("dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() || path.ends_with("i18n.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read");
                for part in text.split("t.s(\"").skip(1) {
                    let key = &part[..part.find('"').expect("closing quote")];
                    if !keys.contains(&key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing catalogue keys: {missing:#?}");
    }
}
