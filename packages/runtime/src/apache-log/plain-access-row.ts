import { isServerName } from './access-log';
import { parseAccessTime } from './time';
import { formatTimestampMillis } from '../firehose-transform/row-coercer';

/**
 * The row of a plain access line's match, ending in `close` (the closing brace, with whatever
 * goes before or after it), or undefined when its time is not a valid time.
 */
export function plainAccessRow(m: RegExpExecArray, close: string): string | undefined {
  const start = accessRowStart(m[4]);
  if (start === undefined) return undefined;
  const ident = m[2];
  let client: string;
  if (ident === '-') client = `,"client_ip":"${m[1]}`;
  // lighttpd's %V (a server name) where Apache logs %l
  else if (isServerName(ident)) client = `,"vhost":"${ident}","client_ip":"${m[1]}`;
  else client = `,"client_ip":"${m[1]}","ident":"${ident}`;
  const user = m[3] === '-' ? '' : `","remote_user":"${m[3]}`;
  const query = m[7] === undefined ? '' : `","query":"${m[7]}`;
  const protocol = m[8] === undefined ? '' : `","protocol":"${m[8]}`;
  const bytes = m[10] === '-' ? '' : `,"bytes":${m[10]}`;
  let end = close;
  const referer = m[11];
  if (referer !== undefined) {
    const agent = m[12];
    if (agent !== '-' && agent !== '') end = `,"user_agent":"${agent}"${end}`;
    if (referer !== '-' && referer !== '') end = `,"referer":"${referer}"${end}`;
  }
  return `${start}${client}${user}","method":"${m[5]}","path":"${m[6]}${query}${protocol}","status":${m[9]}${bytes}${end}`;
}

let lastTimeText = '';
let lastRowStart = '';
// The minute of the last fixed-width %t read in full: its text up to the seconds
// ('dd/Mon/yyyy:HH:MM:'; '' for none), its zone (' +zzzz') and its row start up to the seconds.
let minuteText = '';
let minuteRowStart = '';
// That minute's text and zone as character codes ('dd/Mon/yyyy:HH:MM:' -1 -1 ' +zzzz'; -1: the
// seconds, any), compared with charCodeAt: comparing the sliced minute text (startsWith, or
// charCodeAt on the sliced string) was the scanner's costliest line in the profile, about three times this.
let minuteCodes: number[] = [];
// The row starts of that minute's seconds, made once each (index: the seconds).
let minuteStarts: string[] = [];
const SECONDS: readonly string[] = Array.from({ length: 60 }, (_, i) => `${i}`.padStart(2, '0'));

/** `{"log_type":"access","event_time":"…"` of a `%t`, or undefined when it is not a valid time. */
function accessRowStart(timeText: string): string | undefined {
  // Log lines come in time order: consecutive lines mostly share their second, nearly always
  // their minute.
  if (timeText === lastTimeText) return lastRowStart;
  if (minuteText !== '' && timeText.length === 26 && sameCodesAt(timeText, 0, minuteCodes)) {
    // Another second (00..59) of the same local minute: zones are whole minutes, so it is the
    // same UTC minute too, and only the seconds of the text change ('.000': %t has no fraction).
    const sec = seconds(timeText);
    if (sec >= 0) {
      lastRowStart = `${minuteRowStart}${SECONDS[sec]}.000"`;
      lastTimeText = timeText;
      return lastRowStart;
    }
  }
  const millis = parseAccessTime(timeText);
  if (millis !== millis) return undefined; // NaN: let the general path report it
  lastRowStart = `{"log_type":"access","event_time":"${formatTimestampMillis(millis)}"`;
  lastTimeText = timeText;
  // Remember the minute of a fixed-width time whose seconds did not roll over (00..59).
  if (
    timeText.length === 26 &&
    timeText.charCodeAt(17) === 58 &&
    timeText.charCodeAt(20) === 32 &&
    seconds(timeText) >= 0
  ) {
    minuteText = timeText.slice(0, 18);
    minuteRowStart = lastRowStart.slice(0, -'ss.SSS"'.length);
    minuteStarts = [];
    // A plain loop: Array.from with a callback costs more than the row it saves.
    minuteCodes = [];
    for (let i = 0; i < 26; i++) minuteCodes.push(i === 18 || i === 19 ? -1 : timeText.charCodeAt(i));
  } else {
    minuteText = ''; // none
  }
  return lastRowStart;
}

