use crate::domain::{
    Cursor, Dialogue, DialogueId, DialogueStatus, Expert, ExpertId, Page, Participation, Perspective,
    Recommendation, Result, Rfc, RfcStatus, Round, Tension, TensionId, Timestamp, Verdict, VerdictId,
};

#[allow(async_fn_in_trait)]
pub trait DialogueReads {
    async fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>>;

    async fn list_dialogues_by_status(&self, status: DialogueStatus, cursor: Option<Cursor>) -> Result<Page<Dialogue>>;

    async fn list_rounds(&self, dialogue_id: &DialogueId, cursor: Option<Cursor>) -> Result<Vec<Round>>;

    /// @access { op = "GetItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } }
    async fn get_round(&self, dialogue_id: &DialogueId, round: u32) -> Result<Option<Round>>;

    async fn list_perspectives(&self, dialogue_id: &DialogueId, round: u32) -> Result<Vec<Perspective>>;

    async fn get_expert(&self, expert_id: &ExpertId) -> Result<Option<Expert>>;

    async fn list_all_experts(&self, cursor: Option<Cursor>) -> Result<Vec<Expert>>;

    async fn list_dialogue_experts(&self, dialogue_id: &DialogueId) -> Result<Vec<Participation>>;

    async fn list_expert_dialogues(&self, expert_id: &ExpertId, cursor: Option<Cursor>) -> Result<Vec<Participation>>;

    async fn list_open_tensions(&self, dialogue_id: &DialogueId, cursor: Option<Cursor>) -> Result<Page<Tension>>;

    async fn get_tension(&self, dialogue_id: &DialogueId, tension_id: &TensionId) -> Result<Option<Tension>>;

    async fn list_recommendations(&self, dialogue_id: &DialogueId, cursor: Option<Cursor>) -> Result<Page<Recommendation>>;

    async fn get_verdict(&self, dialogue_id: &DialogueId, verdict_id: &VerdictId) -> Result<Option<Verdict>>;

    async fn list_verdicts_since(
        &self,
        dialogue_id: &DialogueId,
        since: &Timestamp,
        cursor: Option<Cursor>,
    ) -> Result<Page<Verdict>>;

    async fn get_rfc(&self, number: u32) -> Result<Option<Rfc>>;

    async fn list_rfcs_by_status(&self, status: RfcStatus, cursor: Option<Cursor>) -> Result<Page<Rfc>>;
}
