//! The DynamoDB backend: the one place an aws-sdk-dynamodb client lives, and where the keys
//! are spelled. store-gate reads each method's calls (SG701-SG704) - through the helpers below,
//! one level - and compares them with the method's declaration in store-gate.toml.
//!
//! A sketch: it needs aws-sdk-dynamodb and serde_dynamo, so it is built only with the
//! `dynamodb` feature (`cargo check` stays offline and dependency-free without it).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, Put, TransactWriteItem, Update, WriteRequest};
use aws_sdk_dynamodb::Client;

use crate::domain::*;
use crate::sessions::SessionStore;
use crate::store::{DialogueReads, DialogueStore, DialogueWrites};

type Item = HashMap<String, AttributeValue>;

pub struct DynamoStore {
    client: Client,
    table: String,
    sessions: String,
    tenant: String,
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn decode<T: serde::de::DeserializeOwned>(items: Vec<Item>) -> Result<Vec<T>> {
    serde_dynamo::from_items(items).map_err(err)
}

fn page<T: serde::de::DeserializeOwned>(found: (Vec<Item>, Option<Cursor>)) -> Result<Page<T>> {
    Ok(Page { items: decode(found.0)?, cursor: found.1 })
}

impl DynamoStore {
    /// One item by its primary key.
    async fn get<T: serde::de::DeserializeOwned>(&self, pk: String, sk: String, consistent: bool) -> Result<Option<T>> {
        let found = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(err)?;
        Ok(decode(found.item.into_iter().collect())?.pop())
    }

    /// One page of a partition of the table, optionally narrowed by a sort key prefix.
    async fn query_table(&self, pk: String, sk_prefix: Option<String>, limit: i32) -> Result<(Vec<Item>, Option<Cursor>)> {
        let condition = if sk_prefix.is_some() { "pk = :pk AND begins_with(sk, :sk)" } else { "pk = :pk" };
        let found = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression(condition)
            .expression_attribute_values(":pk", s(pk))
            .set_expression_attribute_values(sk_prefix.map(|sk| HashMap::from([(":sk".to_string(), s(sk))])))
            .limit(limit)
            .send()
            .await
            .map_err(err)?;
        Ok((found.items.unwrap_or_default(), found.last_evaluated_key.map(|k| Cursor(format!("{k:?}")))))
    }

    /// One page of a GSI1 partition (listings by status).
    async fn query_gsi1(&self, gsi1pk: String) -> Result<(Vec<Item>, Option<Cursor>)> {
        let found = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI1")
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(":pk", s(gsi1pk))
            .send()
            .await
            .map_err(err)?;
        Ok((found.items.unwrap_or_default(), found.last_evaluated_key.map(|k| Cursor(format!("{k:?}")))))
    }

    /// One page of the inverted index: the table's keys swapped.
    async fn query_inverted(&self, sk: String, pk_prefix: Option<String>) -> Result<(Vec<Item>, Option<Cursor>)> {
        let condition = if pk_prefix.is_some() { "sk = :sk AND begins_with(pk, :pk)" } else { "sk = :sk" };
        let found = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("Inverted")
            .key_condition_expression(condition)
            .expression_attribute_values(":sk", s(sk))
            .set_expression_attribute_values(pk_prefix.map(|pk| HashMap::from([(":pk".to_string(), s(pk))])))
            .send()
            .await
            .map_err(err)?;
        Ok((found.items.unwrap_or_default(), found.last_evaluated_key.map(|k| Cursor(format!("{k:?}")))))
    }

    /// One item written whole: its keys, then its attributes.
    async fn put(&self, keys: &[(&str, String)], item: Item) -> Result<()> {
        let mut item = item;
        item.extend(keys.iter().map(|(name, value)| (name.to_string(), s(value.clone()))));
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await.map_err(err)?;
        Ok(())
    }
}

impl DialogueReads for DynamoStore {
    async fn get_dialogue(&self, dialogue_id: &DialogueId) -> Result<Option<Dialogue>> {
        self.get(format!("DIALOGUE#{}", dialogue_id.0), "META".into(), false).await
    }

    async fn list_dialogues_by_status(&self, status: DialogueStatus, _cursor: Option<Cursor>) -> Result<Page<Dialogue>> {
        page(self.query_gsi1(format!("DIALOGUE_STATUS#{status:?}")).await?)
    }

