/**
 * Issue 16, fix 5: real-world web log formats parse into the right columns, field by field.
 *
 * web-log-golden.json holds the expected row of every line of the fixtures below (nulls left
 * out, event_time as ISO-8601). Each row was checked by hand against its line; the rows are a
 * reviewed record, not output to regenerate. The Common/Combined corpus (1,300+ lines) is checked
 * instead against an independent, deliberately simple reading of the format (see `oracle`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createApacheLogTransform,
  parseWebLogLine,
  toWebLogRow,
  WEB_LOG_COLUMNS,
} from '../../packages/runtime/src/apache-log';
import { processFirehoseRecords } from '../../packages/runtime/src/firehose-transform';
import { listFixtures, loadLogLines } from '../support/fixtures';

const GOLDEN = JSON.parse(fs.readFileSync(path.join(__dirname, 'web-log-golden.json'), 'utf8')) as Record<
  string,
  Record<string, unknown>[]
>;

/** The fixtures of each format named in the issue. */
const FORMATS: Record<string, string[]> = {
  'nginx combined with forwarded-for (before the client, or "$http_x_forwarded_for" after the user agent)': [
    'elastic__beats__filebeat__module__nginx__access__test__test.log',
    'crowdsecurity__hub__.tests__nginx_http-logs__nginx_http-logs.log',
  ],
  'Traefik CLF (router, backend, duration)': [
    'crowdsecurity__hub__.tests__traefik_clf__traefik_clf.log',
    'elastic__beats__filebeat__module__traefik__access__test__test.log',
  ],
  'access lines in RFC 3164 syslog headers': [
    'crowdsecurity__hub__.tests__http-wordpress_wpconfig__http-wordpress_wpconfig.log',
  ],
  'nginx error log (also in an RFC 5424 header)': [
    'elastic__beats__filebeat__module__nginx__error__test__error.log',
    'crowdsecurity__hub__.tests__nginx_req_limit_exceeded__nginx_req_limit_exceeded.log',
    'crowdsecurity__hub__.tests__pfsense-rfc5424-nginx__pfsense-rfc5424-nginx.log',
  ],
  'double space in the request line': ['crowdsecurity__hub__.tests__nextcloud-whitelist__nextcloud-whitelist.log'],
  'Apache 2.4 error log (APR status before [client], module, pid:tid, AH code)': [
    'crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log',
    'elastic__beats__filebeat__module__apache__error__test__test.log',
    'elastic__beats__filebeat__module__apache__error__test__sublevel.log',
    'crowdsecurity__hub__.tests__apache-cve-2021-41773__apache-cve-2021-41773.log',
  ],
  'Apache custom formats (%v:%p, bare integers, an empty forwarded-for after the user agent)': [
    'tstack__lnav__test__logfile_regexp_access_log.0',
    'google__mtail__internal__mtail__testdata__apache-common.log',
    'elastic__beats__filebeat__module__apache__access__test__test.log',
  ],
};

/** A row as the golden file writes it. */
function normal(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value === null || value === undefined || key === 'parse_error') continue;
    out[key] = key === 'event_time' ? new Date(value as number).toISOString() : value;
  }
  return out;
}

