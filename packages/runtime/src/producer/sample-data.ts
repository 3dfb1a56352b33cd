/**
 * Deterministic sample data (same seed, same lines) to push through a pipeline: Apache access
 * log lines (Combined Log Format), Apache 2.4 error log lines and JSON events.
 */

export type SampleKind = 'apache-access' | 'apache-error' | 'json';
export const SAMPLE_KINDS: readonly SampleKind[] = ['apache-access', 'apache-error', 'json'];

/** mulberry32: a tiny, fast, seedable PRNG; good enough for sample data, not for secrets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD'];
const PATHS = [
  '/',
  '/index.html',
  '/api/orders',
  '/api/users/42',
  '/static/app.js',
  '/img/logo.png',
  '/login',
  '/search?q=kinesis',
];
const STATUSES = [200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 403, 404, 500, 503];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  'curl/8.5.0',
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
];
const REFERERS = ['-', 'https://example.com/', 'https://www.google.com/'];
const LEVELS = ['error', 'warn', 'notice', 'info', 'crit'];
const MODULES = ['core', 'ssl', 'proxy', 'authz_core', 'mpm_event'];
const MESSAGES = [
  'AH00128: File does not exist: /var/www/html/favicon.ico',
  'AH01630: client denied by server configuration: /var/www/html/.env',
  'AH00124: Request exceeded the limit of 10 internal redirects',
  'AH00489: Apache/2.4.58 (Unix) configured -- resuming normal operations',
  'AH01909: www.example.com:443:0 server certificate does not include an ID which matches the server name',
];
const EVENT_TYPES = ['page_view', 'click', 'add_to_cart', 'purchase', 'login', 'logout'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export interface SampleGeneratorOptions {
  /** @default 1 */
  readonly seed?: number;
  /** Time of the first line; each line advances it by up to a second. @default 2024-01-01T00:00:00Z */
  readonly startTime?: Date;
}

/** An endless, deterministic generator of sample lines of one kind. */
export function* sampleLines(kind: SampleKind, options: SampleGeneratorOptions = {}): Generator<string> {
  const random = seededRandom(options.seed ?? 1);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  let time = (options.startTime ?? new Date('2024-01-01T00:00:00Z')).getTime();
  for (let i = 0; ; i++) {
    time += Math.floor(random() * 1000);
    const at = new Date(time);
    const ip = `${10 + Math.floor(random() * 200)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
    switch (kind) {
      case 'apache-access':
        yield `${ip} - ${random() < 0.2 ? 'alice' : '-'} [${apacheTime(at)}] "${pick(METHODS)} ${pick(PATHS)} HTTP/1.1" ${pick(STATUSES)} ${Math.floor(random() * 50_000)} "${pick(REFERERS)}" "${pick(AGENTS)}"`;
        break;
      case 'apache-error':
        yield `[${errorTime(at)}] [${pick(MODULES)}:${pick(LEVELS)}] [pid ${1000 + Math.floor(random() * 9000)}:tid ${140000000000000 + Math.floor(random() * 1e9)}] [client ${ip}:${1024 + Math.floor(random() * 60000)}] ${pick(MESSAGES)}`;
        break;
      case 'json':
        yield JSON.stringify({
          eventId: `evt-${(options.seed ?? 1).toString(36)}-${i}`,
          eventType: pick(EVENT_TYPES),
          userId: `user-${Math.floor(random() * 10_000)}`,
          sessionId: Math.floor(random() * 0xffffffff).toString(16),
          amount: Math.round(random() * 50_000) / 100,
          clientIp: ip,
          timestamp: at.toISOString(),
        });
        break;
      default:
        throw new Error(`sample kind must be one of ${SAMPLE_KINDS.join(', ')}. Received ${String(kind)}`);
    }
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 10/Oct/2000:13:55:36 +0000 */
function apacheTime(d: Date): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** Wed Oct 11 14:32:52.123456 2000 */
function errorTime(d: Date): string {
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds() * 1000, 6)} ${d.getUTCFullYear()}`;
}
