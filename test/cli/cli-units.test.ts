import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { resolveAwsSettings } from '../../packages/cli/src/aws-settings';
import type { CliIo } from '../../packages/cli/src/cli-io';
import { Pacer } from '../../packages/cli/src/pacer';
import { formatProgress, ProgressBar } from '../../packages/cli/src/progress-bar';
import { outputValue } from '../../packages/cli/src/stack-outputs';
import { tempDir } from './cli-harness';

function io(env: NodeJS.ProcessEnv, homeDir = tempDir()): CliIo {
  return {
    stdout: { write: () => true },
    stderr: { write: () => true },
    env,
    cwd: homeDir,
    homeDir,
    now: Date.now,
    sleep: async () => undefined,
  };
}

describe('resolveAwsSettings', () => {
  test('environment keys are passed to the clients; an endpoint gets an HTTP/1.1 handler', () => {
    const settings = resolveAwsSettings(
      { endpointUrl: 'http://127.0.0.1:4567/' },
      io({
        AWS_ACCESS_KEY_ID: 'AKID',
        AWS_SECRET_ACCESS_KEY: 's',
        AWS_SESSION_TOKEN: 't',
        AWS_DEFAULT_REGION: 'ap-southeast-2',
      }),
    );
    expect(settings).toMatchObject({
      region: 'ap-southeast-2',
      endpoint: 'http://127.0.0.1:4567',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 's', sessionToken: 't' },
    });
    expect(settings.requestHandler).toBeDefined();
  });

  test.each([
    [{ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' }],
    [{ AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' }],
  ])('container and web-identity credentials count: %p', (env) => {
    const settings = resolveAwsSettings({ region: 'us-west-2' }, io(env));
    expect(settings.region).toBe('us-west-2');
    expect(settings.credentials).toBeUndefined(); // left to the SDK's chain
  });

  test('a profile with role_arn or SSO in ~/.aws/config counts, with its region', () => {
    const home = tempDir();
    fs.mkdirSync(path.join(home, '.aws'));
    fs.writeFileSync(
      path.join(home, '.aws', 'config'),
      '[default]\nregion=eu-west-3\n\n[profile ops]\nrole_arn = arn:aws:iam::1:role/ops\nsource_profile = default\nregion = eu-north-1\n# comment\n[profile sso]\nsso_session = corp\n',
    );
    expect(resolveAwsSettings({ profile: 'ops' }, io({}, home))).toMatchObject({
      region: 'eu-north-1',
      profile: 'ops',
    });
    // a profile's region is its own: no fall-back to [default], as in the SDK
    expect(() => resolveAwsSettings({}, io({ AWS_PROFILE: 'sso' }, home))).toThrow(/missing AWS region.*profile 'sso'/);
    expect(resolveAwsSettings({}, io({ AWS_PROFILE: 'sso', AWS_REGION: 'us-east-2' }, home)).region).toBe('us-east-2');
    // default profile: region but no credentials → still missing credentials
    expect(() => resolveAwsSettings({}, io({}, home))).toThrow(/missing AWS credentials/);
    expect(() => resolveAwsSettings({}, io({}, home))).not.toThrow(/missing AWS region/);
  });

  test('--instance-credentials allows the instance role as the only source', () => {
    expect(resolveAwsSettings({ region: 'us-east-1', instanceCredentials: true }, io({})).region).toBe('us-east-1');
  });
});

describe('progress', () => {
  test('property: the bar is 30 cells, filled in proportion, percent never above 100', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.integer({ min: 1, max: 10_000 }), (done, total) => {
        const line = formatProgress(done, total, 'records', '');
        const bar = /^\[([█░]+)\] +(\d+)% /.exec(line)!;
        expect(bar[1]).toHaveLength(30);
        expect(Number(bar[2])).toBeLessThanOrEqual(100);
        expect([...bar[1]].filter((c) => c === '█')).toHaveLength(Math.round(Math.min(1, done / total) * 30));
      }),
    );
  });

  test('not a terminal: a line at most every 5 s, and always the last one', () => {
    let now = 0;
    const lines: string[] = [];
    const bar = new ProgressBar({ write: (t: string) => lines.push(t) }, 100, () => now);
    for (let i = 1; i <= 100; i++) {
      now += 100; // 10 s in all
      bar.update(i);
    }
    expect(lines).toHaveLength(3); // at 0.1 s, 5.1 s, and the final 100/100
    expect(lines[2]).toMatch(/100% 100\/100 records\n$/);
  });

  test('a terminal: redrawn in place', () => {
    const out: string[] = [];
    const bar = new ProgressBar({ write: (t: string) => out.push(t), isTTY: true }, 2, () => 0);
    bar.update(2);
    bar.done(2);
    expect(out[0].startsWith('\r[')).toBe(true);
    expect(out[0].endsWith('] 100% 2/2 records\u001b[K')).toBe(true);
    expect(out[2]).toBe('\n');
  });

  test('done() draws the final count even when records were not acknowledged and the last line is recent', () => {
    const lines: string[] = [];
    const bar = new ProgressBar({ write: (t: string) => lines.push(t) }, 30, () => 0, 'records acknowledged');
    bar.update(10);
    bar.done(29, 'throttled 0');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/ 96% 29\/30 records acknowledged throttled 0\n$/);
  });
});

test('Pacer: sleeps until each record is due, never when behind', async () => {
  let now = 1000;
  const sleeps: number[] = [];
  const pacer = new Pacer(
    100,
    () => now,
    async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  );
  for (let i = 0; i < 5; i++) await pacer.waitFor(i);
  expect(sleeps).toEqual([10, 10, 10, 10]);
  now += 1000; // fell behind by a second
  await pacer.waitFor(5);
  expect(sleeps).toHaveLength(4);
  expect(pacer.elapsedMillis()).toBe(1040);
});

test('stack outputs: exact keys, or one key with a CDK hash suffix', () => {
  expect(outputValue({ StreamName: 'a' }, 'StreamName')).toBe('a');
  expect(outputValue({ PipelineStreamName1A2B3C4D: 'b' }, 'StreamName')).toBe('b');
  expect(outputValue({ AStreamName1A2B3C4D: 'b', BStreamName5E6F7A8B: 'c' }, 'StreamName')).toBeUndefined();
  // A key belongs to the longest output name it ends with: a StreamingPipeline emits both of these.
  const pipeline = { PipelineStreamName00684A1A: 'stream', PipelineDeliveryStreamName469AAFBE: 'delivery' };
  expect(outputValue(pipeline, 'StreamName')).toBe('stream');
  expect(outputValue(pipeline, 'DeliveryStreamName')).toBe('delivery');
});
