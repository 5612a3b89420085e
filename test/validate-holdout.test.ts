// Broken files as people write them, each with the line and column a careful reader would point
// at. Found by writing a hold-out set before fixing: the parser reports where it gave up (an
// unclosed quote at the end of the file), so these pin the report to where the mistake is.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesired } from "../src/desired/index.js";
import { formatDiagnostic } from "../src/desired/model.js";
import type { Diagnostic } from "../src/desired/model.js";
import { runCli, tempDir } from "./support/cli.js";

const NOW = new Date("2026-06-01T12:00:00Z");

const yaml = (...lines: string[]): string => `${lines.join("\n")}\n`;
const HEAD = ["version: 1", "app: ap123456789"];
/** HEAD, then flag dark-mode in Production (lines 3-6): what is given starts at line 7. */
const inProduction = (...lines: string[]): string =>
  yaml(...HEAD, "flags:", "  dark-mode:", "    targeting:", "      Production:", ...lines);

interface Expected {
  line: number;
  col: number;
  code: string;
  message: string;
  file?: string;
}

interface Case {
  name: string;
  files: Record<string, string | Uint8Array> | string | Uint8Array;
  /** Every error reported, in order; nothing else may be. */
  errors: Expected[];
}

const CASES: Case[] = [
  // Quotes and brackets left open: at the opening, not where the parser gave up.
  {
    name: "unclosed double quote",
    files: yaml(...HEAD, 'changeDescription: "Synced from git', "flags: {}"),
    errors: [{ line: 3, col: 20, code: "yaml-syntax", message: 'the " opened here is never closed' }],
  },
  {
    name: "unclosed single quote inside a flow list",
    files: inProduction("        companies: ['acme-corp, globex]", "        users: [u1]"),
    errors: [{ line: 7, col: 21, code: "yaml-syntax", message: "the ' opened here is never closed" }],
  },
  {
    name: "unclosed quote inside a flow map",
    files: yaml(...HEAD, "flags:", '  x: {name: "a}', "  y: {}"),
    errors: [{ line: 4, col: 13, code: "yaml-syntax", message: 'the " opened here is never closed' }],
  },
  {
    name: "unclosed flow list, the next line a key",
    files: inProduction("        companies: [acme-corp, globex", "        users: [u1]"),
    errors: [{ line: 7, col: 20, code: "yaml-syntax", message: "the '[' opened here is never closed" }],
  },
  {
    name: "unclosed flow list at the end of the file",
    files: yaml(...HEAD, "notifications: [slack"),
    errors: [{ line: 3, col: 16, code: "yaml-syntax", message: "end the list with ']'" }],
  },
  {
    name: "unclosed time-bound target",
    files: inProduction(
      "        users:",
      "          - { id: user-1, until: 2027-01-01",
      "          - user-2",
    ),
    errors: [{ line: 8, col: 13, code: "yaml-syntax", message: "the '{' opened here is never closed" }],
  },
  {
    name: "a whole file in flow style, never closed",
    files: yaml("{version: 1, app: ap1", "flags: {}"),
    errors: [{ line: 1, col: 1, code: "yaml-syntax", message: "end the map with '}'" }],
  },
  {
    name: "a flow list closed on a line indented too little",
    files: inProduction("        companies: [a,", "  b]"),
    errors: [{ line: 8, col: 3, code: "yaml-syntax", message: "this line continues the [ ] list above it" }],
  },
  {
    name: "one ']' too many",
    files: inProduction("        companies: [acme-corp]]"),
    errors: [{ line: 7, col: 31, code: "yaml-syntax", message: "this ']' closes nothing" }],
  },
  {
    name: "text after a closing bracket",
    files: inProduction("        companies: [acme-corp] extra"),
    errors: [
      { line: 7, col: 32, code: "yaml-syntax", message: "unexpected text 'extra' after the closing ']'" },
    ],
  },
  {
    name: "an apostrophe inside single quotes",
    files: yaml(...HEAD, "changeDescription: 'it's fine'"),
    errors: [{ line: 3, col: 24, code: "yaml-syntax", message: "inside '...' write '' for an apostrophe" }],
  },
  {
    name: "a comma missing at the end of a line, in a flow map",
    files: yaml(...HEAD, "flags:", "  x: {stage: Beta", "      archived: true}"),
    errors: [{ line: 4, col: 14, code: "yaml-syntax", message: "missing ',' after 'Beta'" }],
  },
  {
    name: "a comma missing between two entries on one line",
    files: inProduction("        users: [{id: a until: 2027-01-01}]"),
    errors: [{ line: 7, col: 22, code: "yaml-syntax", message: "is a ',' missing" }],
  },
  // Indentation and colons.
  {
    name: "a key indented between two levels",
    files: yaml(...HEAD, "flags:", "  dark-mode:", "    stage: Beta", "   archived: true"),
    errors: [
      {
        line: 6,
        col: 4,
        code: "yaml-syntax",
        message: "'archived' is indented 3 spaces, but the keys above it are indented 4, 2 or 0",
      },
    ],
  },
  {
    name: "a key indented between two levels, CRLF line endings",
    files: yaml(...HEAD, "flags:", "  dark-mode:", "    stage: Beta", "   archived: true").replace(
      /\n/g,
      "\r\n",
    ),
    errors: [{ line: 6, col: 4, code: "yaml-syntax", message: "'archived' is indented 3 spaces" }],
  },
  {
    name: "a key indented under a plain value",
    files: yaml(...HEAD, "flags:", "  dark-mode:", "    stage: Beta", "      archived: true"),
    errors: [
      {
        line: 6,
        col: 7,
        code: "yaml-syntax",
        message: "'archived' is indented deeper than 'stage' above it, whose value 'Beta' cannot hold keys",
      },
    ],
  },
  {
    name: "a key without its colon",
    files: yaml(...HEAD, "flags:", "  dark-mode", "    stage: Beta"),
    errors: [{ line: 4, col: 3, code: "yaml-syntax", message: "'dark-mode' has no ':' after it" }],
  },
  {
    name: "a top-level key without its colon",
    files: yaml("version: 1", "app ap123456789", "flags: {}"),
    errors: [{ line: 2, col: 1, code: "yaml-syntax", message: "\"app ap123456789\" has no ':' after it" }],
  },
  {
    name: "no space after the colon",
    files: yaml(...HEAD, "flags:", "  dark-mode:", "    stage:Beta", "    archived: true"),
    errors: [{ line: 5, col: 5, code: "yaml-syntax", message: "needs a space after ':'" }],
  },
  {
    name: "': ' inside a plain value",
    files: yaml(...HEAD, "flags:", "  x:", "    description: Note: this is new"),
    errors: [{ line: 5, col: 18, code: "yaml-syntax", message: "put the whole value in quotes" }],
  },
  {
    name: "a stray '-' among the keys of a map",
    files: yaml(...HEAD, "flags:", "  dark-mode:", "    stage: Beta", "    -", "    archived: true"),
    errors: [
      { line: 6, col: 5, code: "yaml-syntax", message: "a list item ('- ') where a key (key: value)" },
    ],
  },
  {
    name: "a key among the items of a list",
    files: inProduction("        companies:", "          - acme-corp", "          globex: true"),
    errors: [
      {
        line: 9,
        col: 11,
        code: "yaml-syntax",
        message: "'globex' stands among the items of the list above (line 8)",
      },
    ],
  },
  {
    name: "a tab in the indentation, and nothing else about it",
    files: inProduction("        companies:", "\t\t  - acme-corp"),
    errors: [{ line: 8, col: 1, code: "yaml-tab-indent", message: "YAML indents with spaces only" }],
  },
  {
    name: "a list as a key",
    files: yaml(...HEAD, "flags:", "  [a, b]: {}"),
    errors: [{ line: 4, col: 3, code: "yaml-syntax", message: "a key must be text, not a list or a map" }],
  },
  {
    name: "a directive after the content",
    files: yaml(...HEAD, "%YAML 1.2", "flags: {}"),
    errors: [{ line: 3, col: 1, code: "yaml-syntax", message: "directive indicator" }],
  },
  {
    name: "a list item indented under the one above: one id in YAML",
    files: inProduction("        companies:", "          - acme-corp", "            - globex"),
    errors: [
      {
        line: 9,
        col: 13,
        code: "run-on-value",
        message: 'company id "acme-corp - globex" runs on into line 9',
      },
    ],
  },
  {
    name: "an app id continued on the next line",
    files: yaml("version: 1", "app: ap1", "  ap2"),
    errors: [{ line: 3, col: 3, code: "run-on-value", message: 'app id "ap1 ap2" runs on into line 3' }],
  },
  {
    name: "target lists indented like environments",
    files: yaml(...HEAD, "flags:", "  x:", "    targeting:", "      Production:", "      companies: [acme]"),
    errors: [
      { line: 6, col: 7, code: "wrong-type", message: "environment 'Production' of flag 'x' has no value" },
      {
        line: 7,
        col: 7,
        code: "wrong-type",
        message: "('companies' belongs under an environment: indent it",
      },
    ],
  },
  {
    name: "flag fields indented like flags",
    files: yaml(...HEAD, "flags:", "  x:", "  stage: Beta"),
    errors: [
      { line: 4, col: 3, code: "wrong-type", message: "flag 'x' has no value" },
      { line: 5, col: 3, code: "wrong-type", message: "('stage' is a flag field: indent it under its flag)" },
    ],
  },
  {
    name: "CR-only line endings count as lines",
    files: "version: 1\rapp: ap1\rflags:\r  x:\r    archived: 3\r",
    errors: [
      { line: 5, col: 15, code: "wrong-type", message: "'archived' of flag 'x' must be true or false" },
    ],
  },
  {
    name: "a time-bound target's until between two columns",
    files: inProduction("        users:", "          - id: u1", "           until: 2027-01-01"),
    errors: [
      {
        line: 9,
        col: 12,
        code: "yaml-syntax",
        message: "'until' is indented 11 spaces, but the keys above it are indented 12, 10, 8, 6, 4, 2 or 0",
      },
    ],
  },
  {
    name: "a stray space before the first key",
    files: yaml(" version: 1", "app: ap1", "flags: {}"),
    errors: [{ line: 1, col: 2, code: "yaml-syntax", message: "the first line is indented 1 space" }],
  },
  {
    name: "a top-level key less indented than the ones above",
    files: yaml("  version: 1", "  app: ap1", "flags: {}"),
    errors: [
      {
        line: 3,
        col: 1,
        code: "yaml-syntax",
        message: "'flags' is indented 0 spaces, but the keys above it are indented 2",
      },
    ],
  },
  // Encodings: a place, not just the file.
  {
    name: "a NUL byte in a comment",
    files: yaml(...HEAD, "flags: {}", "# a comment\u0000 here"),
    errors: [{ line: 4, col: 12, code: "binary-file", message: "the file contains a NUL byte" }],
  },
  {
    name: "UTF-16 without a byte order mark",
    files: Buffer.from(yaml(...HEAD), "utf16le"),
    errors: [{ line: 1, col: 1, code: "not-utf8", message: "UTF-16" }],
  },
  {
    name: "a byte order mark in the middle of the file",
    files: yaml(...HEAD, "\uFEFFflags: {}"),
    errors: [
      { line: 3, col: 1, code: "unknown-key", message: 'unknown key "\\uFEFFflags" at the top level' },
    ],
  },
  {
    name: "a zero-width space in an id",
    files: inProduction("        companies: [acme\u200Bcorp]"),
    errors: [
      {
        line: 7,
        col: 21,
        code: "id-invisible-character",
        message: 'company id "acme\\u200Bcorp" contains an invisible character (U+200B)',
      },
    ],
  },
  // Schema: the key for a missing value, the alias for a wrong one.
  {
    name: "a single file without app",
    files: yaml("# flags", "version: 1", "flags:", "  dark-mode: {}"),
    errors: [{ line: 2, col: 1, code: "missing-app", message: "no 'app' given" }],
  },
  {
    name: "version with no value",
    files: yaml("version:", "app: ap1"),
    errors: [{ line: 1, col: 1, code: "invalid-value", message: "'version' must be 1, not nothing (null)" }],
  },
  {
    name: "version 1.5",
    files: yaml("version: 1.5", "app: ap1"),
    errors: [{ line: 1, col: 10, code: "invalid-value", message: "'version' must be 1, not the number 1.5" }],
  },
  {
    name: "a target list with no value",
    files: inProduction("        companies:", "        users: [u1]"),
    errors: [
      {
        line: 7,
        col: 9,
        code: "wrong-type",
        message: "'companies' of flag 'dark-mode' in 'Production' has no value",
      },
    ],
  },
  {
    name: "until with no value",
    files: inProduction("        users:", "          - { id: u1, until: }"),
    errors: [{ line: 8, col: 23, code: "wrong-type", message: "'until' of a target" }],
  },
  {
    name: "an alias of the wrong type",
    files: yaml(
      ...HEAD,
      "anchors:",
      "  t: &t {companies: [a]}",
      "flags:",
      "  x:",
      "    targeting:",
      "      P:",
      "        companies: *t",
    ),
    errors: [
      {
        line: 9,
        col: 20,
        code: "wrong-type",
        message: "'companies' of flag 'x' in 'P' must be a list, not a map",
      },
    ],
  },
  {
    name: "a bad item inside an anchored list",
    files: yaml(
      ...HEAD,
      "anchors:",
      "  t: &t [a, 42]",
      "flags:",
      "  x:",
      "    targeting:",
      "      P:",
      "        companies: *t",
    ),
    errors: [{ line: 4, col: 13, code: "wrong-type", message: 'not the number 42: quote it ("42")' }],
  },
  {
    name: "an environment written as a list of ids",
    files: yaml(...HEAD, "flags:", "  dark-mode:", "    targeting:", "      Production: [acme-corp]"),
    errors: [
      {
        line: 6,
        col: 19,
        code: "wrong-type",
        message: "(write 'companies: [...]' and 'users: [...]' under it)",
      },
    ],
  },
  {
    name: "companies as one id, not a list",
    files: inProduction("        companies: acme-corp"),
    errors: [{ line: 7, col: 20, code: "wrong-type", message: "write [acme-corp] for a list of one" }],
  },
  {
    name: "a list item without a space after its dash",
    files: inProduction("        companies:", "          -acme-corp"),
    errors: [
      {
        line: 8,
        col: 11,
        code: "wrong-type",
        message: "a list item needs a space after '-' (\"- acme-corp\")",
      },
    ],
  },
  // Rules.
  {
    name: "a repeated target whose copies disagree on until",
    files: inProduction(
      "        users:",
      "          - { id: user-1, until: 2027-01-01 }",
      "          - user-2",
      "          - { id: user-1, until: 2027-02-01 }",
    ),
    errors: [{ line: 10, col: 19, code: "duplicate-target", message: "user 'user-1' is listed twice" }],
  },
  {
    name: "a target both time-bound and not",
    files: inProduction(
      "        users:",
      "          - user-1",
      "          - { id: user-1, until: 2027-01-01 }",
    ),
    errors: [
      {
        line: 9,
        col: 19,
        code: "duplicate-target",
        message: "(first at line 8, without until there and until 2027-01-01 here)",
      },
    ],
  },
  {
    name: "an alias of an alias",
    files: yaml(...HEAD, "environments:", "  prod: Production", "  p: prod"),
    errors: [
      {
        line: 5,
        col: 6,
        code: "alias-shadows",
        message:
          "alias 'p' names 'prod', which is an alias itself (line 4): an alias must name an environment; write \"p: Production\"",
      },
    ],
  },
  {
    name: "an alias inside its own anchor",
    files: yaml(...HEAD, "anchors: &loop", "  x: *loop"),
    errors: [
      { line: 4, col: 6, code: "yaml-alias-limit", message: "alias *loop is inside its own anchor &loop" },
    ],
  },
  {
    name: "no app in a directory of files",
    files: { "a.yaml": yaml("version: 1", "flags: {}"), "b.yaml": yaml("version: 1") },
    errors: [{ file: "a.yaml", line: 1, col: 1, code: "missing-app", message: "no 'app' given" }],
  },
];

