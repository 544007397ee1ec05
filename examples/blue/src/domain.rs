//! Domain types. Backend-neutral: no partition keys, no attribute values.

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug)]
pub enum StoreError {
    NotFound,
    Conflict(String),
    Backend(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DialogueId(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExpertId(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensionId(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecommendationId(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VerdictId(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocId(pub String);
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub String);
#[derive(Clone, Debug)]
pub struct Cursor(pub String);
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionId(pub String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogueStatus { Open, Converging, Closed }
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensionStatus { Open, Narrowed, Resolved, Superseded }
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RfcStatus { Draft, Accepted, Superseded }

#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

#[derive(Clone, Debug)]
pub struct Dialogue { pub id: DialogueId, pub title: String, pub status: DialogueStatus, pub created_at: Timestamp }
#[derive(Clone, Debug)]
pub struct Round { pub dialogue_id: DialogueId, pub number: u32, pub opened_at: Timestamp }
#[derive(Clone, Debug)]
pub struct Expert { pub id: ExpertId, pub name: String }
#[derive(Clone, Debug)]
pub struct Participation { pub dialogue_id: DialogueId, pub expert_id: ExpertId }
#[derive(Clone, Debug)]
pub struct Perspective { pub dialogue_id: DialogueId, pub round: u32, pub expert_id: ExpertId, pub text: String }
#[derive(Clone, Debug)]
pub struct Tension { pub dialogue_id: DialogueId, pub id: TensionId, pub status: TensionStatus, pub text: String }
#[derive(Clone, Debug)]
pub struct Concession { pub dialogue_id: DialogueId, pub tension_id: TensionId, pub expert_id: ExpertId }
#[derive(Clone, Debug)]
pub struct Recommendation { pub dialogue_id: DialogueId, pub id: RecommendationId, pub text: String }
#[derive(Clone, Debug)]
pub struct Verdict { pub dialogue_id: DialogueId, pub id: VerdictId, pub decided_at: Timestamp, pub adopted: Vec<RecommendationId> }
#[derive(Clone, Debug)]
pub struct Ref { pub source: DocId, pub target: DocId }
#[derive(Clone, Debug)]
pub struct Rfc { pub number: u32, pub title: String, pub status: RfcStatus }
#[derive(Clone, Debug)]
pub struct Adr { pub number: u32, pub title: String }

#[derive(Clone, Debug)]
pub struct Session {
    pub id: SessionId,
    pub expert_id: ExpertId,
    pub device: String,
    pub started_at: Timestamp,
    pub expires_at: u64,
}
