import { Token } from 'aws-cdk-lib';
import fc from 'fast-check';
import { ShardCapacityPlanner } from '../../lib/stream';

const MiB = 1024 * 1024;

describe('ShardCapacityPlanner.plan', () => {
  test('the README example: 100 records/s of 100 KB read by 10 consumers', () => {
    const standard = ShardCapacityPlanner.plan({
      recordsPerSecond: 100,
      averageRecordSizeBytes: 100_000,
      standardConsumers: 10,
    });
    // 10 MB/s in: 9.54 MiB/s ÷ 0.8 → 12 shards; 10 consumers read 95.4 MiB/s ÷ 2 MiB/s ÷ 0.8 → 60.
    expect(standard).toMatchObject({
      ingressShards: 12,
      egressShards: 60,
      totalShards: 60,
      boundBy: 'egress (consumer reads)',
    });
    expect(standard.warnings[0]).toMatch(/10 standard consumers share each shard's 2 MiB\/s.*enhanced fan-out/);
    expect(standard.warnings[1]).toMatch(/with enhanced fan-out the stream would need 12/);

    const efo = ShardCapacityPlanner.plan({
      recordsPerSecond: 100,
      averageRecordSizeBytes: 100_000,
      standardConsumers: 0,
      efoConsumers: 10,
    });
    expect(efo).toMatchObject({
      ingressShards: 12,
      egressShards: 6,
      totalShards: 12,
      boundBy: 'ingress bytes',
      warnings: [],
    });
  });

  test('record-bound and tiny traffic', () => {
    expect(ShardCapacityPlanner.plan({ recordsPerSecond: 4000, averageRecordSizeBytes: 100 })).toMatchObject({
      ingressShards: 5,
      totalShards: 5,
      boundBy: 'ingress records',
    });
    expect(ShardCapacityPlanner.plan({ recordsPerSecond: 1, averageRecordSizeBytes: 10 })).toMatchObject({
      totalShards: 1,
      boundBy: 'minimum of one shard',
    });
    expect(
      ShardCapacityPlanner.plan({ recordsPerSecond: 1000, averageRecordSizeBytes: 1024, targetUtilization: 1 })
        .totalShards,
    ).toBe(1);
  });

  test('two standard consumers do not warn; three do', () => {
    const two = ShardCapacityPlanner.plan({ recordsPerSecond: 10, averageRecordSizeBytes: 10, standardConsumers: 2 });
    expect(two.warnings).toEqual([]);
    const three = ShardCapacityPlanner.plan({ recordsPerSecond: 10, averageRecordSizeBytes: 10, standardConsumers: 3 });
    expect(three.warnings).toHaveLength(1);
  });

  test.each([
    [{ recordsPerSecond: -1, averageRecordSizeBytes: 1 }, /recordsPerSecond must be at least 0. Received -1/],
    [
      { recordsPerSecond: 1, averageRecordSizeBytes: NaN },
      /averageRecordSizeBytes must be between 0 and 1048576 bytes \(1 MiB, the largest record\). Received NaN/,
    ],
    [
      { recordsPerSecond: 1, averageRecordSizeBytes: 2 * MiB },
      /averageRecordSizeBytes must be between 0 and 1048576 bytes.*Received 2097152/,
    ],
    [
      { recordsPerSecond: 1, averageRecordSizeBytes: 1, efoConsumers: 21 },
      /efoConsumers must be an integer between 0 and 20. Received 21/,
    ],
    [
      { recordsPerSecond: 1, averageRecordSizeBytes: 1, standardConsumers: 1.5 },
      /standardConsumers must be an integer between 0 and 1000. Received 1.5/,
    ],
    [
      { recordsPerSecond: 1, averageRecordSizeBytes: 1, targetUtilization: 0 },
      /targetUtilization must be greater than 0 and at most 1. Received 0/,
    ],
    [
      { recordsPerSecond: Infinity, averageRecordSizeBytes: 1 },
      /recordsPerSecond must be at least 0. Received Infinity/,
    ],
    [
      { recordsPerSecond: Token.asNumber({ Ref: 'Rate' }), averageRecordSizeBytes: 1 },
      /recordsPerSecond must be a number known at synth time \(the capacity planner computes the shard count at synth time\). Received a token/,
    ],
  ])('rejects %o', (input, error) => {
    expect(() => ShardCapacityPlanner.plan(input)).toThrow(error);
  });

  test('property: the plan covers writes and reads at the target utilization, and no more than one shard extra', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: MiB }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 20 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (recordsPerSecond, averageRecordSizeBytes, standardConsumers, efoConsumers, targetUtilization) => {
          const plan = ShardCapacityPlanner.plan({
            recordsPerSecond,
            averageRecordSizeBytes,
            standardConsumers,
            efoConsumers,
            targetUtilization,
          });
          const bytes = recordsPerSecond * averageRecordSizeBytes;
          const capacity = plan.totalShards * targetUtilization * (1 + 1e-9);
          expect(plan.totalShards).toBeGreaterThanOrEqual(1);
          expect(bytes / MiB).toBeLessThanOrEqual(capacity);
          expect(recordsPerSecond / 1000).toBeLessThanOrEqual(capacity);
          expect((bytes * standardConsumers) / (2 * MiB)).toBeLessThanOrEqual(capacity);
          // Minimal: one shard less would not cover the larger need.
          const need = Math.max(
            bytes / MiB,
            recordsPerSecond / 1000,
            (bytes * Math.max(standardConsumers, efoConsumers > 0 ? 1 : 0)) / (2 * MiB),
          );
          expect(plan.totalShards - 1).toBeLessThanOrEqual(Math.max(1, need / targetUtilization) + 1e-6);
        },
      ),
      { numRuns: 300 },
    );
  });
});
