/**
 * The no-schema data lake of a default StreamingPipeline, run locally from its synthesized template:
 * Firehose's AppendDelimiterToRecord processor puts each record on a line of its own in the GZIP
 * objects (without it Firehose writes records back to back).
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_Processor.html
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Template } from 'aws-cdk-lib/assertions';
import { StreamingPipeline } from '../../lib';
import { runDeliveryStream } from '../../packages/cli/src/local/firehose/delivery-stream';
import { buildPipelineModel } from '../../packages/cli/src/local/pipeline-model';
import { createTestStack } from '../support/app';

const stack = createTestStack();
new StreamingPipeline(stack, 'Pipeline');
const resources = Template.fromStack(stack).toJSON().Resources;
const model = buildPipelineModel([{ stackName: 'Orders', resources, assets: new Map() }], 'us-east-1');

let outDir: string;
beforeAll(() => (outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'json-lake-'))));
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f));
}

test('the default lake writes one record per line, GZIP-compressed, under the Hive data prefix', async () => {
  expect(model.deliveries).toHaveLength(1);
  const [delivery] = model.deliveries;
  expect({ compression: delivery.compression, delimiter: delivery.recordDelimiter }).toEqual({
    compression: 'GZIP',
    delimiter: '\n',
  });
  const orders = [{ id: 1 }, { id: 2 }, { id: 3 }].map((o) => JSON.stringify(o));
  const arrivalMs = Date.UTC(2026, 11, 2, 10, 30);
  const shard = orders.map((data, i) => ({
    shardId: 'shardId-000000000000',
    sequenceNumber: String(100 + i),
    partitionKey: `order-${i}`,
    data: Buffer.from(data),
    arrivalMs: arrivalMs + i,
  }));
  const report = await runDeliveryStream([shard], { delivery, outDir, region: 'us-east-1' });
  expect(report.dataObjects).toHaveLength(1);
  expect(report.dataObjects[0].key).toMatch(/^data\/year=2026\/month=12\/day=02\/hour=10\//);
  const object = filesUnder(path.join(outDir, delivery.bucket)).find((f) => f.endsWith(report.dataObjects[0].key));
  expect(gunzipSync(fs.readFileSync(object!)).toString('utf8')).toBe(`${orders.join('\n')}\n`);
});
