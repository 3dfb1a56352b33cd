const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const ACCESS_TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? ([+-])(\d{2})(\d{2})$/;

let lastAccessText = '';
let lastAccessMillis = NaN;

/** `%t` of an access log ('17/May/2015:10:05:03 +0000') as epoch millis, or NaN. */
export function parseAccessTime(text: string): number {
  // Consecutive lines mostly share their second.
  if (text === lastAccessText) return lastAccessMillis;
  lastAccessMillis = parseAccessTimeUncached(text);
  lastAccessText = text;
  return lastAccessMillis;
}

let lastDayText = '';
let lastDayMillis = NaN;

function parseAccessTimeUncached(text: string): number {
  // Fast path for the fixed-width 'dd/Mon/yyyy:HH:MM:SS +zzzz' (26 characters): read the digits
  // directly and the date once per day; anything else takes the regex below.
  if (text.length === 26 && text.charCodeAt(2) === 47 && text.charCodeAt(11) === 58 && text.charCodeAt(20) === 32) {
    const dayText = text.slice(0, 11);
    if (dayText !== lastDayText) {
      lastDayText = dayText;
      lastDayMillis = parseAccessTimeSlow(`${dayText}:00:00:00 +0000`);
    }
    const h = digits2(text, 12);
    const m = digits2(text, 15);
    const sec = digits2(text, 18);
    const zh = digits2(text, 22);
    const zm = digits2(text, 24);
    const sign = text.charCodeAt(21);
    if (!Number.isNaN(lastDayMillis) && h <= 23 && m <= 59 && sec <= 60 && zm <= 59 && (sign === 43 || sign === 45)) {
      const offset = (zh * 60 + zm) * 60_000 * (sign === 45 ? -1 : 1);
      return lastDayMillis + ((h * 60 + m) * 60 + sec) * 1000 - offset;
    }
  }
  return parseAccessTimeSlow(text);
}

/** Two decimal digits at `at`, or 99 (out of every range) when they are not digits. */
function digits2(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : 99;
}

function parseAccessTimeSlow(text: string): number {
  const m = ACCESS_TIME.exec(text);
  if (!m) return NaN;
  const month = MONTHS[m[2]];
  if (month === undefined) return NaN;
  const local = utcMillis(+m[3], month, +m[1], +m[4], +m[5], +m[6], m[7]);
  const offsetMinutes = (+m[9] * 60 + +m[10]) * (m[8] === '-' ? -1 : 1);
  return local - offsetMinutes * 60_000;
}

const ERROR_TIME = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (\d{4})$/;

/** Error-log time ('Mon Dec 26 16:22:08 2016', microseconds optional) as epoch millis (UTC), or NaN. */
export function parseErrorTime(text: string): number {
  const m = ERROR_TIME.exec(text);
  if (!m) return NaN;
  const month = MONTHS[m[1]];
  if (month === undefined) return NaN;
  return utcMillis(+m[7], month, +m[2], +m[3], +m[4], +m[5], m[6]);
}

function utcMillis(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string | undefined,
): number {
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return NaN;
  const millis = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  const value = Date.UTC(year, month, day, hour, minute, second, millis);
  // Date.UTC rolls 31/Feb over to March: reject instead of shifting the date.
  return new Date(value).getUTCDate() === day ? value : NaN;
}
