import fc from 'fast-check';
import {
  createApacheLogTransform,
  parseWebLogLine,
  plainAccessLineJson,
  toWebLogJson,
  toWebLogRow,
  WEB_LOG_COLUMNS,
} from '../../packages/runtime/src/apache-log';
import { matchPlainAccessLine } from '../../packages/runtime/src/apache-log/access-log';
import {
  plainAccessRow,
  plainAccessScanNext,
  scanPlainAccessRow,
  startPlainAccessScan,
} from '../../packages/runtime/src/apache-log/plain-access-row';
import { compileRowCoercer, processFirehoseRecords } from '../../packages/runtime/src/firehose-transform';
import { handler } from '../../lambda/reference-transform';
import { listFixtures, loadLogLines, loadSampleEvent } from '../support/fixtures';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const rowsOf = (data: string) =>
  Buffer.from(data, 'base64')
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const apacheFiles = listFixtures('logs').filter((f) => !/SOURCES|sshd|pf-|pfsense|syslog|ssl-request/.test(f));

function eventOfLines(lines: string[]) {
  return {
    invocationId: 'inv',
    records: lines.map((line, i) => ({
      recordId: `r${i}`,
      approximateArrivalTimestamp: 1700000000000,
      data: b64(line),
    })),
  };
}

/** A line's row as the general parser writes it, one line of newline-delimited JSON. */
const generalRowLine = (line: string) => `${toWebLogJson(parseWebLogLine(line))}\n`;

