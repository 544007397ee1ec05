//! The storage boundary. Every method here must be servable by a bounded, partition-scoped
//! DynamoDB operation: `store-gate check` proves it from `store-gate.toml`.

mod reads;
mod writes;

pub use reads::DialogueReads;
pub use writes::DialogueWrites;

use crate::domain::{Adr, Cursor, DocId, Page, Ref, Result};

/// The one storage trait of Blue. Reads and writes live in the supertraits; cross-document
/// references live here.
#[allow(async_fn_in_trait)]
pub trait DialogueStore: DialogueReads + DialogueWrites + Send + Sync {
    /// Record that `source` cites `target`.
    /// @access { op = "PutItem", entity = "Ref", key = { pk = "DOC#{reference.source}", sk = "REF#{reference.target}" } }
    async fn add_ref(&self, reference: &Ref) -> Result<()>;

    /// Documents cited by `source`.
    /// @access { op = "Query", entity = "Ref", key = { pk = "DOC#{source}", sk = { begins_with = "REF#" } }, page = "cursor" }
    async fn list_refs_from(&self, source: &DocId, cursor: Option<Cursor>) -> Result<Page<Ref>>;

    /// Documents citing `target`, through the inverted index.
    async fn list_refs_to(&self, target: &DocId, cursor: Option<Cursor>) -> Result<Page<Ref>>;

    async fn get_adr(&self, number: u32) -> Result<Option<Adr>>;
}
