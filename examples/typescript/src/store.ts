import type { Dialogue, Round, Verdict } from "./model";
import type { DialogueReads } from "./reads";

/** The storage boundary; backends (DynamoDB via ElectroDB, an in-memory fake) implement it. */
export interface DialogueStore extends DialogueReads {
  putDialogue(dialogue: Dialogue): Promise<void>;
  appendRound(round: Round): Promise<void>;
  recordVerdict(verdict: Verdict): Promise<void>;
  latestVerdict?(dialogueId: string): Promise<Verdict | undefined>;
}