describe('the reference transform on the real Apache logs', () => {
  test('every access and error line becomes one typed row; nothing fails', async () => {
    const lines = apacheFiles.flatMap((f) => loadLogLines(f));
    expect(lines.length).toBeGreaterThan(1500);
    const report = await processFirehoseRecords(eventOfLines(lines), createApacheLogTransform(), {
      columns: WEB_LOG_COLUMNS,
    });
    expect(report.failures).toEqual([]);
    expect(report.counts.ok).toBe(lines.length);
    const rows = report.response.records.flatMap((r) => rowsOf(r.data));
    expect(rows.filter((r) => r.log_type === 'unparsed').map((r) => r.message)).toEqual([
      // malformed lines (ident or user missing) are kept, not lost
      '192.168.1.1 - [08/Jun/2020:08:04:43 +0000] "GET /api/test HTTP/1.1" 200 100 "-" "curl/7.68.0"',
      // the continuation lines of a multi-line nginx error (a record is split at newlines)
      expect.stringMatching(/^PHP message: PHP Warning: {2}Declaration of FEE_Field_Tags/),
      expect.stringMatching(/^PHP message: PHP Warning: {2}Declaration of FEE_Field_Category/),
      '192.168.202.254 [20/Jul/2009:22:59:29 +0000] "GET /vmw/vSphere/default/vmkboot.gz HTTP/1.0" 404 46210 "-" "gPXE/0.9.7"',
    ]);
    // keys are columns, in column order; null columns are left out (the SerDes read them as NULL)
    const names = WEB_LOG_COLUMNS.map((c) => c.name);
    for (const row of rows) expect(names.filter((n) => n in row)).toEqual(Object.keys(row));
    // 49 Apache error-log lines + 3 in mixed access logs + 14 nginx error lines
    expect(rows.filter((r) => r.log_type === 'error').length).toBe(66);
  });

  test('a Combined line becomes the expected row', async () => {
    const [line] = loadLogLines('google__mtail__internal__mtail__testdata__apache-combined.log');
    const report = await processFirehoseRecords(eventOfLines([line]), createApacheLogTransform(), {
      columns: WEB_LOG_COLUMNS,
    });
    expect(rowsOf(report.response.records[0].data)[0]).toEqual({
      log_type: 'access',
      event_time: '2018-03-23 12:31:01.000',
      client_ip: '192.168.1.23',
      method: 'GET',
      path: '/api/config',
      status: 200,
      bytes: 28,
      referer: 'https://fubarservice.example.com/',
      user_agent: 'libcurl',
      protocol: 'HTTP/1.1',
    });
  });

  test('several lines in one record (CRLF and blank lines too) become several rows', async () => {
    const lines = loadLogLines('tstack__lnav__test__logfile_access_log.0');
    const report = await processFirehoseRecords(
      { invocationId: 'i', records: [{ recordId: 'x', data: b64(`${lines.join('\r\n')}\r\n\r\n`) }] },
      createApacheLogTransform(),
      { columns: WEB_LOG_COLUMNS },
    );
    expect(rowsOf(report.response.records[0].data).map((r) => r.status)).toEqual([200, 404, 200]);
  });

  test('filter and enrich hooks', async () => {
    const lines = loadLogLines('elastic__beats__filebeat__module__apache__access__test__test.log');
    const transform = createApacheLogTransform({
      filter: (l) => l.type === 'access' && (l.entry.status ?? 0) >= 400,
      enrich: (row, l) => ({ ...row, is_bot: l.type === 'access' && /bot|curl/i.test(l.entry.userAgent ?? '') }),
    });
    const report = await processFirehoseRecords(eventOfLines(lines), transform, {
      columns: [...WEB_LOG_COLUMNS, { name: 'is_bot', type: 'boolean' }],
    });
    const results = report.response.records.map((r) => r.result);
    expect(results.filter((r) => r === 'Ok')).toHaveLength(lines.filter((l) => / (4\d\d|5\d\d) /.test(l)).length);
    expect(results).toContain('Dropped');
    const rows = report.response.records.filter((r) => r.result === 'Ok').flatMap((r) => rowsOf(r.data));
    expect(rows.every((r) => (r.status as number) >= 400 && r.is_bot === false)).toBe(true);
  });

  test("unparsedLines: 'fail' sends the record to the error prefix; 'drop' leaves the line out", async () => {
    const lines = loadLogLines('crowdsecurity__hub__.tests__sshd-logs__sshd-logs.log').slice(0, 2);
    const failed = await processFirehoseRecords(
      eventOfLines(lines),
      createApacheLogTransform({ unparsedLines: 'fail' }),
    );
    expect(failed.response.records.map((r) => r.result)).toEqual(['ProcessingFailed', 'ProcessingFailed']);
    expect(failed.failures[0].reason).toMatch(/^unparsed line: syslog message of sshd: not an access line/);
    expect(failed.failures[0].reason).toMatch(/\(line 1 of the record\)$/);
    expect(failed.failures[0].reason).not.toContain(lines[0].slice(0, 40));
    const dropped = await processFirehoseRecords(
      eventOfLines(lines),
      createApacheLogTransform({ unparsedLines: 'drop' }),
    );
    expect(dropped.response.records.map((r) => r.result)).toEqual(['Dropped', 'Dropped']);
  });

  test('the direct JSON writer equals coercing the row, on every real line', () => {
    const coercer = compileRowCoercer(WEB_LOG_COLUMNS, { omitNulls: true });
    const full = compileRowCoercer(WEB_LOG_COLUMNS);
    const lines = [
      ...apacheFiles.flatMap((f) => loadLogLines(f)),
      ...loadLogLines('crowdsecurity__hub__.tests__sshd-logs__sshd-logs.log'),
    ];
    for (const line of lines) {
      const parsed = parseWebLogLine(line);
      const direct = toWebLogJson(parsed);
      expect(direct).toBe(coercer.toJson(toWebLogRow(parsed)));
      // and it holds the same values as the full row with explicit nulls
      expect({ ...Object.fromEntries(WEB_LOG_COLUMNS.map((c) => [c.name, null])), ...JSON.parse(direct) }).toEqual(
        JSON.parse(full.toJson(toWebLogRow(parsed))),
      );
    }
  });

  test('the plain-line fast path equals the general path, on every real line and on generated ones', () => {
    const general = (line: string) => toWebLogJson(parseWebLogLine(line));
    let fast = 0;
    for (const line of apacheFiles.flatMap((f) => loadLogLines(f))) {
      const json = plainAccessLineJson(line);
      if (json === undefined) continue;
      fast++;
      expect(json).toBe(general(line));
    }
    expect(fast).toBeGreaterThan(1400); // most real lines take the fast path
    let generatedFast = 0;
    const weird = fc.string({
      unit: fc.constantFrom('a', 'Z', '-', '"', '\\', ' ', '\u00e9', '\ud83d', '/', '?', '%', '\x01'),
    });
    const plain = fc.string({ unit: fc.constantFrom('a', 'Z', '-', '/', '?', '%', '.', '(', ';') });
    const field = fc.oneof({ weight: 3, arbitrary: plain }, { weight: 1, arbitrary: weird });
    fc.assert(
      fc.property(
        fc.constantFrom('', 'vh.example ', 'vh:443 '),
        fc.oneof(fc.ipV4(), fc.ipV6(), field),
        fc.constantFrom('-', 'id7', 'www.example.org', '10.0.0.1'), // %l, or lighttpd's %V
        fc.constantFrom('-', 'frank'),
        fc.oneof(field, fc.constant('GET /a?b=1 HTTP/1.1'), fc.constant('-'), fc.constant('POST  /x')),
        fc.option(fc.tuple(field, field), { nil: undefined }),
        fc.constantFrom('', ' 1234', ' "-"', ' "1.2.3.4, 10.0.0.1"', ' 7 "r@docker" "http://10.0.0.2:80" 12ms'),
        (vhost, host, ident, user, request, combined, trailing) => {
          const esc = (x: string) => x.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
          const quoted = combined ? ` "${esc(combined[0])}" "${esc(combined[1])}"` : '';
          const line = `${vhost}${host} ${ident} ${user} [10/Oct/2000:13:55:36 -0700] "${esc(request)}" 200 2326${quoted}${trailing}`;
          const json = plainAccessLineJson(line);
          if (json !== undefined) {
            generatedFast++;
            expect(json).toBe(general(line));
          }
          // and the general writer always equals coercing the row
          const parsed = parseWebLogLine(line);
          expect(general(line)).toBe(
            compileRowCoercer(WEB_LOG_COLUMNS, { omitNulls: true }).toJson(toWebLogRow(parsed)),
          );
          JSON.parse(general(line));
        },
      ),
      // Fixed seed: the count below is then deterministic.
      { numRuns: 400, seed: 20261122 },
    );
    expect(generatedFast).toBeGreaterThan(3);
  });

  test.each([
    [
      'a byte count beyond 2^53 (the general path writes it as a JavaScript number)',
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 12345678901234567',
    ],
    [
      'an RFC 5424 syslog header that looks like a host',
      '<34>1 - - [10/Oct/2000:13:55:36 -0700] "GET - HTTP/1.1" 200 1',
    ],
  ])('the fast path leaves to the general path %s', (_, line) => {
    const general = toWebLogJson(parseWebLogLine(line));
    expect(plainAccessLineJson(line) ?? general).toBe(general);
  });

  test("the indexOf scanner writes the regex match's row or leaves the line to the general path, on real and mutated lines", () => {
    // What the transform does with the regex alone: the row and where the next line starts.
    // The line is cut out as the transform's general path cuts it: up to the next LF, without
    // one CR before it.
    const byRegex = (text: string, at: number) => {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      const line = text.slice(at, end > at && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      const m = matchPlainAccessLine(line);
      const row = m === null ? undefined : plainAccessRow(m, '}\n');
      return row === undefined ? undefined : { row, next: end + 1 };
    };
    const check = (text: string, at: number): boolean => {
      startPlainAccessScan();
      const row = scanPlainAccessRow(text, at, '}\n');
      const expected = byRegex(text, at);
      if (row === undefined) {
        // Only lines outside the plain shape are left to the general path.
        expect(expected).toBeUndefined();
        return false;
      }
      expect({ row, next: plainAccessScanNext() }).toEqual(expected);
      return true;
    };
    const real = apacheFiles.flatMap((f) => loadLogLines(f));
    expect(real.filter((line) => check(line, 0)).length).toBeGreaterThan(1400);
    let scanned = 0;
    // Mostly the values a plain line has, sometimes one it cannot have.
    const pick = (plain: string[], odd: string[]) =>
      fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...plain) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
    const piece = fc.constantFrom(
      ...'"[] \\-?0129AZaz:/.<\t\r\n\u00e9\x7f'.split(''),
      '"-"',
      'HTTP/1.1',
      'HTTP/2',
      '  ',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...real),
          fc
            .tuple(
              pick(['1.2.3.4', '::1', 'h'], ['<3>', '1.2"3', '']),
              pick(['-', 'id', 'www.example.org', '1:2'], ['', 'a"b']),
              pick(['-', 'frank', '--'], ['', 'a]b']),
              pick(
                ['10/Oct/2000:13:55:36 -0700', '10/Oct/2000:13:55:37 -0700', '10/Oct/2000:13:55:60 -0700'],
                ['1/Oct/2000:13:55:36 +0000', 'x"', ''],
              ),
              pick(['GET', 'M-S_1', 'G'], ['get', '', 'G.T']),
              pick(['/a', '/a?b=1?c', '?', '/', '/a?'], ['/a b', '', 'a"b']),
              pick(
                [' HTTP/1.1', ' HTTP/2', ''],
                [' HTTP/1.', ' HTTP/10', ' HTTP/1x1', ' HTTP/1.1 ', ' http/1.1', ' HTTPS1.1'],
              ),
              pick(['200', '404', '999'], ['099', '20', '2000', '-', '2x0']),
              pick(['0', '-', '123456789012345', '42'], ['01', '1234567890123456', '', '1-']),
              pick(
                ['', ' "-" "-"', ' "" ""', ' "http://r/ x" "Mozilla/5.0 (X)"'],
                [' "-"', ' "a" "b" 12', ' "a"  "b"', ' "a" "b', '"a" "b"'],
              ),
            )
            .map(
              ([h, l, u, t, method, target, protocol, status, bytes, tail]) =>
                `${h} ${l} ${u} [${t}] "${method} ${target}${protocol}" ${status} ${bytes}${tail}`,
            ),
        ),
        // mutations: delete, insert or replace a piece at a position
        fc.oneof(
          { weight: 2, arbitrary: fc.constant([]) },
          {
            weight: 1,
            arbitrary: fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 1, 2), piece), { minLength: 1, maxLength: 3 }),
          },
        ),
        fc.constantFrom('', 'x\n', '\r\n'),
        fc.constantFrom('', '\n', '\r\n', '\r', '\rx', '\n1.2.3.4 - - [x] "GET / HTTP/1.1" 200 1'),
        (base, mutations, before, after) => {
          let line = base;
          for (const [n, op, p] of mutations) {
            const i = n % (line.length + 1);
            line = line.slice(0, i) + (op === 0 ? '' : p) + line.slice(op === 1 ? i : i + 1);
          }
          if (check(`${before}${line}${after}`, before.length)) scanned++;
        },
      ),
      { numRuns: 3000, seed: 20261202 },
    );
    expect(scanned).toBeGreaterThan(300);
  });

  test('a record of lines that lack what the scanner searches for (quadratic before) leaves the scanner once its searches ran past their lines for more than the record, and keeps every row', () => {
    // 'x' lines have no space: the search for one runs on to the plain line at the record's end,
    // once per line, which made the scan quadratic in the record's size ('a b c [x' lines: the ']').
    const plain = '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 1';
    for (const hostile of ['x', 'a b c [x']) {
      const text = `${`${hostile}\n`.repeat(1000)}${plain}\n`;
      startPlainAccessScan();
      for (let at = 0; at < text.length - plain.length - 1; at += hostile.length + 1) {
        expect(scanPlainAccessRow(text, at, '}\n')).toBeUndefined();
      }
      // Its searches ran past their lines for more than the record: the plain line is left to the
      // general path, which writes the same row; in a record of its own the scanner reads it.
      expect(scanPlainAccessRow(text, text.length - plain.length - 1, '}\n')).toBeUndefined();
      startPlainAccessScan();
      expect(scanPlainAccessRow(text, text.length - plain.length - 1, '}\n')).toBe(`${plainAccessLineJson(plain)}\n`);
      const outcome = createApacheLogTransform()(text, { recordId: 'r', data: '' }) as { json?: string };
      expect(outcome.json).toBe(text.split('\n').slice(0, -1).map(generalRowLine).join(''));
    }
  });

  test('times within one minute (read once per minute) give the rows the general path gives', () => {
    const transform = createApacheLogTransform();
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('31/Dec/2016:23:59:', '01/Jan/2017:00:00:', '29/Feb/2016:12:07:', '29/Feb/2017:12:07:'),
            fc.constantFrom('00', '07', '59', '60', '6x', '99'),
            fc.constantFrom(' +0000', ' -0130', ' +1400', ' +ab00'),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (times) => {
          const lines = times.map(
            ([minute, sec, zone]) => `1.2.3.4 - - [${minute}${sec}${zone}] "GET / HTTP/1.1" 200 1`,
          );
          const outcome = transform(`${lines.join('\n')}\n`, { recordId: 'r', data: '' }) as { json?: string };
          expect(outcome.json).toBe(lines.map(generalRowLine).join(''));
        },
      ),
      { numRuns: 300, seed: 20261202 },
    );
  });

  test('a record of many lines gives the rows of its lines one by one (the fast path reads lines in place)', () => {
    const real = apacheFiles.flatMap((f) => loadLogLines(f));
    const transform = createApacheLogTransform();
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(fc.constantFrom(...real), fc.constant(''), fc.constant('  '), fc.constant('x')),
            fc.constantFrom('\n', '\r\n', '\r\r\n', '\n\n', '\r'),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        fc.boolean(),
        (parts, trailing) => {
          let text = parts.map(([line, sep]) => line + sep).join('');
          if (!trailing) text = text.slice(0, -parts[parts.length - 1][1].length);
          // The transform's split: LF ends a line, one CR before it is dropped, blank lines are skipped.
          let expected = '';
          for (const piece of text.split('\n')) {
            const line = piece.endsWith('\r') ? piece.slice(0, -1) : piece;
            if (line.trim().length === 0 && (line.length === 0 || /^\s/.test(line))) continue;
            expected += generalRowLine(line);
          }
          const outcome = transform(text, { recordId: 'r', data: '' }) as { result: string; json?: string };
          expect(outcome.result === 'Ok' ? outcome.json : '').toBe(expected);
        },
      ),
      { numRuns: 300, seed: 20261202 },
    );
  });

  test('the request line is kept raw only when it is not exactly METHOD target[ PROTOCOL], and is otherwise rebuilt exactly', () => {
    let kept = 0;
    for (const line of apacheFiles.flatMap((f) => loadLogLines(f))) {
      const parsed = parseWebLogLine(line);
      if (parsed.type === 'unparsed') continue;
      const row = toWebLogRow(parsed);
      const request = parsed.entry.request;
      const rebuilt =
        row.method === null
          ? null
          : `${row.method} ${row.path}${row.query === null ? '' : `?${row.query}`}${row.protocol === null ? '' : ` ${row.protocol}`}`;
      if (rebuilt === request) {
        expect(row.request).toBeNull();
      } else {
        expect(row.request).toBe(request);
        if (request !== null) kept++;
      }
    }
    expect(kept).toBeGreaterThan(10); // TLS probes, '-' requests, double spaces
  });

  test('the web-log columns are all valid and coerce a parsed row', () => {
    const coercer = compileRowCoercer(WEB_LOG_COLUMNS);
    const parsed = parseWebLogLine(loadLogLines('elastic__beats__filebeat__module__apache__error__test__test.log')[2]);
    expect(parsed.type).toBe('error');
    expect(coercer.coerce({ log_type: 'error', tid: 4328636416, pid: 35708 })).toMatchObject({ tid: 4328636416 });
  });
});

describe('the reference-transform handler', () => {
  test('answers the AWS sample event (non-log payloads become unparsed rows)', async () => {
    const event = loadSampleEvent<{ records: { recordId: string }[] }>(
      'aws-lambda-go__events-testdata__kinesis-firehose-event.json',
    );
    const response = await handler(event as never);
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      ['record1', 'Ok'],
      ['record2', 'Ok'],
    ]);
    expect(rowsOf(response.records[0].data)[0]).toMatchObject({ log_type: 'unparsed', message: 'Hello World' });
  });
});