/** Tricky files that are valid: they must load without any diagnostic. */
const VALID: [string, string | Uint8Array][] = [
  [
    "anchors reused across environments",
    yaml(
      ...HEAD,
      "anchors:",
      "  testers: &testers [user-1, user-2]",
      "  prod-targets: &prod-targets",
      "    companies: [acme-corp]",
      "    users: *testers",
      "flags:",
      "  a:",
      "    targeting:",
      "      Production: *prod-targets",
      "      Staging: *prod-targets",
      "  b:",
      "    targeting:",
      "      Production: { users: *testers }",
    ),
  ],
  [
    "CRLF line endings and comments",
    inProduction(
      "        companies: [acme-corp] # trailing",
      "        users:",
      "          - { id: u1, until: 2999-01-01 }",
    ).replace(/\n/g, "\r\n"),
  ],
  ["CR-only line endings", "version: 1\rapp: ap1\rflags:\r  x:\r    targeting:\r      P: {users: [u]}\r"],
  [
    "comments everywhere",
    yaml(
      "# top",
      "version: 1 # v",
      "app: ap123456789 # app",
      "flags: # flags",
      "  dark-mode: # flag",
      "    targeting: # t",
      "      Production: # env",
      "        users: [ # open",
      "          user-1, # one",
      "          # between",
      "          user-2 # two",
      "        ] # close",
      "# end",
    ),
  ],
  [
    "quoted keys",
    yaml(
      '"version": 1',
      "'app': \"ap1\"",
      '"flags":',
      '  "dark-mode":',
      "    'targeting':",
      '      "P": {"companies": [a]}',
    ),
  ],
  [
    "flow style",
    yaml("{version: 1, app: ap1, flags: {x: {targeting: {P: {users: [{id: u, until: '2999-01-01'}]}}}}}"),
  ],
  ["a JSON file with a trailing comma", '{"version": 1, "app": "ap1",}\n'],
  ["an explicit key", yaml(...HEAD, "flags:", "  ? dark-mode", "  : stage: Beta")],
  ["a tab after a colon", yaml(...HEAD, "changeDescription:\tSynced")],
  ["a byte order mark and CRLF", `\uFEFF${yaml(...HEAD)}`.replace(/\n/g, "\r\n")],
];

