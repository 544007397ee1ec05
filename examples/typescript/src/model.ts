// Domain types: backend-neutral.
export interface Dialogue { id: string; title: string; status: "open" | "closed"; }
export interface Round { dialogueId: string; number: number; }
export interface Verdict { dialogueId: string; id: string; decidedAt: string; }
export interface Page<T> { items: T[]; cursor?: string; }