/** The seconds (00..59) of a fixed-width %t, or -1. */
function seconds(text: string, at = 0): number {
  const a = text.charCodeAt(at + 18) - 48;
  const b = text.charCodeAt(at + 19) - 48;
  return a >= 0 && a <= 5 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

// Printable ASCII without '\': all a plain access line is made of. Run from the line's start, it
// stops at the line's end only when nothing else is in the line (V8 runs a one-class loop natively).
const PRINTABLE_RUN = /[ -[\]-~]*/y;
let scanNext = 0;

// How far the scanner's searches have run past their lines' ends since startPlainAccessScan.
// indexOf cannot be bounded: in a line that lacks what it looks for (a space, a ']', a quote), it
// runs on to the next line that has it, and over a record of such lines (1 MB of 'x' lines, say)
// that cost the rest of the record per line, quadratic in the record's size. Once the searches
// have run past their lines for more than the text's length, its other lines take the general
// path (linear, and writing the same rows): the scanner's extra reading stays within twice the text.
let searchedPastLines = 0;

/** Starts the scan of a text (a record): its searches past line ends are counted from 0. */
export function startPlainAccessScan(): void {
  searchedPastLines = 0;
}

/** Gives up on the line (undefined), charging the search that ran past its end to the text. */
function pastLineEnd(text: string, found: number, lineEnd: number): undefined {
  searchedPastLines += (found < 0 ? text.length : found) - lineEnd;
  return undefined;
}

/** Where the line after the one scanPlainAccessRow last wrote a row for starts. */
export function plainAccessScanNext(): number {
  return scanNext;
}

/** Does `text` hold the characters `codes` at `at` (-1: any character)? */
function sameCodesAt(text: string, at: number, codes: readonly number[]): boolean {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c >= 0 && text.charCodeAt(at + i) !== c) return false;
  }
  return true;
}

/** Is the character code a decimal digit? (NaN, past the text's end, is not.) */
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * plainAccessRow(matchPlainAccessLine(line), close) for the line that starts at `at` in `text`
 * (up to the next LF, without one CR before it), found with indexOf instead of the regex and
 * without cutting the line out: once the line is known to be printable ASCII without '\', the
 * fields of a plain line are delimited by its spaces, brackets and quotes alone, and each check
 * below is the regex's rule for that field (see PLAIN_ACCESS_FIELDS). Undefined when any check
 * fails: the caller then takes the general path, which writes the same row for any line, so the
 * scanner only decides how fast a line is read, never how it is read. A property test holds it
 * to the regex. After a row, plainAccessScanNext() is the next line's start. Call
 * startPlainAccessScan() before the first line of each text.
 */
