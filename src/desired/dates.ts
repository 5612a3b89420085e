// `until` of a time-bound target: a date or a date-time, to the instant it stops being desired.

const UNTIL =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))?)?$/;

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export type UntilResult = { ok: true; instant: string } | { ok: false; message: string };

/**
 * "2026-12-31" -> 2027-01-01T00:00:00.000Z (a date lasts through that whole UTC day);
 * "2026-12-31T18:00" -> 2026-12-31T18:00:00.000Z (UTC unless an offset is given).
 */
export function parseUntil(text: string): UntilResult {
  const m = UNTIL.exec(text);
  if (!m) return { ok: false, message: `must be a date (2026-12-31) or a date-time (2026-12-31T18:00:00Z), not ${JSON.stringify(text)}` };
  const [year, month, day, hour, minute, second, offHour, offMinute] = [1, 2, 3, 4, 5, 6, 10, 11].map((i) => Number(m[i] ?? 0)) as [
    number, number, number, number, number, number, number, number,
  ];
  const problem = impossible(year, month, day, hour, minute, second, offHour, offMinute);
  if (problem) return { ok: false, message: `${JSON.stringify(text)} is not a real ${m[4] === undefined ? "date" : "date-time"}: ${problem}` };
  const millis = Number((m[7] ?? ".0").slice(1, 4).padEnd(3, "0"));
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, m[4] === undefined ? day + 1 : day);
  date.setUTCHours(hour, minute, second, millis);
  const offset = (m[9] === "-" ? -1 : 1) * (offHour * 60 + offMinute);
  return { ok: true, instant: new Date(date.getTime() - offset * 60_000).toISOString() };
}

function impossible(
  year: number, month: number, day: number, hour: number, minute: number, second: number, offHour: number, offMinute: number,
): string | undefined {
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  if (hour > 23) return `there is no hour ${hour} (use 00-23)`;
  if (minute > 59) return `there is no minute ${minute}`;
  if (second > 59) return `there is no second ${second}`;
  if (offHour > 23 || offMinute > 59) return "the UTC offset is out of range";
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 31;
}
