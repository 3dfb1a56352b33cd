/**
 * A one-line progress bar on stderr: redrawn in place on a terminal, printed at most every
 * few seconds otherwise (CI logs).
 */
export class ProgressBar {
  private lastDraw = -Infinity;

  constructor(
    private readonly out: { write(text: string): unknown; readonly isTTY?: boolean },
    private readonly total: number,
    private readonly now: () => number,
    private readonly label = 'records',
  ) {}

  public update(done: number, detail = ''): void {
    const interactive = this.out.isTTY === true;
    const t = this.now();
    if (t - this.lastDraw < (interactive ? 100 : 5000) && done < this.total) return;
    this.draw(done, detail);
  }

  /** Draws the final state, whether or not it reached the total (records that were not acknowledged). */
  public done(done: number, detail = ''): void {
    this.draw(done, detail);
    if (this.out.isTTY) this.out.write('\n');
  }

  private draw(done: number, detail: string): void {
    this.lastDraw = this.now();
    const line = formatProgress(done, this.total, this.label, detail);
    this.out.write(this.out.isTTY === true ? `\r${line}\u001b[K` : `${line}\n`);
  }
}

export function formatProgress(done: number, total: number, label: string, detail: string): string {
  const width = 30;
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  return `[${bar}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${done}/${total} ${label}${detail ? ` ${detail}` : ''}`;
}
