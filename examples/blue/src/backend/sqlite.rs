//! The SQLite backend: the one place a rusqlite::Connection lives, and where physical
//! layouts may be spelled.

use rusqlite::{params, Connection};

use crate::domain::{Dialogue, DialogueId, StoreError};

pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    pub fn open(path: &str) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(Self { conn })
    }

    pub fn get_dialogue_row(&self, id: &DialogueId) -> Result<Option<Dialogue>, StoreError> {
        let key = format!("DIALOGUE#{}", id.0);
        let mut statement = self
            .conn
            .prepare("SELECT title, status FROM items WHERE pk = ?1 AND sk = 'META'")
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let _ = statement.exists(params![key]);
        Ok(None)
    }
}
