// `until` parsing and the did-you-mean distance: small pure functions, table-driven.
import { describe, expect, it } from "vitest";
import { parseUntil } from "../src/desired/dates.js";
import { closest, levenshtein } from "../src/desired/suggest.js";

describe("parseUntil", () => {
  it.each([
    ["2026-12-31", "2027-01-01T00:00:00.000Z"],
    ["2024-02-29", "2024-03-01T00:00:00.000Z"],
    ["2026-12-31T18:00", "2026-12-31T18:00:00.000Z"],
    ["2026-12-31T18:00:30Z", "2026-12-31T18:00:30.000Z"],
    ["2026-12-31t18:00:30z", "2026-12-31T18:00:30.000Z"],
    ["2026-12-31 18:00:30.123456+02:00", "2026-12-31T16:00:30.123Z"],
    ["2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00.000Z"],
    ["0099-06-01", "0099-06-02T00:00:00.000Z"],
  ])("%s -> %s", (text, instant) => {
    expect(parseUntil(text)).toEqual({ ok: true, instant });
  });

  it.each([
    ["2026-02-29", "February 2026 has 28 days"],
    ["2026-04-31", "April 2026 has 30 days"],
    ["2026-13-01", "there is no month 13"],
    ["2026-00-10", "there is no month 0"],
    ["2026-01-00", "January 2026 has 31 days"],
    ["2026-01-01T24:00", "there is no hour 24"],
    ["2026-01-01T10:60", "there is no minute 60"],
    ["2026-01-01T10:00:60Z", "there is no second 60"],
    ["2026-01-01T10:00+24:00", "offset is out of range"],
    ["31/12/2026", "must be a date (2026-12-31)"],
    ["2026-1-1", "must be a date"],
    ["tomorrow", "must be a date"],
  ])("%s is refused: %s", (text, message) => {
    const result = parseUntil(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain(message);
  });
});

describe("closest", () => {
  const FLAG_FIELDS = ["name", "description", "stage", "archived", "targeting"];
  it.each([
    ["targetting", "targeting"],
    ["Targeting", "targeting"],
    ["nmae", "name"],
    ["descripton", "description"],
    ["archive", "archived"],
    ["stag", "stage"],
    ["owner", undefined],
    ["x", undefined],
    ["companies-and-users-and-more", undefined],
  ])("%s -> %s", (word, expected) => {
    expect(closest(word, FLAG_FIELDS)).toBe(expected);
  });

  it("suggests companies for company and companys", () => {
    expect(closest("company", ["companies", "users"])).toBe("companies");
    expect(closest("companys", ["companies", "users"])).toBe("companies");
    expect(closest("user", ["companies", "users"])).toBe("users");
  });

  it("counts a swap of neighbours as one edit", () => {
    expect(levenshtein("nmae", "name")).toBe(1);
    expect(levenshtein("kitten", "sitting")).toBe(3);
    expect(levenshtein("", "abc")).toBe(3);
  });
});