describe('every line of each format becomes the reviewed row, field for field', () => {
  test('the golden file covers exactly the files named here', () => {
    expect(Object.keys(GOLDEN).sort()).toEqual(Object.values(FORMATS).flat().sort());
  });

  describe.each(Object.entries(FORMATS))('%s', (_format, files) => {
    test.each(files)('%s', (file) => {
      const lines = loadLogLines(file);
      expect(lines.map((line) => normal(toWebLogRow(parseWebLogLine(line))))).toEqual(GOLDEN[file]);
    });
  });

  test('the rows the golden file holds for the issue’s examples', () => {
    const row = (file: string, index: number) => GOLDEN[file][index];
    // nginx: "$proxy_add_x_forwarded_for": the list, then the client
    expect(row('elastic__beats__filebeat__module__nginx__access__test__test.log', 0)).toMatchObject({
      client_ip: '127.0.0.1',
      forwarded_for: '10.0.0.2, 10.0.0.1',
    });
    // Traefik: router, backend and duration reach the row
    expect(row('crowdsecurity__hub__.tests__traefik_clf__traefik_clf.log', 5)).toMatchObject({
      router: 'test@docker -> leaf@docker',
      upstream: 'http://172.17.0.3:80',
      duration_micros: 42_000,
    });
    // Apache 2.4: the APR status before [client] no longer hides the client and the AH code
    expect(row('crowdsecurity__hub__.tests__apache2-logs__apache2-logs.log', 8)).toMatchObject({
      apr_status: '(70014)End of file found',
      client_ip: '192.168.1.1',
      client_port: 17036,
      error_code: 'AH02006',
    });
    // `Jul  8 11:07:07 host nginx[2869]: <CLF>`
    expect(row('crowdsecurity__hub__.tests__http-wordpress_wpconfig__http-wordpress_wpconfig.log', 0)).toMatchObject({
      log_type: 'access',
      syslog_host: 'ip-172-31-43-28.us-east-2.compute.internal',
      syslog_program: 'nginx',
      pid: 2869,
      path: '/wp-config.php',
    });
    // a double space: method and path are filled, and the raw line is kept since it is not rebuilt exactly
    expect(row('crowdsecurity__hub__.tests__nextcloud-whitelist__nextcloud-whitelist.log', 7)).toMatchObject({
      method: 'GET',
      path: '/apps/mail/api/messages/12345/itineraries',
      protocol: 'HTTP/2.0',
      request: 'GET /apps/mail/api/messages/12345/itineraries  HTTP/2.0',
    });
    // nginx error: client, server, request, host, referrer
    expect(row('elastic__beats__filebeat__module__nginx__error__test__error.log', 0)).toMatchObject({
      log_type: 'error',
      level: 'error',
      pid: 54053,
      tid: 0,
      connection_id: 1,
      client_ip: '127.0.0.1',
      vhost: 'localhost',
      path: '/favicon.ico',
      http_host: 'localhost:8080',
      referer: 'http://localhost:8080/',
    });
  });
});

describe('the issue’s formats where the corpus has no sample (lines written to each server’s documented format)', () => {
  const row = (line: string) => normal(toWebLogRow(parseWebLogLine(line)));

  test('lighttpd\'s default accesslog.format \'%h %V %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"\'', () => {
    // The server name (here an address) is the vhost, not the identd field; referer and user agent stay.
    expect(
      row(
        '203.0.113.9 192.0.2.10 - [01/Jan/2024:12:00:00 +0000] "GET /index.html HTTP/1.1" 200 512 "https://example.org/" "curl/8.5.0"',
      ),
    ).toEqual({
      log_type: 'access',
      event_time: '2024-01-01T12:00:00.000Z',
      vhost: '192.0.2.10',
      client_ip: '203.0.113.9',
      method: 'GET',
      path: '/index.html',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 512,
      referer: 'https://example.org/',
      user_agent: 'curl/8.5.0',
    });
  });

  test('integers after the byte count are not read as a duration; referer and user agent stay', () => {
    // e.g. lighttpd '... %b %I %O "%{Referer}i" ...' (bytes in and out)
    expect(
      row(
        '203.0.113.9 www.example.org - [01/Jan/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 512 301 913 "-" "curl/8.5.0"',
      ),
    ).toMatchObject({ vhost: 'www.example.org', bytes: 512, extra: '301 913', user_agent: 'curl/8.5.0' });
  });

  test('nginx main format with "$http_x_forwarded_for", and Apache "%{X-Forwarded-For}i" after the user agent', () => {
    const line =
      '10.0.0.5 - - [01/Jan/2024:12:00:00 +0000] "GET /api HTTP/1.1" 200 17 "-" "ELB-HealthChecker/2.0" "198.51.100.7, 10.0.0.1"';
    expect(row(line)).toMatchObject({ client_ip: '10.0.0.5', forwarded_for: '198.51.100.7, 10.0.0.1' });
    expect(row(line).extra).toBeUndefined();
    // something else quoted after the user agent is kept, not called a forwarded-for
    expect(row(line.replace('"198.51.100.7, 10.0.0.1"', '"session=abc def"'))).toMatchObject({
      extra: '"session=abc def"',
    });
  });

  test('RFC 5424 and RFC 3164 with a priority', () => {
    const clf = '198.51.100.7 - - [01/Jan/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0"';
    expect(row(`<190>1 2024-01-01T12:00:00.000Z web-1 nginx 2869 - [meta sequenceId="7"] ${clf}`)).toMatchObject({
      log_type: 'access',
      client_ip: '198.51.100.7',
      syslog_host: 'web-1',
      syslog_program: 'nginx',
      pid: 2869,
    });
    expect(row(`<190>Jan  1 12:00:00 web-1 nginx: ${clf}`)).toMatchObject({
      log_type: 'access',
      syslog_host: 'web-1',
      syslog_program: 'nginx',
    });
    // a syslog line that is not a web log line stays whole
    expect(row('<13>Jan  1 12:00:00 web-1 sshd[9]: Accepted publickey for x')).toMatchObject({
      log_type: 'unparsed',
      message: '<13>Jan  1 12:00:00 web-1 sshd[9]: Accepted publickey for x',
    });
  });

  test("Apache 2.4's default ErrorLogFormat: '%7F: %E: [client\\ %a] %M% ,\\ referer\\ %{Referer}i'", () => {
    expect(
      row(
        '[Thu Mar 25 18:53:07.457268 2021] [proxy_fcgi:error] [pid 13295:tid 140] (70007)The timeout specified has expired: [client 192.0.2.1:54684] AH01075: Error dispatching request to : (polling), referer: https://example.org/',
      ),
    ).toEqual({
      log_type: 'error',
      event_time: '2021-03-25T18:53:07.457Z',
      client_ip: '192.0.2.1',
      client_port: 54684,
      referer: 'https://example.org/',
      level: 'error',
      module: 'proxy_fcgi',
      pid: 13295,
      tid: 140,
      apr_status: '(70007)The timeout specified has expired',
      error_code: 'AH01075',
      message: 'Error dispatching request to : (polling)',
    });
  });
});

