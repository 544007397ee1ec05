//! Backends implementing `DialogueStore`. Only these modules may hold a database client
//! (`[boundaries.backends]` in store-gate.toml; SG501 reports a client anywhere else).

// A sketch of the SQLite backend: it needs the rusqlite crate, so it is built only with the
// `sqlite` feature (`cargo check` stays offline and dependency-free without it).
#[cfg(feature = "sqlite")]
pub mod sqlite;

// A sketch of the DynamoDB backend: it needs aws-sdk-dynamodb and serde_dynamo, so it is built
// only with the `dynamodb` feature.
#[cfg(feature = "dynamodb")]
pub mod dynamodb;
