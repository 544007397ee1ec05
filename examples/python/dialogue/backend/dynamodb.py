"""The DynamoDB backend: the one module that holds a boto3 table, and spells the keys.

store-gate reads each method's calls (SG701-SG704) and compares them with its declaration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key

from dialogue.model import Dialogue, Page, Round, Tension
from dialogue.store import DialogueStore


class DynamoDialogueStore(DialogueStore):
    def __init__(self, table_name: str = "dialogue") -> None:
        self.table = boto3.resource("dynamodb").Table(table_name)

    async def get_dialogue(self, dialogue_id: str) -> Dialogue | None:
        found = self.table.get_item(Key={"pk": f"DIALOGUE#{dialogue_id}", "sk": "META"})
        item = found.get("Item")
        return Dialogue(dialogue_id, item["title"], item["status"]) if item else None

    async def list_rounds(self, dialogue_id: str, *, cursor: str | None = None) -> list[Round]:
        found = self._query(Key("pk").eq(f"DIALOGUE#{dialogue_id}") & Key("sk").begins_with("ROUND#"), cursor)
        return [Round(dialogue_id, int(item["number"])) for item in found["Items"]]

    async def get_round(self, dialogue_id: str, round: int | str) -> Round | None:
        found = self.table.get_item(Key={"pk": f"DIALOGUE#{dialogue_id}", "sk": f"ROUND#{round}"})
        return Round(dialogue_id, int(round)) if "Item" in found else None

    async def stream_open_tensions(self, dialogue_id: str) -> AsyncIterator[Tension]:
        cursor: dict[str, Any] | None = None
        while True:
            page = self.table.query(
                IndexName="GSI1",
                KeyConditionExpression=Key("gsi1pk").eq(f"OPEN_TENSIONS#{dialogue_id}"),
                **({"ExclusiveStartKey": cursor} if cursor else {}),
            )
            for item in page["Items"]:
                yield Tension(dialogue_id, item["id"], "open")
            cursor = page.get("LastEvaluatedKey")
            if cursor is None:
                return

    async def dialogues_by_status(self, status: str, cursor: str | None = None) -> Page:
        found = self.table.query(IndexName="GSI1", KeyConditionExpression=Key("gsi1pk").eq(f"STATUS#{status}"))
        return Page(found["Items"], found.get("LastEvaluatedKey"))

    async def put_dialogue(self, dialogue: Dialogue) -> None:
        self.table.put_item(
            Item={
                "pk": f"DIALOGUE#{dialogue.id}",
                "sk": "META",
                "gsi1pk": f"STATUS#{dialogue.status}",
                "gsi1sk": f"DIALOGUE#{dialogue.id}",
                "title": dialogue.title,
            }
        )

    async def append_round(self, round: Round) -> None:
        self.table.put_item(Item={"pk": f"DIALOGUE#{round.dialogue_id}", "sk": f"ROUND#{round.number}"})

    async def raise_tension(self, tension: Tension) -> None:
        self.table.put_item(
            Item={
                "pk": f"DIALOGUE#{tension.dialogue_id}",
                "sk": f"TENSION#{tension.id}",
                "gsi1pk": f"OPEN_TENSIONS#{tension.dialogue_id}",
                "gsi1sk": f"TENSION#{tension.id}",
            }
        )

    async def resolve_tension(self, dialogue_id: str, tension_id: str) -> None:
        self.table.update_item(
            Key={"pk": f"DIALOGUE#{dialogue_id}", "sk": f"TENSION#{tension_id}"},
            UpdateExpression="SET #s = :resolved REMOVE gsi1pk, gsi1sk",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":resolved": "resolved"},
            ConditionExpression=Attr("pk").exists(),
        )

    def _query(self, condition: Any, cursor: str | None) -> dict[str, Any]:
        """One page of the table's items under a key condition (the helper list_rounds reads)."""
        return self.table.query(KeyConditionExpression=condition, Limit=100)
