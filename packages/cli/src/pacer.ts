/**
 * Keeps a steady rate: record i is due at start + i/rate. Sleeps only when more than 5 ms
 * ahead, so a high rate costs a few timer calls per second, not one per record.
 */
export class Pacer {
  private readonly start: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number,
    private readonly sleep: (millis: number) => Promise<void>,
  ) {
    this.start = now();
  }

  public async waitFor(index: number): Promise<void> {
    const due = this.start + (index * 1000) / this.ratePerSecond;
    const ahead = due - this.now();
    if (ahead > 5) await this.sleep(ahead);
  }

  public elapsedMillis(): number {
    return this.now() - this.start;
  }
}