describe('Common and Combined lines against an independent reading', () => {
  /**
   * A deliberately plain reading of `%h %l %u [%t] "%r" %>s %b[ "%{Referer}i" "%{User-agent}i"]`,
   * written without the parser's code: split at the brackets and quotes of a well-formed line.
   */
  const ORACLE =
    /^(\S+) (\S+) (\S+) \[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\] "(\S+) (\S+) (HTTP\/[\d.]+)" (\d{3}) (\d+|-)(?: "([^"]*)" "([^"]*)")?$/;
  const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
  function oracle(line: string): Record<string, unknown> | undefined {
    const m = line.includes('\\') ? null : ORACLE.exec(line); // escapes are the parser's business
    if (!m) return undefined;
    const zone = (Number(m[10].slice(1, 3)) * 60 + Number(m[10].slice(3))) * (m[10][0] === '-' ? -1 : 1);
    const utc = Date.UTC(+m[6], MONTHS.indexOf(m[5]) / 3, +m[4], +m[7], +m[8], +m[9]) - zone * 60_000;
    const [p, ...q] = m[12].split('?');
    const out: Record<string, unknown> = {
      log_type: 'access',
      event_time: new Date(utc).toISOString(),
      client_ip: m[1],
      ident: m[2],
      remote_user: m[3],
      method: m[11],
      path: p,
      query: q.length ? q.join('?') : undefined,
      protocol: m[13],
      status: Number(m[14]),
      bytes: m[15] === '-' ? undefined : Number(m[15]),
      referer: m[16],
      user_agent: m[17],
    };
    for (const key of Object.keys(out))
      if (out[key] === undefined || out[key] === '-' || out[key] === '') delete out[key];
    return out;
  }

  test('every line both read agrees on every field', () => {
    const files = listFixtures('logs').filter((f) =>
      /apache_logs|apache-http-probing|sensitive-files|CVE-|netgear|zoneminder|mtail__testdata__apache-combined|logfile_access_log/.test(
        f,
      ),
    );
    let compared = 0;
    for (const file of files) {
      for (const line of loadLogLines(file)) {
        const expected = oracle(line);
        if (expected === undefined) continue;
        compared++;
        expect({ line, row: normal(toWebLogRow(parseWebLogLine(line))) }).toEqual({ line, row: expected });
      }
    }
    expect(compared).toBeGreaterThan(1400);
  });
});

describe('the reference transform writes the new columns', () => {
  test('rows of every format carry only known columns, in column order', async () => {
    const lines = Object.values(FORMATS)
      .flat()
      .flatMap((f) => loadLogLines(f));
    const report = await processFirehoseRecords(
      {
        invocationId: 'i',
        records: lines.map((l, i) => ({ recordId: `r${i}`, data: Buffer.from(l).toString('base64') })),
      },
      createApacheLogTransform(),
      { columns: WEB_LOG_COLUMNS },
    );
    expect(report.failures).toEqual([]);
    const names = WEB_LOG_COLUMNS.map((c) => c.name);
    for (const r of report.response.records) {
      const row = JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')) as Record<string, unknown>;
      expect(names.filter((n) => n in row)).toEqual(Object.keys(row));
    }
  });
});
