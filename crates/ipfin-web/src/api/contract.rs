//! Response types shared by the API's areas: a page of items. Every response
//! of the API has a named schema in the OpenAPI document (issue #16 item 5; decision 0018);
//! store rows are answered through response types of the area's module, converted with an
//! exhaustive destructuring so that a field added to a row fails to compile until the
//! response type (and so the document) has it too.

use serde::Serialize;
use utoipa::ToSchema;

/// One page of results with the total count.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageOf<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// Whether `total` is a lower bound (the count stopped at a cap).
    pub capped: bool,
    pub page: u64,
    pub per_page: u64,
}

impl<A, B: From<A>> From<ipfin_store::Paged<A>> for PageOf<B> {
    fn from(p: ipfin_store::Paged<A>) -> Self {
        let ipfin_store::Paged {
            items,
            total,
            capped,
            page,
            per_page,
        } = p;
        Self {
            items: items.into_iter().map(B::from).collect(),
            total,
            capped,
            page,
            per_page,
        }
    }
}

/// Converts each element of a list of rows to its response type.
pub fn each<A, B: From<A>>(rows: Vec<A>) -> Vec<B> {
    rows.into_iter().map(B::from).collect()
}
