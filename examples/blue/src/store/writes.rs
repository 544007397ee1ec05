use crate::domain::{
    Concession, Dialogue, DialogueId, Expert, ExpertId, Perspective, Recommendation, Result, Round,
    Tension, TensionId, TensionStatus, Verdict,
};

#[allow(async_fn_in_trait)]
pub trait DialogueWrites {
    async fn put_dialogue(&self, dialogue: &Dialogue) -> Result<()>;

    async fn append_round(&self, round: &Round) -> Result<()>;

    async fn delete_round(&self, dialogue_id: &DialogueId, round: u32) -> Result<()>;

    async fn record_perspective(&self, perspective: &Perspective) -> Result<()>;

    async fn upsert_expert(&self, expert: &Expert) -> Result<()>;

    async fn add_participant(&self, dialogue_id: &DialogueId, expert_id: &ExpertId) -> Result<()>;

    async fn raise_tension(&self, tension: &Tension) -> Result<()>;

    async fn update_tension_status(
        &self,
        dialogue_id: &DialogueId,
        tension_id: &TensionId,
        status: TensionStatus,
    ) -> Result<()>;

    async fn record_concession(&self, concession: &Concession) -> Result<()>;

    async fn put_recommendation(&self, recommendation: &Recommendation) -> Result<()>;

    async fn record_verdict(&self, verdict: &Verdict) -> Result<()>;
}
