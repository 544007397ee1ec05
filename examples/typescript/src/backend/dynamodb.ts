// The DynamoDB backend: the one module that holds a DynamoDB client, and spells the keys.
// store-gate reads each method's commands (SG701-SG704) and compares them with its declaration.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";

import type { Dialogue, Page, Round, Verdict } from "../model";
import type { DialogueStore } from "../store";

export class DynamoDialogueStore implements DialogueStore {
  private readonly client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

  constructor(private readonly tableName = "dialogue") {}

  async getDialogue(dialogueId: string): Promise<Dialogue | undefined> {
    const found = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `DIALOGUE#${dialogueId}`, sk: "META" } }),
    );
    return found.Item as Dialogue | undefined;
  }

  async listRounds(dialogueId: string, cursor?: string): Promise<Round[]> {
    const found = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues: { ":pk": `DIALOGUE#${dialogueId}`, ":sk": "ROUND#" },
        ExclusiveStartKey: cursor ? JSON.parse(cursor) : undefined,
      }),
    );
    return (found.Items ?? []) as Round[];
  }

  dialoguesByStatus = async (status: "open" | "closed", cursor?: string): Promise<Page<Dialogue>> => {
    const found = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "GSI1",
        KeyConditionExpression: "gsi1pk = :status",
        ExpressionAttributeValues: { ":status": `STATUS#${status}` },
        ExclusiveStartKey: cursor ? JSON.parse(cursor) : undefined,
      }),
    );
    return { items: (found.Items ?? []) as Dialogue[], cursor: JSON.stringify(found.LastEvaluatedKey) };
  };

  async putDialogue(dialogue: Dialogue): Promise<void> {
    await this.put({
      pk: `DIALOGUE#${dialogue.id}`,
      sk: "META",
      gsi1pk: `STATUS#${dialogue.status}`,
      gsi1sk: `DIALOGUE#${dialogue.id}`,
      title: dialogue.title,
    });
  }

  async appendRound(round: Round): Promise<void> {
    await this.put({ pk: `DIALOGUE#${round.dialogueId}`, sk: `ROUND#${round.number}` });
  }

  async recordVerdict(verdict: Verdict): Promise<void> {
    await this.put({
      pk: `DIALOGUE#${verdict.dialogueId}`,
      sk: `VERDICT#${verdict.id}`,
      lsi1sk: `VERDICT_AT#${verdict.decidedAt}`,
    });
  }

  async latestVerdict(dialogueId: string): Promise<Verdict | undefined> {
    const found = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "ByTime",
        KeyConditionExpression: "pk = :pk AND begins_with(lsi1sk, :at)",
        ExpressionAttributeValues: { ":pk": `DIALOGUE#${dialogueId}`, ":at": "VERDICT_AT#" },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return found.Items?.[0] as Verdict | undefined;
  }

  async archiveDialogue(dialogueId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `DIALOGUE#${dialogueId}`, sk: "META" },
        UpdateExpression: "SET archived = :yes",
        ExpressionAttributeValues: { ":yes": true },
      }),
    );
  }

  /** One item written whole (the helper the writes share). */
  private async put(item: Record<string, unknown>): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }
}
