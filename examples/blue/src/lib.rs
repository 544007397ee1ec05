//! Blue: design dialogues between experts, persisted behind `DialogueStore`.

pub mod backend;
pub mod domain;
pub mod sessions;
pub mod store;

pub use sessions::SessionStore;
pub use store::{DialogueReads, DialogueStore, DialogueWrites};
