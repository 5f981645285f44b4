// A FIFO of numbers for the open-loop generators' backlog: Array#shift copies the whole
// array once it is large (past V8's left-trimming), so a backlog of 100,000 requests made
// every dispatch cost ~300 µs and a generator that fell behind never caught up again.
export class NumberFifo {
  private buf: Float64Array;
  private head = 0;
  private tail = 0;

  constructor(capacity = 1024) {
    this.buf = new Float64Array(capacity);
  }

  get length(): number {
    return this.tail - this.head;
  }

  push(x: number): void {
    if (this.tail === this.buf.length) {
      const n = this.length;
      const next = n * 2 > this.buf.length ? new Float64Array(this.buf.length * 2) : this.buf;
      next.set(this.buf.subarray(this.head, this.tail), 0);
      this.buf = next;
      this.head = 0;
      this.tail = n;
    }
    this.buf[this.tail++] = x;
  }

  shift(): number | undefined {
    if (this.head === this.tail) return undefined;
    const x = this.buf[this.head++]!;
    if (this.head === this.tail) this.head = this.tail = 0;
    return x;
  }
}
