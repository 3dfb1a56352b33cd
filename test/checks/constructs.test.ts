/**
 * Our constructs under StreamingChecks, with no acknowledgment: ScalableStream, StreamConsumer
 * (standard and enhanced fan-out), DataLakeDelivery (Parquet, ORC, JSON, dynamic and daily
 * partitioning, imported stream), PipelineMonitoring, StreamingPipeline and the reference stack in
 * bin/, all in one app synthesized once.
 */
import { Validations } from 'aws-cdk-lib';
import type { NagFinding } from '../support/nag';
import { synthWithNag } from '../support/nag';
import { constructVariantsApp } from './construct-variants';

interface KnownDefect {
  readonly rule: string;
  /** The construct path of each resource the rule reports today. */
  readonly paths: readonly string[];
  /** The issue whose fix removes the finding. */
  readonly issue: number;
  readonly defect: string;
}

/**
 * KNOWN DEFECTS: what the pack finds in our constructs today. Each row is a real defect that the
 * named issue fixes; delete the row when the fix lands (this test then fails until it is gone),
 * until the table is empty and our constructs pass the pack with no acknowledgment. Never add a
 * row to make a new finding pass: fix the construct, or the rule if it is wrong.
 */
const KNOWN_DEFECTS: readonly KnownDefect[] = [];

// Synthesized once for the whole file.
const app = constructVariantsApp();
const { findings } = synthWithNag(app);

/** One line per reported resource, so that a failure names the rule and the path. */
const lines = (list: readonly NagFinding[]) => list.flatMap((f) => f.paths.map((p) => `${f.rule} ${p}`)).sort();

test('our constructs pass StreamingChecks but for the known defects, with no acknowledgment', () => {
  const expected = KNOWN_DEFECTS.flatMap((d) => d.paths.map((p) => `${d.rule} ${p}`)).sort();
  expect(lines(findings)).toEqual(expected);
});

test('no construct acknowledges a StreamingChecks rule', () => {
  const acknowledged = app.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.keys(m.data as Record<string, string>));
  expect(acknowledged.length).toBeGreaterThan(0); // the AwsSolutions acknowledgments are there
  const pack = /^(annotation::)?Streaming(-|::)/i;
  expect(acknowledged.filter((id) => pack.test(id))).toEqual([]);
});
