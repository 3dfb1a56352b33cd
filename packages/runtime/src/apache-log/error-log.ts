import { parseErrorTime } from './time';
import type { ErrorLogEntry, ParseResult } from './types';

// [time] [module:level] or [level]
const HEAD = /^\[([^\]]+)\] \[(?:([A-Za-z0-9_]*):)?([a-z]+[0-9]*)\] ?/;
const PID = /^\[pid (\d+)(?::tid (\d+))?\] ?/;
const SOURCE_FILE = /^([\w.-]+\.[ch]\(\d+\)): ?/;
// Apache 2.4's `%E: ` (ErrorLogFormat's default puts it before [client]): '(70007)The timeout specified has expired: '
const APR_STATUS = /^(\(-?\d+\)[^:[\]]*): ?/;
const CLIENT = /^\[client ([^\]\s]+)\] ?/;
const ERROR_CODE = /^(AH\d{5}): ?/;
const REFERER = /, referer: (\S*)$/;

/**
 * Parses one Apache error log line: 2.2 (`[time] [level] [client ip] message`) or 2.4
 * (`[time] [module:level] [pid N:tid N] file.c(N): (70007)APR status: [client ip:port] AHnnnnn: message`,
 * the order of 2.4's default ErrorLogFormat).
 * Never throws.
 */
export function parseErrorLogLine(line: string): ParseResult<ErrorLogEntry> {
  if (typeof line !== 'string') return { ok: false, reason: 'line is not a string', line: String(line) };
  const head = HEAD.exec(line);
  if (!head) return { ok: false, reason: 'not an Apache error log line', line };
  const timestampMillis = parseErrorTime(head[1]);
  if (Number.isNaN(timestampMillis)) return { ok: false, reason: `invalid time [${head[1]}]`, line };
  // 2.4 writes [module:level] and always logs the client port; 2.2 writes [level] and no port.
  const apache24 = head[2] !== undefined;
  let rest = line.slice(head[0].length);

  let pid: number | null = null;
  let tid: number | null = null;
  // Each optional part is tried only when its first character is there (a failing exec costs more).
  const pidMatch = rest.charCodeAt(0) === 91 /* [ */ ? PID.exec(rest) : null;
  if (pidMatch) {
    pid = Number(pidMatch[1]);
    tid = pidMatch[2] !== undefined ? Number(pidMatch[2]) : null;
    rest = rest.slice(pidMatch[0].length);
  }
  let sourceFile: string | null = null;
  const sourceMatch = isWordOrDotOrDash(rest.charCodeAt(0)) ? SOURCE_FILE.exec(rest) : null;
  if (sourceMatch) {
    sourceFile = sourceMatch[1];
    rest = rest.slice(sourceMatch[0].length);
  }
  let aprStatus: string | null = null;
  const aprMatch = rest.charCodeAt(0) === 40 /* ( */ ? APR_STATUS.exec(rest) : null;
  if (aprMatch) {
    aprStatus = aprMatch[1];
    rest = rest.slice(aprMatch[0].length);
  }
  let clientIp: string | null = null;
  let clientPort: number | null = null;
  const clientMatch = rest.charCodeAt(0) === 91 /* [ */ ? CLIENT.exec(rest) : null;
  if (clientMatch) {
    [clientIp, clientPort] = splitClient(clientMatch[1], apache24);
    rest = rest.slice(clientMatch[0].length);
  }
  let errorCode: string | null = null;
  const codeMatch = rest.charCodeAt(0) === 65 /* A */ ? ERROR_CODE.exec(rest) : null;
  if (codeMatch) {
    errorCode = codeMatch[1];
    rest = rest.slice(codeMatch[0].length);
  }
  let referer: string | null = null;
  const refererMatch = rest.includes(', referer: ') ? REFERER.exec(rest) : null;
  if (refererMatch) {
    referer = refererMatch[1] || null;
    rest = rest.slice(0, refererMatch.index);
  }

  return {
    ok: true,
    value: {
      timestampMillis,
      timeLocal: head[1],
      module: head[2] ? head[2] : null,
      level: head[3],
      pid,
      tid,
      connectionId: null,
      sourceFile,
      aprStatus,
      clientIp,
      clientPort,
      server: null,
      request: null,
      method: null,
      path: null,
      query: null,
      protocol: null,
      upstream: null,
      httpHost: null,
      errorCode,
      message: rest.trimEnd(),
      referer,
    },
  };
}

/** [\w.-]: a character SOURCE_FILE can start with. */
function isWordOrDotOrDash(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 95 || // _
    code === 46 || // .
    code === 45 // -
  );
}

function splitClient(client: string, withPort: boolean): [string, number | null] {
  const colon = client.lastIndexOf(':');
  if (colon < 0) return [client, null];
  const ipv6 = client.indexOf(':') !== colon;
  // '1.2.3.4:5' always has a port; '::1:37752' only in 2.4 lines ('::1' alone is an address).
  if (ipv6 && !withPort) return [client, null];
  const port = client.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port)) return [client, null];
  return [client.slice(0, colon), Number(port)];
}
