import { daysFromCivil, daysInMonth } from '../firehose-transform/civil-date';

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

/** The month names, without the inherited properties of an object literal. */
const MONTHS_BY_NAME = new Map(Object.entries(MONTHS));

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

// The 11-character 'dd/Mon/yyyy:' of the last day read (never a prefix of a time before it is set).
let lastDayText = '\uffff';
let lastDayMillis = NaN;

function parseAccessTimeUncached(text: string): number {
  // Fast path for the fixed-width 'dd/Mon/yyyy:HH:MM:SS +zzzz' (26 characters): read the digits
  // directly and the date once per day; anything else (and anything it rejects) takes the regex
  // below, so both accept exactly the same texts.
  if (
    text.length === 26 &&
    text.charCodeAt(2) === 47 &&
    text.charCodeAt(6) === 47 &&
    text.charCodeAt(11) === 58 &&
    text.charCodeAt(14) === 58 &&
    text.charCodeAt(17) === 58 &&
    text.charCodeAt(20) === 32
  ) {
    if (!text.startsWith(lastDayText)) {
      lastDayText = text.slice(0, 11);
      const month = MONTHS_BY_NAME.get(text.slice(3, 6));
      const year = digits2(text, 7) * 100 + digits2(text, 9); // NaN unless 4 digits
      const day = digits2(text, 0);
      lastDayMillis =
        month === undefined || !(year >= 0) || !(day >= 0) ? NaN : utcMillis(year, month, day, 0, 0, 0, undefined);
    }
    const h = digits2(text, 12);
    const m = digits2(text, 15);
    const sec = digits2(text, 18);
    const zh = digits2(text, 22);
    const zm = digits2(text, 24);
    const sign = text.charCodeAt(21);
    const timeOfDay = ((h * 60 + m) * 60 + sec) * 1000;
    // A NaN (not two digits) fails every comparison. 23:59:60 would roll over into the next day:
    // the regex path rejects it, as Date.UTC does.
    if (
      !Number.isNaN(lastDayMillis) &&
      zh >= 0 &&
      h <= 23 &&
      m <= 59 &&
      sec <= 60 &&
      timeOfDay < 86_400_000 &&
      zm <= 59 &&
      (sign === 43 || sign === 45)
    ) {
      const offset = (zh * 60 + zm) * 60_000 * (sign === 45 ? -1 : 1);
      return lastDayMillis + timeOfDay - offset;
    }
  }
  return parseAccessTimeSlow(text);
}

/** Two decimal digits at `at`, or NaN when they are not digits (NaN fails every range check). */
function digits2(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
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

// The day of the last error-log time read by the fast path: its 'Www Mmm dd ' and ' yyyy' (never
// the start and end of a time before they are set), and that day's midnight (NaN: not a day).
let errorDayStart = '\uffff';
let errorDayEnd = '\uffff';
let errorDayMillis = NaN;

/** Error-log time ('Mon Dec 26 16:22:08 2016', microseconds optional) as epoch millis (UTC), or NaN. */
export function parseErrorTime(text: string): number {
  // Fast path for 'Www Mmm dd HH:MM:SS[.f] yyyy' with a two-character day ('26' or ' 6'): the
  // day is read once (by the regex path, on its midnight), the time of day from the digits;
  // anything it rejects takes the regex path, so both accept exactly the same texts.
  const n = text.length;
  if ((n === 24 || (n >= 26 && n <= 31)) && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58) {
    if (!(text.startsWith(errorDayStart) && text.endsWith(errorDayEnd))) {
      errorDayStart = text.slice(0, 11);
      errorDayEnd = text.slice(n - 5);
      errorDayMillis = parseErrorTimeSlow(`${errorDayStart}00:00:00${errorDayEnd}`);
    }
    const h = digits2(text, 11);
    const m = digits2(text, 14);
    const sec = digits2(text, 17);
    // Milliseconds: the fraction's first three digits, padded: what Math.floor(Number(`0.${f}`) * 1000)
    // gives for every fraction of 1 to 6 digits (checked for all of them).
    let millis = 0;
    let valid = n === 24 ? text.charCodeAt(19) === 32 : text.charCodeAt(19) === 46;
    for (let i = 20, scale = 100; valid && i < n - 5; i++, scale /= 10) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) valid = false;
      else if (scale >= 1) millis += d * scale;
    }
    const timeOfDay = ((h * 60 + m) * 60 + sec) * 1000 + millis;
    // A NaN (not two digits) fails every comparison; 23:59:60 would roll over into the next day.
    if (valid && !Number.isNaN(errorDayMillis) && h <= 23 && m <= 59 && sec <= 60 && timeOfDay < 86_400_000) {
      return errorDayMillis + timeOfDay;
    }
  }
  return parseErrorTimeSlow(text);
}

function parseErrorTimeSlow(text: string): number {
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
  if (year < 100) {
    // Date.UTC reads years 0..99 as 1900..1999: keep its reading for such (odd) logs.
    const value = Date.UTC(year, month, day, hour, minute, second, millis);
    return new Date(value).getUTCDate() === day ? value : NaN;
  }
  // What Date.UTC computes, without Date objects. Date.UTC rolls 31/Feb over to March and
  // 23:59:60 over to the next day: reject those instead of shifting the date.
  const timeOfDay = ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  if (day > daysInMonth(year, month + 1) || timeOfDay >= 86_400_000) return NaN;
  return daysFromCivil(year, month + 1, day) * 86_400_000 + timeOfDay;
}
