import type { Dialogue, Page, Round } from "./model";

export interface DialogueReads {
  getDialogue(dialogueId: string): Promise<Dialogue | undefined>;

  /**
   * Rounds of a dialogue, oldest first.
   * @access { op = "Query", entity = "Round", key = { pk = "DIALOGUE#{dialogueId}", sk = { begins_with = "ROUND#" } }, page = "cursor" }
   */
  listRounds(dialogueId: string, cursor?: string): Promise<Round[]>;

  dialoguesByStatus: (status: "open" | "closed", cursor?: string) => Promise<Page<Dialogue>>;
}