    async fn list_rounds(&self, dialogue_id: &DialogueId, _cursor: Option<Cursor>) -> Result<Vec<Round>> {
        decode(self.query_table(format!("DIALOGUE#{}", dialogue_id.0), Some("ROUND#".into()), 100).await?.0)
    }

    async fn get_round(&self, dialogue_id: &DialogueId, round: u32) -> Result<Option<Round>> {
        self.get(format!("DIALOGUE#{}", dialogue_id.0), format!("ROUND#{round}"), false).await
    }

    async fn list_perspectives(&self, dialogue_id: &DialogueId, round: u32) -> Result<Vec<Perspective>> {
        let sk = format!("PERSPECTIVE#{round}#");
        decode(self.query_table(format!("DIALOGUE#{}", dialogue_id.0), Some(sk), 64).await?.0)
    }

    async fn get_expert(&self, expert_id: &ExpertId) -> Result<Option<Expert>> {
        self.get(format!("EXPERT#{}", expert_id.0), "PROFILE".into(), false).await
    }

    async fn list_all_experts(&self, _cursor: Option<Cursor>) -> Result<Vec<Expert>> {
        decode(self.query_gsi1("EXPERTS".into()).await?.0)
    }

    async fn list_dialogue_experts(&self, dialogue_id: &DialogueId) -> Result<Vec<Participation>> {
        decode(self.query_table(format!("DIALOGUE#{}", dialogue_id.0), Some("EXPERT#".into()), 50).await?.0)
    }

    async fn list_expert_dialogues(&self, expert_id: &ExpertId, _cursor: Option<Cursor>) -> Result<Vec<Participation>> {
        decode(self.query_inverted(format!("EXPERT#{}", expert_id.0), Some("DIALOGUE#".into())).await?.0)
    }

    async fn list_open_tensions(&self, dialogue_id: &DialogueId, _cursor: Option<Cursor>) -> Result<Page<Tension>> {
        page(self.query_gsi1(format!("TENSION_STATUS#{}#open", dialogue_id.0)).await?)
    }

    async fn get_tension(&self, dialogue_id: &DialogueId, tension_id: &TensionId) -> Result<Option<Tension>> {
        self.get(format!("DIALOGUE#{}", dialogue_id.0), format!("TENSION#{}", tension_id.0), false).await
    }

    async fn list_recommendations(&self, dialogue_id: &DialogueId, _cursor: Option<Cursor>) -> Result<Page<Recommendation>> {
        page(self.query_table(format!("DIALOGUE#{}", dialogue_id.0), Some("RECOMMENDATION#".into()), 100).await?)
    }

    async fn get_verdict(&self, dialogue_id: &DialogueId, verdict_id: &VerdictId) -> Result<Option<Verdict>> {
        self.get(format!("DIALOGUE#{}", dialogue_id.0), format!("VERDICT#{}", verdict_id.0), true).await
    }

    async fn list_verdicts_since(
        &self,
        dialogue_id: &DialogueId,
        since: &Timestamp,
        _cursor: Option<Cursor>,
    ) -> Result<Page<Verdict>> {
        let found = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("ByTime")
            .key_condition_expression("pk = :pk AND lsi1sk >= :since")
            .expression_attribute_values(":pk", s(format!("DIALOGUE#{}", dialogue_id.0)))
            .expression_attribute_values(":since", s(format!("VERDICT_AT#{}", since.0)))
            .send()
            .await
            .map_err(err)?;
        Ok(Page { items: decode(found.items.unwrap_or_default())?, cursor: None })
    }

    async fn get_rfc(&self, number: u32) -> Result<Option<Rfc>> {
        self.get(format!("RFC#{number}"), "META".into(), false).await
    }

    async fn list_rfcs_by_status(&self, status: RfcStatus, _cursor: Option<Cursor>) -> Result<Page<Rfc>> {
        page(self.query_gsi1(format!("RFC_STATUS#{status:?}")).await?)
    }
}

impl DialogueWrites for DynamoStore {
    async fn put_dialogue(&self, dialogue: &Dialogue) -> Result<()> {
        let keys = [
            ("pk", format!("DIALOGUE#{}", dialogue.id.0)),
            ("sk", "META".to_string()),
            ("gsi1pk", format!("DIALOGUE_STATUS#{:?}", dialogue.status)),
            ("gsi1sk", format!("CREATED#{}", dialogue.created_at.0)),
        ];
        self.put(&keys, Item::from([("title".to_string(), s(dialogue.title.clone()))])).await
    }

