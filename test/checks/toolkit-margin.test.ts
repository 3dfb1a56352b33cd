/**
 * Streaming-EsmToolkitTimeout assumes the runtime toolkit's default timeout margin (5 s), which
 * the construct library cannot import from the runtime package: this test ties the two together by the toolkit's
 * behaviour.
 */
import { runKinesisBatch } from '../../packages/runtime/src/kinesis-batch';
import { jsonEvent } from '../consumer/support/kinesis-events';
import { CompliantPipeline, ruleIds } from './fixtures';

const quiet = {
  logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  metrics: false as const,
  quarantineSink: { quarantine: async () => undefined },
};

async function processedWith(remainingMillis: number): Promise<number> {
  const outcome = await runKinesisBatch(jsonEvent(1, 1), () => undefined, {
    ...quiet,
    context: { getRemainingTimeInMillis: () => remainingMillis },
  });
  return outcome.processed;
}

test("the pack's default margin is the toolkit's: a record starts with more than 5 s left, none with less", async () => {
  expect(await processedWith(5_001)).toBe(1);
  expect(await processedWith(4_999)).toBe(0);
});

test('so a toolkit consumer with a 5 s timeout is reported, one with 6 s is not', () => {
  const tight = new CompliantPipeline();
  tight.consumerFunction.addPropertyOverride('Timeout', 5);
  expect(ruleIds(tight.stack)).toEqual(['Streaming-EsmToolkitTimeout']);
  const enough = new CompliantPipeline();
  enough.consumerFunction.addPropertyOverride('Timeout', 6);
  expect(ruleIds(enough.stack)).toEqual([]);
});
