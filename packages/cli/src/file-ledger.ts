import * as fs from 'node:fs';
import * as os from 'node:os';
import {
  RedriveLedgerError,
  type ClaimResult,
  type LedgerState,
  type RedriveLedger,
} from 'cdk-kinesis-pipeline-runtime';

/**
 * A local redrive ledger: an append-only file of `claim\t<key>`, `done\t<key>` and
 * `release\t<key>` lines (a bare `<key>` line, the format before claims, is done). One run at a
 * time holds it, through `<file>.lock` created exclusively (O_EXCL, the local counterpart of S3's
 * `If-None-Match: *`): a second run on the same ledger stops with an error instead of putting
 * the same records. A lock left by a process that is gone (same host) is taken over; the keys
 * that process claimed but never marked are then free again, so only its batch in flight can
 * be put twice.
 */
export class FileRedriveLedger implements RedriveLedger {
  private readonly done = new Set<string>();
  private readonly lockFile: string;
  private locked = false;

  constructor(
    private readonly file: string,
    private readonly now: () => number = Date.now,
  ) {
    this.lockFile = `${file}.lock`;
    if (!fs.existsSync(file)) return;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new RedriveLedgerError(
        `redrive ledger ${file}: cannot read it: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
    const state = new Map<string, string>();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const tab = line.indexOf('\t');
      if (tab < 0) state.set(line, 'done');
      else state.set(line.slice(tab + 1), line.slice(0, tab));
    }
    for (const [key, s] of state) if (s === 'done') this.done.add(key);
  }

  /** Takes the ledger for this process; call `close` when the run ends. */
  public open(): void {
    if (this.locked) return;
    const content = JSON.stringify({
      pid: process.pid,
      host: os.hostname(),
      since: new Date(this.now()).toISOString(),
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.lockFile, content, { flag: 'wx' });
        this.locked = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new RedriveLedgerError(
            `redrive ledger ${this.file}: cannot lock it: ${(error as NodeJS.ErrnoException).code ?? error}`,
          );
        }
        const holder = this.holder();
        if (holder && holder.host === os.hostname() && !isAlive(holder.pid)) {
          fs.rmSync(this.lockFile, { force: true }); // its process is gone: a crashed run
          continue;
        }
        throw new RedriveLedgerError(
          `redrive ledger ${this.file} is in use by process ${holder?.pid ?? '?'} on ${holder?.host ?? '?'} since ${holder?.since ?? '?'}; wait for it, or delete ${this.lockFile} if that run is gone`,
        );
      }
    }
  }

  public close(): void {
    if (this.locked) fs.rmSync(this.lockFile, { force: true });
    this.locked = false;
  }

  public async peek(keys: readonly string[]): Promise<LedgerState> {
    return { done: keys.filter((k) => this.done.has(k)), held: [] };
  }

  public async claim(keys: readonly string[]): Promise<ClaimResult> {
    this.open();
    const done = keys.filter((k) => this.done.has(k));
    const claimed = keys.filter((k) => !this.done.has(k));
    this.append(claimed, 'claim');
    // The lock, not a lease, keeps other runs out: the claims stay this run's while it runs.
    return { claimed, done, held: [], validUntil: Number.MAX_SAFE_INTEGER };
  }

  public async markDone(keys: readonly string[]): Promise<void> {
    this.append(keys, 'done');
    for (const key of keys) this.done.add(key);
  }

  public async release(keys: readonly string[]): Promise<void> {
    this.append(keys, 'release');
  }

  private append(keys: readonly string[], state: string): void {
    if (keys.length === 0) return;
    try {
      fs.appendFileSync(this.file, keys.map((k) => `${state}\t${k}\n`).join(''));
    } catch (error) {
      throw new RedriveLedgerError(
        `redrive ledger ${this.file}: cannot write it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }

  private holder(): { pid: number; host: string; since: string } | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.lockFile, 'utf8')) as { pid: number; host: string; since: string };
    } catch {
      return undefined;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
