//! Typed ids of the records that sit side by side in the same calls and are easily swapped: an
//! organisation (`OrgId`: a bank, a department, an enterprise's account organisation), an
//! enterprise registry record (`EnterpriseId`) and a user (`UserId`). Each is the plain integer
//! on the wire and in the database (`#[serde(transparent)]`); past the edge a function taking an
//! `OrgId` and an `EnterpriseId` cannot be called with the two the wrong way round.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// The id of a record read from the database or named at the edge (a path, a
            /// form, a JSON body). There is deliberately no `From<i64>`: naming the type at
            /// each conversion is what keeps ids of different records apart.
            pub const fn new(id: i64) -> $name {
                $name(id)
            }
            /// The integer, for SQL parameters and URLs.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        /// The id in a URL or a query string (`?lender=12`).
        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<$name, Self::Err> {
                s.parse().map($name)
            }
        }

        impl PartialEq<i64> for $name {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type!(
    /// An organisation (`organisations.id`): the city office, a department, a financial
    /// institution, a service agency or an enterprise's account organisation.
    OrgId
);
id_type!(
    /// An enterprise registry record (`enterprises.id`), which is not the enterprise's account
    /// organisation (`enterprises.organisation_id`).
    EnterpriseId
);
id_type!(
    /// A user (`users.id`).
    UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_integers_on_the_wire() {
        let o = OrgId::new(7);
        assert_eq!(serde_json::to_string(&o).ok().as_deref(), Some("7"));
        assert_eq!(
            serde_json::from_str::<EnterpriseId>("42").ok(),
            Some(EnterpriseId::new(42))
        );
        assert_eq!(
            serde_json::from_str::<UserId>("\"42\"").ok(),
            None,
            "a string is not an id"
        );
        assert_eq!(i64::from(UserId::new(3)), 3);
        assert_eq!(o.to_string(), "7");
        assert!(o == 7);
        assert_eq!("12".parse::<OrgId>().ok(), Some(OrgId::new(12)));
        assert!("12a".parse::<OrgId>().is_err(), "not an id");
    }
}
