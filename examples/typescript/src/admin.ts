// Declaration merging: this block adds to the same DialogueStore interface, and is governed
// like the first one.
declare module "./store" {
  interface DialogueStore {
    archiveDialogue(dialogueId: string): Promise<void>;
  }
}
export {};
