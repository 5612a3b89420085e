// Property: loading never throws, whatever the text or bytes; every diagnostic has a place; a
// result without errors always carries a state.
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { countTargets, validateDocuments } from "../src/desired/index.js";
import type { LoadResult } from "../src/desired/index.js";
import { decodeText } from "../src/desired/read.js";

const NOW = new Date("2026-06-01T12:00:00Z");

function check(result: LoadResult): void {
  for (const d of result.diagnostics) {
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.line >= 1 || (d.line === 0 && d.col === 0)).toBe(true);
    expect(d.col).toBeGreaterThanOrEqual(d.line === 0 ? 0 : 1);
    expect(["error", "warning"]).toContain(d.severity);
  }
  const errors = result.diagnostics.some((d) => d.severity === "error");
  expect(result.state === undefined).toBe(errors);
}

const validate = (...texts: string[]): LoadResult =>
  validateDocuments(
    texts.map((text, i) => ({ file: `f${i}.yaml`, text })),
    { now: NOW },
  );

// Pieces of YAML and of the file format, so that random text often gets past the parser.
const piece = fc.constantFrom(
  "version: 1\n",
  "app: ap1\n",
  "flags:\n",
  "  f:\n",
  "    targeting:\n",
  "      P:\n",
  "        companies: ",
  "        users:\n",
  "          - ",
  "{ id: a, until: 2026-02-30 }",
  "[a, b, a]",
  "environments:\n",
  "  p: P\n",
  "policy: { prune: x }\n",
  "&a ",
  "*a",
  "*b",
  "<<: *a\n",
  "---\n",
  "%YAML 1.1\n",
  "\t",
  "  ",
  "- ",
  ": ",
  "[",
  "]",
  "{",
  "}",
  '"',
  "'",
  "#",
  "\n",
  "~",
  "null",
  "42",
  "007",
  "true",
  "\uFEFF",
  "é",
  "\u0000",
  "!!binary ",
  "? ",
  "|\n",
  ">-\n",
);
const yamlish = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(""));

const target = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.record(
    {
      id: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
      until: fc.oneof(fc.constant("2026-02-30"), fc.constant("2027-01-01"), fc.string()),
    },
    { requiredKeys: ["id"] },
  ),
  fc.integer(),
);
const flagsFile = fc.record(
  {
    version: fc.oneof(fc.constant(1), fc.constant(2), fc.constant("1")),
    app: fc.oneof(fc.constant("ap1"), fc.string({ maxLength: 4 }), fc.integer()),
    environments: fc.dictionary(
      fc.string({ maxLength: 4 }),
      fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null)),
    ),
    policy: fc.record(
      { prune: fc.oneof(fc.boolean(), fc.string()), maxChanges: fc.integer({ min: -2, max: 3 }) },
      { requiredKeys: [] },
    ),
    flags: fc.dictionary(
      fc.string({ maxLength: 6 }),
      fc.record(
        {
          name: fc.string({ maxLength: 4 }),
          stage: fc.string({ maxLength: 4 }),
          archived: fc.oneof(fc.boolean(), fc.string({ maxLength: 3 })),
          description: fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null)),
          targeting: fc.dictionary(
            fc.string({ maxLength: 4 }),
            fc.record(
              { companies: fc.array(target, { maxLength: 4 }), users: fc.array(target, { maxLength: 4 }) },
              { requiredKeys: [] },
            ),
            { maxKeys: 3 },
          ),
        },
        { requiredKeys: [] },
      ),
      { maxKeys: 4 },
    ),
  },
  { requiredKeys: [] },
);

// Well-formed files: ids from a safe alphabet, real dates, each target once per list.
const id = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const day = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const goodTargets = fc.uniqueArray(fc.oneof(id, fc.record({ id, until: day })), {
  selector: (t) => (typeof t === "string" ? t : t.id),
  maxLength: 4,
});
const goodFile = fc.record({
  version: fc.constant(1),
  app: id,
  flags: fc.dictionary(
    id,
    fc.record(
      {
        name: fc.constantFrom("A flag", "Another"),
        stage: fc.constantFrom("Beta", "General availability"),
        archived: fc.boolean(),
        targeting: fc.dictionary(
          fc.constantFrom("Production", "Staging", "enDevelopment"),
          fc.record({ companies: goodTargets, users: goodTargets }),
          {
            maxKeys: 3,
          },
        ),
      },
      { requiredKeys: [] },
    ),
    { maxKeys: 5 },
  ),
});

describe("loading accepts", () => {
  it("every well-formed file, keeping every flag and target", () => {
    fc.assert(
      fc.property(goodFile, (value) => {
        const { state, diagnostics } = validateDocuments([{ file: "f.yaml", text: stringify(value) }], {
          now: new Date("1990-01-01T00:00:00Z"),
        });
        expect(diagnostics).toEqual([]);
        expect(state?.flags.map((f) => f.key)).toEqual(
          Object.keys(value.flags).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        );
        const targets = Object.values(value.flags).flatMap((f) =>
          Object.values(f.targeting ?? {}).flatMap((t) => [...t.companies, ...t.users]),
        );
        expect(state ? countTargets(state) : -1).toBe(targets.length);
        const untilDays = targets.flatMap((t) => (typeof t === "string" ? [] : [t.until]));
        const instants = (state?.flags ?? [])
          .flatMap((f) => f.targeting.flatMap((t) => [...t.companies, ...t.users]))
          .flatMap((t) => (t.until ? [t.until] : []));
        expect(instants.length).toBe(untilDays.length);
        for (const instant of instants) expect(instant).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/);
      }),
      { numRuns: 200 },
    );
  });
});

describe("loading never throws", () => {
  it("on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string(), (text) => check(validate(text))),
      { numRuns: 300 },
    );
  });

  it("on arbitrary Unicode text, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => check(validate(text))),
      { numRuns: 300 },
    );
  });

  it("on YAML-like text made of the format's own pieces", () => {
    fc.assert(
      fc.property(yamlish, yamlish, (a, b) => check(validate(a, b))),
      { numRuns: 500 },
    );
  });

  it("on arbitrary JSON values written as YAML", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => check(validate(stringify(value)))),
      { numRuns: 300 },
    );
  });

  it("on files shaped like the format with random leaves", () => {
    fc.assert(
      fc.property(flagsFile, (value) => check(validate(stringify(value)))),
      { numRuns: 300 },
    );
  });

  it("on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const decoded = decodeText("f.yaml", bytes);
        if (decoded.text !== undefined) check(validate(decoded.text));
        else expect(decoded.diagnostics.some((d) => d.severity === "error")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
