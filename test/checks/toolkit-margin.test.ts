/**
 * Streaming-EsmToolkitTimeout assumes the runtime toolkit's default timeout margin (5 s) and its
 * clamp (never more than half of the time the invocation has), which the construct library cannot
 * import from the runtime package: this test ties the two together by the toolkit's behaviour.
 */
import { runKinesisBatch } from '../../packages/runtime/src/kinesis-batch';
import { jsonEvent } from '../consumer/support/kinesis-events';
import { CompliantPipeline, ruleIds } from './fixtures';

const quiet = {
  logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  metrics: false as const,
  quarantineSink: { quarantine: async () => undefined },
};

/**
 * Records processed (one key, so one after the other) when the invocation has `startMillis` left
 * at the start and each record takes `recordMillis` of it.
 */
async function processedWith(startMillis: number, recordMillis: number, records = 10): Promise<number> {
  let remaining = startMillis;
  const outcome = await runKinesisBatch(
    jsonEvent(records, 1),
    () => {
      remaining -= recordMillis;
    },
    { ...quiet, context: { getRemainingTimeInMillis: () => remaining } },
  ).catch(() => undefined);
  return outcome?.processed ?? Number.NaN;
}

test("the pack's default margin is the toolkit's: with 10 s or more, records start until 5 s are left", async () => {
  // 12.5 s, 1 s per record: records start at 12.5, 11.5, ..., 5.5 s left (8 of them), none at 4.5 s.
  expect(await processedWith(12_500, 1_000)).toBe(8);
});

test('under twice the margin the toolkit keeps half the time: a 3 s invocation still processes', async () => {
  // 3 s, 0.4 s per record: margin clamped to 1.5 s, records start at 3, 2.6, 2.2, 1.8 s left.
  expect(await processedWith(3_000, 400)).toBe(4);
});

test('so a toolkit consumer with a 9 s timeout is reported, one with 10 s (twice the margin) is not', () => {
  const tight = new CompliantPipeline();
  tight.consumerFunction.addPropertyOverride('Timeout', 9);
  expect(ruleIds(tight.stack)).toEqual(['Streaming-EsmToolkitTimeout']);
  const enough = new CompliantPipeline();
  enough.consumerFunction.addPropertyOverride('Timeout', 10);
  expect(ruleIds(enough.stack)).toEqual([]);
});
