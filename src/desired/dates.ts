// `until` of a time-bound target: a date or a date-time, to the instant it stops being desired.

const UNTIL =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})(?:[Tt ](?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2})(?<fraction>\.\d{1,9})?)?(?:[Zz]|(?<sign>[+-])(?<offHour>\d{2}):(?<offMinute>\d{2}))?)?$/;

const MONTHS = "January February March April May June July August September October November December".split(
  " ",
);

export type UntilResult = { ok: true; instant: string } | { ok: false; message: string };

/**
 * "2026-12-31" -> 2027-01-01T00:00:00.000Z (a date lasts through that whole UTC day);
 * "2026-12-31T18:00" -> 2026-12-31T18:00:00.000Z (UTC unless an offset is given).
 */
export function parseUntil(text: string): UntilResult {
  const groups = UNTIL.exec(text)?.groups;
  if (!groups) {
    const message = `must be a date (2026-12-31) or a date-time (2026-12-31T18:00:00Z), not ${JSON.stringify(text)}`;
    return { ok: false, message };
  }
  const n = (name: keyof Parts): number => Number(groups[name] ?? 0);
  const parts: Parts = {
    year: n("year"),
    month: n("month"),
    day: n("day"),
    hour: n("hour"),
    minute: n("minute"),
    second: n("second"),
    offHour: n("offHour"),
    offMinute: n("offMinute"),
  };
  const dateOnly = groups.hour === undefined;
  const problem = impossible(parts);
  if (problem) {
    return {
      ok: false,
      message: `${JSON.stringify(text)} is not a real ${dateOnly ? "date" : "date-time"}: ${problem}`,
    };
  }
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not turn years 0-99 into 1900-1999.
  date.setUTCFullYear(parts.year, parts.month - 1, dateOnly ? parts.day + 1 : parts.day);
  date.setUTCHours(
    parts.hour,
    parts.minute,
    parts.second,
    Number((groups.fraction ?? ".0").slice(1, 4).padEnd(3, "0")),
  );
  const offsetMinutes = (groups.sign === "-" ? -1 : 1) * (parts.offHour * 60 + parts.offMinute);
  return { ok: true, instant: new Date(date.getTime() - offsetMinutes * 60_000).toISOString() };
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  offHour: number;
  offMinute: number;
}

function impossible({
  year,
  month,
  day,
  hour,
  minute,
  second,
  offHour,
  offMinute,
}: Parts): string | undefined {
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
