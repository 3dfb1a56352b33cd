import { SAMPLE_KINDS, sampleLines } from '../../packages/runtime/src/producer';

const take = (kind: (typeof SAMPLE_KINDS)[number], n: number, seed = 1) => {
  const out: string[] = [];
  for (const line of sampleLines(kind, { seed })) {
    out.push(line);
    if (out.length === n) break;
  }
  return out;
};

// The same shapes the transform engineer's parsers read (Combined Log Format; Apache 2.4 error log).
const COMBINED =
  /^\S+ \S+ \S+ \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "\w+ \S+ HTTP\/1\.1" \d{3} \d+ "[^"]*" "[^"]*"$/;
const ERROR_24 =
  /^\[\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2}\.\d{6} \d{4}\] \[\w+:\w+\] \[pid \d+:tid \d+\] \[client [\d.]+:\d+\] AH\d{5}: .+$/;

test('same seed, same lines; another seed, other lines', () => {
  for (const kind of SAMPLE_KINDS) {
    expect(take(kind, 50, 7)).toEqual(take(kind, 50, 7));
    expect(take(kind, 50, 7)).not.toEqual(take(kind, 50, 8));
  }
});

test('apache-access lines are Combined Log Format', () => {
  for (const line of take('apache-access', 500)) expect(line).toMatch(COMBINED);
});

test('apache-error lines are Apache 2.4 error log lines', () => {
  for (const line of take('apache-error', 500)) expect(line).toMatch(ERROR_24);
});

test('json lines are single-line objects with lowercase-safe keys and increasing timestamps', () => {
  const events = take('json', 500).map((line) => {
    expect(line).not.toContain('\n');
    return JSON.parse(line) as { eventId: string; timestamp: string; userId: string };
  });
  expect(new Set(events.map((e) => e.eventId)).size).toBe(500);
  const times = events.map((e) => Date.parse(e.timestamp));
  expect(times).toEqual([...times].sort((a, b) => a - b));
});

test('unknown kind is rejected with the allowed values', () => {
  expect(() => take('csv' as never, 1)).toThrow(
    /sample kind must be one of apache-access, apache-error, json. Received csv/,
  );
});