export function scanPlainAccessRow(text: string, at: number, close: string): string | undefined {
  // A text whose searches have already run past their lines' ends for more than its length
  // takes the general path for the rest of its lines (see searchedPastLines).
  if (searchedPastLines > text.length) return undefined;
  PRINTABLE_RUN.lastIndex = at;
  PRINTABLE_RUN.test(text);
  const e = PRINTABLE_RUN.lastIndex; // the line's end, if the line is plain
  let next: number;
  const c = text.charCodeAt(e);
  if (c === 10) next = e + 1;
  else if (c === 13 && (e + 1 === text.length || text.charCodeAt(e + 1) === 10)) next = e + 2;
  else if (e === text.length) next = e + 1;
  else return undefined;
  // Every position found below must be within the line (a search that ran past its end is
  // charged to the record, see pastLineEnd).
  // %h %l %u: no '"' (q1 below is the first one), no space; %h not '<' (a syslog PRI).
  if (text.charCodeAt(at) === 60) return undefined;
  const s1 = text.indexOf(' ', at);
  if (s1 < 0 || s1 > e) return pastLineEnd(text, s1, e);
  if (s1 === at) return undefined;
  const s2 = text.indexOf(' ', s1 + 1);
  if (s2 < 0 || s2 > e) return pastLineEnd(text, s2, e);
  if (s2 === s1 + 1) return undefined;
  const s3 = text.indexOf(' ', s2 + 1);
  if (s3 < 0 || s3 > e) return pastLineEnd(text, s3, e);
  if (s3 === s2 + 1 || text.charCodeAt(s3 + 1) !== 91) return undefined;
  // [%t] "
  const rb = text.indexOf(']', s3 + 2);
  if (rb < 0 || rb > e) return pastLineEnd(text, rb, e);
  if (rb === s3 + 2 || text.charCodeAt(rb + 1) !== 32) return undefined;
  const q1 = rb + 2;
  // The first '"' of the line: the search stops at q1 at the latest.
  if (text.charCodeAt(q1) !== 34 || text.indexOf('"', at) !== q1) return undefined;
  // METHOD: [A-Z][A-Z0-9_-]*, then one space
  let i = q1 + 1;
  let m = text.charCodeAt(i);
  if (!(m >= 65 && m <= 90)) return undefined;
  for (m = text.charCodeAt(++i); (m >= 65 && m <= 90) || isDigit(m) || m === 95 || m === 45;) m = text.charCodeAt(++i);
  if (m !== 32) return undefined;
  const method = i;
  // target (no space, no '"', not empty), then ` HTTP/d[.d]` or nothing, then '"'
  const t = i + 1;
  const q2 = text.indexOf('"', t);
  if (q2 < 0 || q2 > e) return pastLineEnd(text, q2, e);
  // ...then a space (checked before the search for one in the target, which then stops there)
  if (q2 === t || text.charCodeAt(t) === 32 || text.charCodeAt(q2 + 1) !== 32) return undefined;
  const sp = text.indexOf(' ', t);
  let targetEnd = q2;
  let protocol = '';
  if (sp >= 0 && sp < q2) {
    targetEnd = sp;
    const n = q2 - sp - 1;
    if (
      text.charCodeAt(sp + 1) !== 72 || // HTTP/
      text.charCodeAt(sp + 2) !== 84 ||
      text.charCodeAt(sp + 3) !== 84 ||
      text.charCodeAt(sp + 4) !== 80 ||
      text.charCodeAt(sp + 5) !== 47 ||
      !isDigit(text.charCodeAt(sp + 6)) ||
      !(n === 6 || (n === 8 && text.charCodeAt(sp + 7) === 46 && isDigit(text.charCodeAt(sp + 8))))
    )
      return undefined;
    protocol = `","protocol":"${text.slice(sp + 1, q2)}`;
  }
  // " %>s %b: [1-9]\d\d, then 0, [1-9]\d{0,14} or -
  const st = q2 + 2;
  const s = text.charCodeAt(st);
  if (
    text.charCodeAt(q2 + 1) !== 32 ||
    !(s >= 49 && s <= 57) ||
    !isDigit(text.charCodeAt(st + 1)) ||
    !isDigit(text.charCodeAt(st + 2)) ||
    text.charCodeAt(st + 3) !== 32
  )
    return undefined;
  const b = st + 4;
  let be = b + 1;
  const b0 = text.charCodeAt(b);
  if (b0 >= 49 && b0 <= 57) {
    while (isDigit(text.charCodeAt(be))) be++;
    if (be - b > 15) return undefined;
  } else if (b0 !== 48 && b0 !== 45) return undefined;
  // nothing more, or ` "referer" "user agent"` (no '"' inside)
  let end = close;
  if (be !== e) {
    if (text.charCodeAt(be) !== 32 || text.charCodeAt(be + 1) !== 34) return undefined;
    const q3 = text.indexOf('"', be + 2);
    if (q3 < 0 || q3 > e) return pastLineEnd(text, q3, e);
    if (text.charCodeAt(q3 + 1) !== 32 || text.charCodeAt(q3 + 2) !== 34) return undefined;
    const q4 = text.indexOf('"', q3 + 3);
    if (q4 < 0 || q4 > e) return pastLineEnd(text, q4, e);
    if (q4 + 1 !== e) return undefined;
    if (!(q4 === q3 + 3 || (q4 === q3 + 4 && text.charCodeAt(q3 + 3) === 45)))
      end = `,"user_agent":"${text.slice(q3 + 3, q4)}"${end}`;
    if (!(q3 === be + 2 || (q3 === be + 3 && text.charCodeAt(be + 2) === 45)))
      end = `,"referer":"${text.slice(be + 2, q3)}"${end}`;
  }
  // The time last: its cache then only ever holds times of rows written.
  // A second of the minute accessRowStart last read in full is looked up where it stands in the
  // text, without cutting it out (the same test and row start as accessRowStart's).
  const ts = s3 + 2;
  let start: string | undefined;
  if (rb - ts === 26 && minuteText !== '' && sameCodesAt(text, ts, minuteCodes)) {
    const sec = seconds(text, ts);
    if (sec >= 0) start = minuteStarts[sec] ??= `${minuteRowStart}${SECONDS[sec]}.000"`;
  }
  if (start === undefined) start = accessRowStart(text.slice(ts, rb));
  if (start === undefined) return undefined;
  let client: string;
  if (s2 === s1 + 2 && text.charCodeAt(s1 + 1) === 45) client = `,"client_ip":"${text.slice(at, s1)}`;
  else {
    const ident = text.slice(s1 + 1, s2);
    // lighttpd's %V (a server name) where Apache logs %l
    if (isServerName(ident)) client = `,"vhost":"${ident}","client_ip":"${text.slice(at, s1)}`;
    else client = `,"client_ip":"${text.slice(at, s1)}","ident":"${ident}`;
  }
  const user = s3 === s2 + 2 && text.charCodeAt(s2 + 1) === 45 ? '' : `","remote_user":"${text.slice(s2 + 1, s3)}`;
  // Searched in the target alone: indexOf in the text would run on to the record's end.
  const target = text.slice(t, targetEnd);
  const qm = target.indexOf('?');
  const path = qm < 0 ? target : `${target.slice(0, qm)}","query":"${target.slice(qm + 1)}`;
  const bytes = b0 === 45 ? '' : `,"bytes":${text.slice(b, be)}`;
  scanNext = next;
  return `${start}${client}${user}","method":"${text.slice(q1 + 1, method)}","path":"${path}${protocol}","status":${text.slice(st, st + 3)}${bytes}${end}`;
}
