// What a zone snapshot file holds, line by line (framing in lines.ts, files in append-log.ts).
// A restart reads a million of these, so each line carries what rebuilding the indexes
// needs (visibility, trust, tokens) instead of re-deriving it, and a publisher's JWS
// header, shared by all its agents, is written once and then referred to by number.

/** The first line: what the records leave out because the zone provides it. */
export interface SnapshotMeta {
  namespace?: string;
  /** Version of the token rules (tokens.ts) the lines' tokens were cut with. */
  tokens: number;
}

/**
 * A name's latest change: [seq, 0 put | 1 delete, name, header, bytes, state, trust,
 * capability tokens, keyword tokens]; a delete stops after `bytes`. `header` is the JWS
 * header text where it first appears in the file, after that its number (order of first
 * appearance), or -1 when the record has none. `bytes` is the stored record, base64.
 */
export type SnapshotRecord =
  | [number, 0, string, string | number, string, number, number, string[], string[]]
  | [number, 1, string, string | number, string];

export type SnapshotItem = SnapshotMeta | SnapshotRecord;

/** Writer side: numbers headers in order of first appearance. */
export class HeaderNumbering {
  private readonly numbers = new Map<number, number>();
  constructor(private readonly headerText: (index: number) => string) {}

  ref(index: number): string | number {
    if (index < 0) return -1;
    const n = this.numbers.get(index);
    if (n !== undefined) return n;
    this.numbers.set(index, this.numbers.size);
    return this.headerText(index);
  }
}

/** Reader side: turns refs back into header text. Call for every line, in file order. */
export class HeaderTable {
  private readonly list: string[] = [];

  resolve(ref: string | number): string | undefined {
    if (typeof ref === 'string') {
      this.list.push(ref);
      return ref;
    }
    return ref < 0 ? undefined : this.list[ref];
  }
}