async function load(files: Case["files"]): Promise<Diagnostic[]> {
  const dir = await tempDir("reflag-sync-holdout-");
  const named = typeof files === "string" || files instanceof Uint8Array ? { "f.yaml": files } : files;
  for (const [name, content] of Object.entries(named)) await writeFile(join(dir, name), content);
  const { state, diagnostics } = await loadDesired(Object.keys(named).sort(), { cwd: dir, now: NOW });
  const errors = diagnostics.filter((d) => d.severity === "error");
  expect(state === undefined).toBe(errors.length > 0);
  return diagnostics;
}

describe("broken files are reported where the mistake is", () => {
  it.each(CASES)("$name", async (c) => {
    const diagnostics = await load(c.files);
    const shown = diagnostics.map((d) => `${formatDiagnostic(d)} [${d.code}]`).join("\n");
    expect(diagnostics.length, shown).toBe(c.errors.length);
    c.errors.forEach((want, i) => {
      const d = diagnostics[i];
      expect(
        { file: d?.file, line: d?.line, col: d?.col, code: d?.code, severity: d?.severity },
        shown,
      ).toEqual({
        file: want.file ?? "f.yaml",
        line: want.line,
        col: want.col,
        code: want.code,
        severity: "error",
      });
      expect(d?.message).toContain(want.message);
    });
  });
});

