//! Applications (SPEC §3, issue #6): kinds and readable numbers, and the workflow as a pure
//! table. The materials checklist and
//! the calculation live in `policy` (they are part of a policy's published package).

pub mod number;
pub mod workflow;

pub use number::{ApplicationNumber, Kind};
pub use workflow::{Action, Actor, Stage, State, Workflow};
