//! The use-case layer: one module per product area holding what the pages (`views`) and the
//! JSON API (`api`) both do — the builders of what a page and an endpoint show, and the
//! actions both take. The two adapters call in here and never each other.

pub mod application;
pub mod confirmation;
pub mod conformance;
pub mod coordination;
pub mod home;
pub mod meeting;
pub mod payment;
pub mod platform;
pub mod policy;
pub mod push;
pub mod screening;
pub mod station;
pub mod stats;
pub mod summary;
pub mod supervision;
pub mod whitelist;
