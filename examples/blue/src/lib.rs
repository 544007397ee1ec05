//! Blue: design dialogues between experts, persisted behind `DialogueStore`.

pub mod backend;
pub mod domain;
pub mod store;

pub use store::{DialogueReads, DialogueStore, DialogueWrites};