    async fn append_round(&self, round: &Round) -> Result<()> {
        let keys = [("pk", format!("DIALOGUE#{}", round.dialogue_id.0)), ("sk", format!("ROUND#{}", round.number))];
        self.put(&keys, Item::new()).await
    }

    async fn delete_round(&self, dialogue_id: &DialogueId, round: u32) -> Result<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(format!("DIALOGUE#{}", dialogue_id.0)))
            .key("sk", s(format!("ROUND#{round}")))
            .send()
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn record_perspective(&self, perspective: &Perspective) -> Result<()> {
        let keys = [
            ("pk", format!("DIALOGUE#{}", perspective.dialogue_id.0)),
            ("sk", format!("PERSPECTIVE#{}#{}", perspective.round, perspective.expert_id.0)),
        ];
        self.put(&keys, Item::from([("text".to_string(), s(perspective.text.clone()))])).await
    }

    async fn upsert_expert(&self, expert: &Expert) -> Result<()> {
        let keys = [
            ("pk", format!("EXPERT#{}", expert.id.0)),
            ("sk", "PROFILE".to_string()),
            ("gsi1pk", "EXPERTS".to_string()),
            ("gsi1sk", format!("EXPERT#{}", expert.id.0)),
        ];
        self.put(&keys, Item::from([("name".to_string(), s(expert.name.clone()))])).await
    }

    async fn add_participant(&self, dialogue_id: &DialogueId, expert_id: &ExpertId) -> Result<()> {
        let keys = [("pk", format!("DIALOGUE#{}", dialogue_id.0)), ("sk", format!("EXPERT#{}", expert_id.0))];
        self.put(&keys, Item::new()).await
    }

    async fn raise_tension(&self, tension: &Tension) -> Result<()> {
        let keys = [
            ("pk", format!("DIALOGUE#{}", tension.dialogue_id.0)),
            ("sk", format!("TENSION#{}", tension.id.0)),
            ("gsi1pk", format!("TENSION_STATUS#{}#{:?}", tension.dialogue_id.0, tension.status)),
            ("gsi1sk", format!("TENSION#{}", tension.id.0)),
        ];
        self.put(&keys, Item::from([("text".to_string(), s(tension.text.clone()))])).await
    }

    async fn update_tension_status(
        &self,
        dialogue_id: &DialogueId,
        tension_id: &TensionId,
        status: TensionStatus,
    ) -> Result<()> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(format!("DIALOGUE#{}", dialogue_id.0)))
            .key("sk", s(format!("TENSION#{}", tension_id.0)))
            .update_expression("SET gsi1pk = :status")
            .expression_attribute_values(":status", s(format!("TENSION_STATUS#{}#{status:?}", dialogue_id.0)))
            .send()
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn record_concession(&self, concession: &Concession) -> Result<()> {
        let keys = [
            ("pk", format!("DIALOGUE#{}", concession.dialogue_id.0)),
            ("sk", format!("CONCESSION#{}#{}", concession.tension_id.0, concession.expert_id.0)),
        ];
        self.put(&keys, Item::new()).await
    }

    async fn put_recommendation(&self, recommendation: &Recommendation) -> Result<()> {
        let keys = [
            ("pk", format!("DIALOGUE#{}", recommendation.dialogue_id.0)),
            ("sk", format!("RECOMMENDATION#{}", recommendation.id.0)),
        ];
        self.put(&keys, Item::from([("text".to_string(), s(recommendation.text.clone()))])).await
    }

    async fn record_verdict(&self, verdict: &Verdict) -> Result<()> {
        let keys = [
            ("pk", format!("DIALOGUE#{}", verdict.dialogue_id.0)),
            ("sk", format!("VERDICT#{}", verdict.id.0)),
            ("lsi1sk", format!("VERDICT_AT#{}", verdict.decided_at.0)),
        ];
        self.put(&keys, Item::new()).await
    }
}

impl DialogueStore for DynamoStore {
    async fn add_ref(&self, reference: &Ref) -> Result<()> {
        let keys = [("pk", format!("DOC#{}", reference.source.0)), ("sk", format!("REF#{}", reference.target.0))];
        self.put(&keys, Item::new()).await
    }

    async fn list_refs_from(&self, source: &DocId, _cursor: Option<Cursor>) -> Result<Page<Ref>> {
        page(self.query_table(format!("DOC#{}", source.0), Some("REF#".into()), 100).await?)
    }

