//! SeaORM column conversions for the domain's integer newtypes (`Fen` and the typed ids), so the
//! store reads them straight into row structs and binds them as SQL parameters. Compiled only
//! with the `sea-orm` feature, which the store turns on; the domain's own tests and rules never
//! see a database type.

use crate::id::{EnterpriseId, OrgId, UserId};
use crate::money::Fen;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable, Value};

macro_rules! i64_column {
    ($($name:ident),+) => {$(
        impl From<$name> for Value {
            fn from(v: $name) -> Value {
                Value::BigInt(Some(v.get()))
            }
        }

        impl TryGetable for $name {
            fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
                i64::try_get_by(res, index).map($name::new)
            }
        }

        impl ValueType for $name {
            fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
                <i64 as ValueType>::try_from(v).map($name::new)
            }
            fn type_name() -> String {
                stringify!($name).to_owned()
            }
            fn array_type() -> ArrayType {
                ArrayType::BigInt
            }
            fn column_type() -> ColumnType {
                ColumnType::BigInteger
            }
        }

        impl Nullable for $name {
            fn null() -> Value {
                Value::BigInt(None)
            }
        }
    )+};
}

i64_column!(Fen, OrgId, EnterpriseId, UserId);