describe("files that are all errors", () => {
  it("stops after the first hundred, quickly, on a file of stray brackets", async () => {
    const started = Date.now();
    const diagnostics = await load(`${"]".repeat(1024 * 1024)}\n`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)).toEqual([
      "1:1 yaml-syntax",
      "1:1 yaml-too-many-errors",
    ]);
  });

  it("shows a hundred errors and says that more follow", async () => {
    const diagnostics = await load(`x: "abc\n${'- "q\n'.repeat(20_000)}`);
    expect(diagnostics).toHaveLength(101);
    expect(diagnostics.at(-1)).toMatchObject({ line: 100, code: "yaml-too-many-errors" });
  });

  it("checks for repeated keys in linear time", async () => {
    const flags = Array.from({ length: 50_000 }, (_, i) => `  flag-${i}: {}`);
    const started = Date.now();
    const diagnostics = await load(yaml(...HEAD, "flags:", ...flags, "  flag-7: {}"));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(diagnostics.map((d) => `${formatDiagnostic(d)} [${d.code}]`)).toEqual([
      "f.yaml:50004:3: error: flag 'flag-7' is given twice in this map (first at line 11) [duplicate-key]",
    ]);
  });
});

describe("tricky but valid files load cleanly", () => {
  it.each(VALID)("%s", async (_name, text) => {
    const diagnostics = await load(text);
    expect(diagnostics.filter((d) => d.code !== "bom")).toEqual([]);
  });
});

describe("reflag-sync validate on a broken file", () => {
  it("names the line in text and in JSON, without a stack trace", async () => {
    const cwd = await tempDir("reflag-sync-holdout-cli-");
    await writeFile(
      join(cwd, "f.yaml"),
      inProduction("        companies: [acme-corp, globex", "        users: [u1]"),
    );
    const text = await runCli(["validate", "-f", "f.yaml"], { cwd });
    expect(text.code).toBe(1);
    expect(text.stderr).toBe(
      [
        "f.yaml:7:20: error: invalid YAML: the '[' opened here is never closed: end the list with ']'",
        "invalid: 1 error in f.yaml",
        "",
      ].join("\n"),
    );
    const json = await runCli(["validate", "-f", "f.yaml", "--output", "json"], { cwd });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      valid: false,
      diagnostics: [
        {
          file: "f.yaml",
          line: 7,
          col: 20,
          severity: "error",
          code: "yaml-syntax",
          message: "invalid YAML: the '[' opened here is never closed: end the list with ']'",
        },
      ],
    });
  });
});