    async fn list_refs_to(&self, target: &DocId, _cursor: Option<Cursor>) -> Result<Page<Ref>> {
        page(self.query_inverted(format!("REF#{}", target.0), None).await?)
    }

    async fn get_adr(&self, number: u32) -> Result<Option<Adr>> {
        self.get(format!("ADR#{number}"), "META".into(), false).await
    }
}

impl SessionStore for DynamoStore {
    async fn start_session(&self, session: &Session) -> Result<()> {
        let put = Put::builder()
            .table_name(&self.sessions)
            .item("pk", s(format!("TENANT#{}#EXPERT#{}", self.tenant, session.expert_id.0)))
            .item("sk", s(format!("SESSION#{}", session.id.0)))
            .item("tenant", s(self.tenant.clone()))
            .item("device", s(session.device.clone()))
            .build()
            .map_err(err)?;
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(format!("EXPERT#{}", session.expert_id.0)))
            .key("sk", s("PROFILE"))
            .update_expression("SET last_session = :at")
            .expression_attribute_values(":at", s(session.started_at.0.clone()))
            .build()
            .map_err(err)?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(update).build())
            .send()
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn get_session(&self, expert_id: &ExpertId, session_id: &SessionId) -> Result<Option<Session>> {
        let found = self
            .client
            .get_item()
            .table_name(&self.sessions)
            .key("pk", s(format!("TENANT#{}#EXPERT#{}", self.tenant, expert_id.0)))
            .key("sk", s(format!("SESSION#{}", session_id.0)))
            .consistent_read(true)
            .send()
            .await
            .map_err(err)?;
        Ok(decode(found.item.into_iter().collect())?.pop())
    }

    async fn list_sessions(&self, expert_id: &ExpertId, _cursor: Option<Cursor>) -> Result<Page<Session>> {
        let found = self
            .client
            .query()
            .table_name(&self.sessions)
            .key_condition_expression("pk = :pk AND begins_with(sk, :sk)")
            .expression_attribute_values(":pk", s(format!("TENANT#{}#EXPERT#{}", self.tenant, expert_id.0)))
            .expression_attribute_values(":sk", s("SESSION#"))
            .send()
            .await
            .map_err(err)?;
        Ok(Page { items: decode(found.items.unwrap_or_default())?, cursor: None })
    }

    async fn sessions_on_device(&self, device: &str, day: &str, _cursor: Option<Cursor>) -> Result<Page<Session>> {
        let found = self
            .client
            .query()
            .table_name(&self.sessions)
            .index_name("ByDevice")
            .key_condition_expression("tenant = :tenant AND device = :device AND #day = :day")
            .expression_attribute_names("#day", "day")
            .expression_attribute_values(":tenant", s(self.tenant.clone()))
            .expression_attribute_values(":device", s(device))
            .expression_attribute_values(":day", s(day))
            .send()
            .await
            .map_err(err)?;
        Ok(Page { items: decode(found.items.unwrap_or_default())?, cursor: None })
    }

    async fn end_sessions(&self, expert_id: &ExpertId) -> Result<u32> {
        let found = self
            .client
            .query()
            .table_name(&self.sessions)
            .key_condition_expression("pk = :pk AND begins_with(sk, :sk)")
            .expression_attribute_values(":pk", s(format!("TENANT#{}#EXPERT#{}", self.tenant, expert_id.0)))
            .expression_attribute_values(":sk", s("SESSION#"))
            .limit(25)
            .send()
            .await
            .map_err(err)?;
        let items = found.items.unwrap_or_default();
        if items.is_empty() {
            return Ok(0);
        }
        let deletes = items
            .iter()
            .map(|item| {
                let key = Item::from([("pk".to_string(), item["pk"].clone()), ("sk".to_string(), item["sk"].clone())]);
                WriteRequest::builder().delete_request(DeleteRequest::builder().set_key(Some(key)).build().unwrap()).build()
            })
            .collect();
        self.client
            .batch_write_item()
            .request_items(&self.sessions, deletes)
            .send()
            .await
            .map_err(err)?;
        Ok(items.len() as u32)
    }

    async fn purge_expired(&self) -> Result<()> {
        Ok(()) // DynamoDB's Time to Live deletes expired sessions (`expires_at`)
    }

    fn tenant(&self) -> &str {
        &self.tenant
    }
}
