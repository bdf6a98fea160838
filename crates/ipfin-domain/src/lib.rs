//! ipfin-domain: the pure rules of the IP pledge financing programme — identifiers, roles and
//! scopes, the audit chain. No IO, no async, no database: everything here is testable by hand.

#[macro_use]
pub mod code_enum;

pub mod application;
pub mod audit;
pub mod budget;
pub mod calendar;
pub mod confirmation;
pub mod conformance;
pub mod coordination;
pub mod credit_code;
#[cfg(feature = "sea-orm")]
mod db_value;
pub mod enterprise;
pub mod financing;
pub mod format;
pub mod id;
pub mod ip_number;
pub mod meeting;
pub mod message;
pub mod money;
pub mod org;
pub mod password;
pub mod payment;
pub mod platform;
pub mod policy;
pub mod push;
pub mod screening;
pub mod sign_in;
pub mod size;
pub mod station;
pub mod stats;
pub mod stats_aggregate;
pub mod summary;
pub mod supervision;
pub mod target;
pub mod text;
pub mod todo;
pub mod user;
pub mod visibility;
pub mod whitelist;

pub use code_enum::CodeEnum;
pub use credit_code::CreditCode;
pub use id::{EnterpriseId, OrgId, UserId};
pub use message::{FieldError, FieldErrors, Lang, Msg};
pub use money::Fen;
pub use org::{InstitutionType, OrgFacts, OrgKind, Role, Scope};
