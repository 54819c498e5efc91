/**
 * A record's time as milliseconds since the epoch, for DateTime64(3): what
 * the Native block carries. Read twice per record (the writer's check, then
 * the block), so the form the probe writes, `toISOString()`'s
 * `YYYY-MM-DDTHH:MM:SS.mmmZ`, is read digit by digit (a tenth of
 * Date.parse's cost); any other ISO 8601 time with a zone goes to Date.parse,
 * and so does any value the fast path does not find plainly valid, so that
 * both paths give the same answer. A time without a zone is NaN: Date.parse
 * would read it as local time and ClickHouse as UTC.
 */
const ZONED_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:\d\d)$/;
const SEPARATORS: readonly [number, number][] = [
  [4, 0x2d], // -
  [7, 0x2d],
  [10, 0x54], // T
  [13, 0x3a], // :
  [16, 0x3a],
  [19, 0x2e], // .
  [23, 0x5a], // Z
];
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS[month - 1] ?? 0);
}

/** The canonical form, or undefined when the string is not it or not plainly valid. */
function canonicalMs(ts: string): number | undefined {
  if (ts.length !== 24) return undefined;
  for (const [at, c] of SEPARATORS) if (ts.charCodeAt(at) !== c) return undefined;
  const year = digits(ts, 0, 4);
  const month = digits(ts, 5, 2);
  const day = digits(ts, 8, 2);
  const hour = digits(ts, 11, 2);
  const minute = digits(ts, 14, 2);
  const second = digits(ts, 17, 2);
  const ms = digits(ts, 20, 3);
  // Date.UTC reads years below 100 as 19xx: those, like odd values, go to Date.parse.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

export function recordTimeMs(ts: string): number {
  const fast = canonicalMs(ts);
  if (fast !== undefined) return fast;
  return ZONED_ISO.test(ts) ? Date.parse(ts) : NaN;
}
