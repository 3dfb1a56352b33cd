// The example of docs/testing.md, run as it is (a test checks that the two stay the same).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from '@jest/globals';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { KinesisStreamEvent } from 'aws-lambda';
import { StreamConsumer } from '../../lib';
import { PoisonRecordError, processKinesisBatch } from '../../packages/runtime/src';
import { settingsFromTemplate, simulateEventSourceMapping } from '../../packages/runtime/src/testing';

// The handler you deploy (src/orders.ts): the toolkit reports to the simulator through `context`.
const handler = async (event: KinesisStreamEvent, context: { getRemainingTimeInMillis(): number }) =>
  processKinesisBatch<{ id: number; amount: number }>(
    event,
    async (record) => {
      if (record.body.amount < 0) throw new PoisonRecordError(`negative amount in order ${record.body.id}`);
      // ... write the order somewhere
    },
    { context },
  );

test('orders: nothing lost, the negative one quarantined, each processed once', async () => {
  // The consumer as your stack defines it; only its template is read.
  const stack = new Stack(new App(), 'Orders');
  new StreamConsumer(stack, 'Orders', {
    stream: new kinesis.Stream(stack, 'Stream'),
    handler: new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      timeout: Duration.seconds(30),
    }),
  });
  const settings = settingsFromTemplate(Template.fromStack(stack).toJSON());

  const orders = Array.from({ length: 250 }, (_, id) => ({ id, amount: id === 42 ? -1 : 10 }));
  const report = await simulateEventSourceMapping(
    [{ records: orders.map((order) => ({ partitionKey: `customer-${order.id % 7}`, data: JSON.stringify(order) })) }],
    handler,
    { settings },
  );

  expect(report.totals).toMatchObject({ records: 250, lost: 0, outOfOrder: 0, quarantined: 1, duplicates: 0 });
  expect(report.quarantined[0].reason).toBe('PoisonRecordError');
});

test('docs/testing.md shows this example as it is, with the package names', () => {
  const root = path.resolve(__dirname, '..', '..');
  const doc = fs.readFileSync(path.join(root, 'docs', 'testing.md'), 'utf8');
  const shown = /<!-- example: test\/consumer\/simulator-example\.test\.ts -->\n```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  const source = fs.readFileSync(__filename, 'utf8');
  const example = source
    .slice(source.indexOf('\n') + 1, source.indexOf("\ntest('docs/testing.md"))
    .replace("'../../lib'", "'cdk-kinesis-pipeline'")
    .replace("'../../packages/runtime/src/testing'", "'cdk-kinesis-pipeline-runtime/testing'")
    .replace("'../../packages/runtime/src'", "'cdk-kinesis-pipeline-runtime'")
    .replace(/^import \* as (fs|path) from 'node:(fs|path)';\n/gm, '');
  expect(shown).toBe(example.trim() + '\n');
});
