import * as fs from 'node:fs';
import type { RedriveLedger } from 'cdk-kinesis-pipeline-runtime';

/** A local redrive ledger: one idempotency key per line, appended after each successful replay. */
export class FileRedriveLedger implements RedriveLedger {
  private readonly keys: Set<string>;

  constructor(private readonly file: string) {
    this.keys = new Set(fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  }

  public async done(keys: readonly string[]): Promise<Set<string>> {
    return new Set(keys.filter((k) => this.keys.has(k)));
  }

  public async markDone(keys: readonly string[]): Promise<void> {
    const fresh = keys.filter((k) => !this.keys.has(k));
    if (fresh.length === 0) return;
    fs.appendFileSync(this.file, fresh.map((k) => `${k}\n`).join(''));
    for (const key of fresh) this.keys.add(key);
  }
}
