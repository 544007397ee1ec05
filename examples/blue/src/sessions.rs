//! Who is signed in. Sessions live in their own table (`blue-sessions`, defined in
//! infra/sessions.yaml), expire by DynamoDB's Time to Live, and are keyed per tenant: a part of
//! the key the store holds itself (`{ctx.tenant}`), not one the caller passes.

use crate::domain::{Cursor, ExpertId, Page, Result, Session, SessionId};

#[allow(async_fn_in_trait)]
pub trait SessionStore {
    /// Opens a session and records the expert's last sign-in on their profile: one transaction
    /// across the two tables.
    async fn start_session(&self, session: &Session) -> Result<()>;

    /// @access { op = "GetItem", entity = "Session", key = { pk = "TENANT#{ctx.tenant}#EXPERT#{expert_id}", sk = "SESSION#{session_id}" }, consistent = true }
    async fn get_session(&self, expert_id: &ExpertId, session_id: &SessionId) -> Result<Option<Session>>;

    async fn list_sessions(&self, expert_id: &ExpertId, cursor: Option<Cursor>) -> Result<Page<Session>>;

    /// Sessions of one device on one day, through the multi-attribute GSI (tenant, device).
    async fn sessions_on_device(&self, device: &str, day: &str, cursor: Option<Cursor>) -> Result<Page<Session>>;

    /// Signs an expert out: reads up to 25 of their sessions, then deletes them in one batch.
    /// Returns how many it deleted; callers repeat until it returns 0.
    async fn end_sessions(&self, expert_id: &ExpertId) -> Result<u32>;

    /// Expired sessions are deleted by DynamoDB's Time to Live, never by a scan.
    async fn purge_expired(&self) -> Result<()>;

    /// The tenant this store was built for.
    fn tenant(&self) -> &str;
}
