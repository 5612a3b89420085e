// Bad inputs, written to real files, each with the diagnostic it must produce and where.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesired } from "../src/desired/index.js";
import { formatDiagnostic } from "../src/desired/model.js";
import type { Diagnostic } from "../src/desired/model.js";
import { tempDir } from "./support/cli.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const FIXTURES = join(import.meta.dirname, "fixtures/desired");

/** YAML from lines, so that line numbers can be counted in the test. */
const yaml = (...lines: string[]): string => `${lines.join("\n")}\n`;
const HEAD = ["version: 1", "app: ap123456789"];

interface BadCase {
  name: string;
  files: Record<string, string | Uint8Array>;
  /** Paths passed to loadDesired (relative to the temp dir); default: all files. */
  paths?: string[];
  maxFileBytes?: number;
  expect: { file: string; line: number; col: number; code: string; message: string; severity?: "warning" };
}

const flagWith = (...targeting: string[]): string =>
  yaml(...HEAD, "flags:", "  new-checkout-flow:", "    targeting:", "      Production:", ...targeting);

const CASES: BadCase[] = [
  // YAML syntax
  {
    name: "unclosed flow list",
    files: { "f.yaml": yaml(...HEAD, "flags: [a, b", "x: 1") },
    expect: {
      file: "f.yaml",
      line: 3,
      col: 8,
      code: "yaml-syntax",
      message: "the '[' opened here is never closed: end the list with ']'",
    },
  },
  {
    name: "unclosed quote",
    files: { "f.yaml": yaml(...HEAD, 'changeDescription: "abc', "flags: {}") },
    expect: {
      file: "f.yaml",
      line: 3,
      col: 20,
      code: "yaml-syntax",
      message: 'the " opened here is never closed',
    },
  },
  {
    name: "tab used for indentation",
    files: { "f.yaml": yaml(...HEAD, "flags:", "\tdark-mode: {}") },
    expect: {
      file: "f.yaml",
      line: 4,
      col: 1,
      code: "yaml-tab-indent",
      message: "YAML indents with spaces only",
    },
  },
  {
    name: "the same flag twice in one file",
    files: { "f.yaml": yaml(...HEAD, "flags:", "  dark-mode: {}", "  beta: {}", "  dark-mode: {}") },
    expect: {
      file: "f.yaml",
      line: 6,
      col: 3,
      code: "duplicate-key",
      message: "flag 'dark-mode' is given twice in this map (first at line 4)",
    },
  },
  {
    name: "two YAML documents in one file",
    files: { "f.yaml": yaml(...HEAD, "---", "flags: {}") },
    expect: { file: "f.yaml", line: 3, col: 1, code: "yaml-syntax", message: "holds one YAML document" },
  },
  {
    name: "alias of an undefined anchor",
    files: { "f.yaml": flagWith("        companies: *beta") },
    expect: {
      file: "f.yaml",
      line: 7,
      col: 20,
      code: "yaml-unknown-alias",
      message: "unknown alias *beta: define the anchor &beta",
    },
  },
  {
    name: "alias bomb (billion laughs)",
    files: {
      "f.yaml": yaml(
        ...HEAD,
        "anchors:",
        '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        ..."bcdefghi"
          .split("")
          .map((name, i) => `  ${name}: &${name} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`),
      ),
    },
    expect: {
      file: "f.yaml",
      line: 0,
      col: 0,
      code: "yaml-alias-limit",
      message: "this looks like an alias bomb",
    },
  },
  {
    name: "alias bomb past yaml's own alias count",
    files: {
      "f.yaml": yaml(
        ...HEAD,
        "anchors:",
        "  a: &a [x, x, x, x, x, x, x, x, x, x]",
        ..."bcde"
          .split("")
          .map((name, i) => `  ${name}: &${name} [${Array(10).fill(`*${"abcd"[i]}`).join(", ")}]`),
      ),
    },
    expect: {
      file: "f.yaml",
      line: 0,
      col: 0,
      code: "yaml-alias-limit",
      message: "this looks like an alias bomb",
    },
  },
  {
    name: "alias inside its own anchor",
    files: { "f.yaml": yaml(...HEAD, "anchors: &loop [*loop]") },
    expect: {
      file: "f.yaml",
      line: 3,
      col: 17,
      code: "yaml-alias-limit",
      message: "alias *loop is inside its own anchor &loop",
    },
  },
  {
    name: "flow lists nested too deep",
    files: { "f.yaml": yaml(...HEAD, `anchors: ${"[".repeat(5000)}${"]".repeat(5000)}`) },
    expect: {
      file: "f.yaml",
      line: 3,
      col: 110,
      code: "yaml-too-deep",
      message: "nests more than 100 levels deep",
    },
  },
  {
    name: "compact lists nested too deep",
    files: { "f.yaml": yaml(...HEAD, "anchors:", `  ${"- ".repeat(150)}x`) },
    expect: {
      file: "f.yaml",
      line: 4,
      col: 203,
      code: "yaml-too-deep",
      message: "nests more than 100 levels deep",
    },
  },
  {
    name: "indentation nested too deep",
    files: {
      "f.yaml": yaml(
        ...HEAD,
        "anchors:",
        ...Array.from({ length: 150 }, (_, i) => `${"  ".repeat(i + 1)}k:`),
      ),
    },
    expect: {
      file: "f.yaml",
      line: 0,
      col: 0,
      code: "yaml-too-deep",
      message: "nests more than 100 levels deep",
    },
  },
  // YAML tags (issue 8): a Buffer or Set checked against the schema gave 99 nonsense errors
  {
    name: "a !!binary tag",
    files: { "f.yaml": yaml(...HEAD, "flags: !!binary aGVsbG8=") },
    expect: {
      file: "f.yaml",
      line: 3,
      col: 8,
      code: "yaml-tag",
      message: "YAML tag '!!binary' is not supported",
    },
  },
  {
    name: "a !!set tag after an anchor",
    files: {
      "f.yaml": yaml(...HEAD, "flags:", "  dark-mode:", "    targeting: &t !!set", "      ? Production"),
    },
    expect: {
      file: "f.yaml",
      line: 5,
      col: 19,
      code: "yaml-tag",
      message: "YAML tag '!!set' is not supported",
    },
  },
  {
    name: "a custom tag",
    files: { "f.yaml": yaml(...HEAD, "flags:", "  dark-mode: !flag", "    name: Dark mode") },
    expect: {
      file: "f.yaml",
      line: 4,
      col: 14,
      code: "yaml-tag",
      message: "YAML tag '!flag' is not supported",
    },
  },
  {
    name: "a !!timestamp tag",
    files: { "f.yaml": yaml(...HEAD, "changeDescription: !!timestamp 2026-01-01") },
    expect: {
      file: "f.yaml",
      line: 3,
      col: 20,
      code: "yaml-tag",
      message: "YAML tag '!!timestamp' is not supported",
    },
  },
  // JSON Schema
  {
    name: "a list instead of a map",
    files: { "f.yaml": yaml("- version: 1") },
    expect: {
      file: "f.yaml",
      line: 1,
      col: 1,
      code: "wrong-type",
      message: "the file must be a map of settings and flags",
    },
  },
  {
    name: "no version",
    files: { "f.yaml": yaml("app: ap123456789", "flags: {}") },
    expect: { file: "f.yaml", line: 1, col: 1, code: "missing-key", message: "missing 'version: 1'" },
  },
  {
    name: "version as a string",
    files: { "f.yaml": yaml('version: "1"', "app: ap123456789") },
    expect: {
      file: "f.yaml",
      line: 1,
      col: 10,
      code: "invalid-value",
      message: "'version' must be 1, not the string '1'",
    },
  },
  {
    name: "unsupported version",
    files: { "f.yaml": yaml("version: 2", "app: ap123456789", "whatever: new") },
    expect: {
      file: "f.yaml",
      line: 1,
      col: 10,
      code: "unsupported-version",
      message: "unsupported version 2",
    },
  },
  {
    name: "misspelt top-level key",
    files: { "f.yaml": yaml(...HEAD, "flag:", "  dark-mode: {}") },
    expect: {
      file: "f.yaml",
      line: 3,
      col: 1,
      code: "unknown-key",
      message: "unknown key 'flag' at the top level; did you mean 'flags'?",
    },
  },
  {
    name: "misspelt targeting",
    files: { "f.yaml": yaml(...HEAD, "flags:", "  dark-mode:", "    targetting: {}") },
    expect: { file: "f.yaml", line: 5, col: 5, code: "unknown-key", message: "did you mean 'targeting'?" },
  },
  {
    name: "misspelt companies",
    files: { "f.yaml": flagWith("        companys: [acme-corp]") },
    expect: {
      file: "f.yaml",
      line: 7,
      col: 9,
      code: "unknown-key",
      message:
        "unknown key 'companys' in environment 'Production' of flag 'new-checkout-flow'; did you mean 'companies'?",
    },
  },
  {
    name: "misspelt policy key (letters swapped)",
    files: { "f.yaml": yaml(...HEAD, "policy:", "  prnue: false") },
    expect: { file: "f.yaml", line: 4, col: 3, code: "unknown-key", message: "did you mean 'prune'?" },
  },
  {
    name: "unknown flag field without a close match",
    files: { "f.yaml": yaml(...HEAD, "flags:", "  dark-mode:", "    owner: jane") },
    expect: {
      file: "f.yaml",
      line: 5,
      col: 5,
      code: "unknown-key",
      message: "allowed: name, description, stage, archived, targeting",
    },
  },
  {
    name: "environment written directly under a flag",
    files: {
      "f.yaml": yaml(...HEAD, "flags:", "  dark-mode:", "    Production:", "      companies: [globex]"),
    },
    expect: {
      file: "f.yaml",
      line: 5,
      col: 5,
      code: "unknown-key",
      message: "environments go under 'targeting:'",
    },
  },
  {
    name: "flag written at the top level",
    files: { "f.yaml": yaml(...HEAD, "dark-mode:", "  stage: Beta") },
    expect: { file: "f.yaml", line: 3, col: 1, code: "unknown-key", message: "flags go under 'flags:'" },
  },
  {
    name: "YAML merge key",
    files: { "f.yaml": yaml(...HEAD, "flags:", "  dark-mode:", "    <<: {}") },
    expect: {
      file: "f.yaml",
      line: 5,
      col: 5,
      code: "unknown-key",
      message: "merge keys (<<) are not supported",
    },
  },
  {
    name: "archived as a string",
    files: { "f.yaml": yaml(...HEAD, "flags:", "  dark-mode:", '    archived: "yes"') },
    expect: {
      file: "f.yaml",
      line: 5,
      col: 15,
      code: "wrong-type",
      message: "'archived' of flag 'dark-mode' must be true or false, not the string 'yes'",
    },
  },
  {
    name: "empty stage",
    files: { "f.yaml": yaml(...HEAD, "flags:", "  dark-mode:", '    stage: ""') },
    expect: {
      file: "f.yaml",
      line: 5,
      col: 12,
      code: "invalid-value",
      message: "'stage' of flag 'dark-mode' must not be empty",
    },
  },
  {
    name: "maxChanges zero",
    files: { "f.yaml": yaml(...HEAD, "policy:", "  maxChanges: 0") },
    expect: {
      file: "f.yaml",
      line: 4,
      col: 15,
      code: "invalid-value",
      message: "'policy.maxChanges' must be at least 1",
    },
  },
  {
    name: "maxRemovalShare over 1",
    files: { "f.yaml": yaml(...HEAD, "policy:", "  maxRemovalShare: 1.5") },
    expect: {
      file: "f.yaml",
      line: 4,
      col: 20,
      code: "invalid-value",
      message: "'policy.maxRemovalShare' must be at most 1, not 1.5",
    },
  },
  {
    name: "maxRemovalShare negative",
    files: { "f.yaml": yaml(...HEAD, "policy:", "  maxRemovalShare: -0.1") },
    expect: {
      file: "f.yaml",
      line: 4,
      col: 20,
      code: "invalid-value",
      message: "'policy.maxRemovalShare' must be at least 0, not -0.1",
    },
  },
  {
    name: "maxChanges not whole",
    files: { "f.yaml": yaml(...HEAD, "policy:", "  maxChanges: 2.5") },
    expect: {
      file: "f.yaml",
      line: 4,
      col: 15,
      code: "wrong-type",
      message: "must be a whole number, not the number 2.5",
    },
  },
  {
    name: "unknown notification channel",
    files: { "f.yaml": yaml(...HEAD, "notifications: [Slack, teams]") },
    expect: {
      file: "f.yaml",
      line: 3,
      col: 17,
      code: "invalid-value",
      message: "must be one of slack, linearComment, not the string 'Slack'; did you mean 'slack'?",
    },
  },
  {
    name: "numeric target id",
    files: { "f.yaml": flagWith("        users: [user-1, 007]") },
    expect: {
      file: "f.yaml",
      line: 7,
      col: 25,
      code: "wrong-type",
      message: 'not the number 7: quote it ("007")',
    },
  },
  {
    name: "numeric app id",
    files: { "f.yaml": yaml("version: 1", "app: 123456") },
    expect: {
      file: "f.yaml",
      line: 2,
      col: 6,
      code: "wrong-type",
      message: "'app' must be a string, not the number 123456",
    },
  },
  {
    name: "environment with no value",
    files: { "f.yaml": flagWith() },
    expect: { file: "f.yaml", line: 6, col: 7, code: "wrong-type", message: "write {} for no targets" },
  },
  {
    name: "time-bound target without id",
    files: { "f.yaml": flagWith("        companies:", "          - { until: 2026-12-31 }") },
    expect: { file: "f.yaml", line: 8, col: 13, code: "missing-key", message: "needs 'id'" },
  },
  {
    name: "time-bound target with an unknown key",
    files: { "f.yaml": flagWith("        companies:", "          - { id: acme-corp, expires: 2026-12-31 }") },
    expect: {
      file: "f.yaml",
      line: 8,
      col: 30,
      code: "unknown-key",
      message:
        "unknown key 'expires' in a target in 'companies' of flag 'new-checkout-flow' in 'Production'; allowed: id, until",
    },
  },
  {
    name: "until not a date",
    files: { "f.yaml": flagWith("        companies:", "          - { id: acme-corp, until: 31/12/2026 }") },
    expect: {
      file: "f.yaml",
      line: 8,
      col: 37,
      code: "invalid-date",
      message: "must be a date (2026-12-31) or a date-time",
    },
  },
  // Semantic rules
  {
    name: "impossible date",
    files: { "f.yaml": flagWith("        companies:", "          - { id: acme-corp, until: 2026-02-30 }") },
    expect: { file: "f.yaml", line: 8, col: 37, code: "invalid-date", message: "February 2026 has 28 days" },
  },
  {
    name: "impossible time",
    files: {
      "f.yaml": flagWith("        companies:", "          - { id: acme-corp, until: 2026-12-31T24:00:00Z }"),
    },
    expect: { file: "f.yaml", line: 8, col: 37, code: "invalid-date", message: "there is no hour 24" },
  },
  {
    name: "empty company id",
    files: { "f.yaml": flagWith('        companies: [acme-corp, ""]') },
    expect: { file: "f.yaml", line: 7, col: 32, code: "empty-id", message: "empty company id" },
  },
  {
    name: "over-long user id",
    files: { "f.yaml": flagWith(`        users: [${"u".repeat(257)}]`) },
    expect: {
      file: "f.yaml",
      line: 7,
      col: 17,
      code: "id-too-long",
      message: "user id is 257 characters long; the limit is 256",
    },
  },
  {
    name: "leading space in an id (quoted: the API takes it, so a warning)",
    files: { "f.yaml": flagWith('        companies: [" acme-corp"]') },
    expect: {
      file: "f.yaml",
      line: 7,
      col: 21,
      code: "id-whitespace",
      message: 'company id " acme-corp" has leading or trailing spaces',
      severity: "warning",
    },
  },
  {
    name: "an invisible character written as an escape (as export writes it): a warning",
    files: { "f.yaml": flagWith('        companies: [ok, "acme\\u200Bcorp"]') },
    expect: {
      file: "f.yaml",
      line: 7,
      col: 25,
      code: "id-invisible-character",
      message: "U+200B",
      severity: "warning",
    },
  },
  {
    name: "an invisible character typed as it is, even in quotes: an error",
    files: { "f.yaml": flagWith('        companies: ["acme\u200Bcorp"]') },
    expect: {
      file: "f.yaml",
      line: 7,
      col: 21,
      code: "id-invisible-character",
      message: "U+200B",
    },
  },
  {
    name: "trailing space in a flag key",
    files: { "f.yaml": yaml(...HEAD, "flags:", '  "dark-mode ": {}') },
    expect: {
      file: "f.yaml",
      line: 4,
      col: 3,
      code: "id-whitespace",
      message: 'flag key "dark-mode " has leading or trailing spaces',
      severity: "warning",
    },
  },
  {
    name: "empty flag key",
    files: { "f.yaml": yaml(...HEAD, "flags:", '  "": {}') },
    expect: { file: "f.yaml", line: 4, col: 3, code: "empty-id", message: "empty flag key" },
  },
  {
    name: "alias naming no environment",
    files: { "f.yaml": yaml(...HEAD, "environments:", '  prod: ""') },
    expect: {
      file: "f.yaml",
      line: 4,
      col: 9,
      code: "alias-empty",
      message: "alias 'prod' names no environment",
    },
  },
  {
    name: "alias with no value",
    files: { "f.yaml": yaml(...HEAD, "environments:", "  prod:") },
    expect: {
      file: "f.yaml",
      line: 4,
      col: 3,
      code: "alias-empty",
      message: "alias 'prod' names no environment",
    },
  },
  {
    name: "alias shadowing an environment name",
    files: { "f.yaml": yaml(...HEAD, "environments:", "  prod: Production", "  Production: Staging") },
    expect: {
      file: "f.yaml",
      line: 5,
      col: 3,
      code: "alias-shadows",
      message: "alias 'Production' shadows the environment 'Production' that alias 'prod' names (line 4)",
    },
  },
  {
    name: "one environment listed twice, by alias and by name",
    files: {
      "f.yaml": yaml(
        ...HEAD,
        "environments:",
        "  prod: Production",
        "flags:",
        "  dark-mode:",
        "    targeting:",
        "      prod: {}",
        "      Production: {}",
      ),
    },
    expect: {
      file: "f.yaml",
      line: 9,
      col: 7,
      code: "duplicate-environment",
      message: "lists environment 'Production' twice: as 'prod' (line 8) and as 'Production'",
    },
  },
  {
    name: "duplicate target",
    files: { "f.yaml": flagWith("        companies: [acme-corp, globex, acme-corp]") },
    expect: {
      file: "f.yaml",
      line: 7,
      col: 40,
      code: "duplicate-target",
      message:
        "company 'acme-corp' is listed twice for flag 'new-checkout-flow' in 'Production' (first at line 7); the repeat is ignored",
      severity: "warning",
    },
  },
  // Several files
  {
    name: "the same flag in two files",
    files: {
      "a.yaml": yaml(...HEAD, "flags:", "  dark-mode: {}"),
      "b.yaml": yaml("version: 1", "flags:", "  beta: {}", "  dark-mode: {}"),
    },
    expect: {
      file: "b.yaml",
      line: 4,
      col: 3,
      code: "duplicate-flag",
      message: "flag 'dark-mode' is defined twice: here and at a.yaml:4:3",
    },
  },
  {
    name: "conflicting app in two files",
    files: { "a.yaml": yaml(...HEAD), "b.yaml": yaml("version: 1", "app: ap999") },
    expect: {
      file: "b.yaml",
      line: 2,
      col: 6,
      code: "settings-conflict",
      message: "'app' is 'ap999' here but 'ap123456789' at a.yaml:2:6",
    },
  },
  {
    name: "conflicting alias in two files",
    files: {
      "a.yaml": yaml(...HEAD, "environments:", "  prod: Production"),
      "b.yaml": yaml("version: 1", "environments:", "  prod: Live"),
    },
    expect: {
      file: "b.yaml",
      line: 3,
      col: 9,
      code: "settings-conflict",
      message: "'environments.prod' is 'Live' here but 'Production' at a.yaml:4:9",
    },
  },
  {
    name: "conflicting policy in two files",
    files: {
      "a.yaml": yaml(...HEAD, "policy: { prune: true }"),
      "b.yaml": yaml("version: 1", "policy:", "  prune: false"),
    },
    expect: {
      file: "b.yaml",
      line: 3,
      col: 10,
      code: "settings-conflict",
      message: "'policy.prune' is false here but true at a.yaml:3:18",
    },
  },
  {
    name: "no app anywhere",
    files: { "a.yaml": yaml("version: 1", "flags: {}"), "b.yaml": yaml("version: 1") },
    expect: { file: "a.yaml", line: 1, col: 1, code: "missing-app", message: "no 'app' given" },
  },
  // Files and encodings
  {
    name: "empty file",
    files: { "f.yaml": "" },
    expect: { file: "f.yaml", line: 1, col: 1, code: "empty-file", message: "the file is empty" },
  },
  {
    name: "comments only",
    files: { "f.yaml": yaml("# nothing here yet", "") },
    expect: { file: "f.yaml", line: 1, col: 1, code: "empty-file", message: "the file is empty" },
  },
  {
    name: "missing file",
    files: {},
    paths: ["flags.reflag.yaml"],
    expect: {
      file: "flags.reflag.yaml",
      line: 0,
      col: 0,
      code: "file-not-found",
      message: "no such file or directory",
    },
  },
  {
    name: "directory without YAML",
    files: { "conf/readme.txt": "hello" },
    paths: ["conf"],
    expect: { file: "conf", line: 0, col: 0, code: "no-yaml-files", message: "holds no .yaml or .yml files" },
  },
  {
    name: "UTF-8 byte order mark",
    files: { "f.yaml": `\uFEFF${yaml(...HEAD)}` },
    expect: { file: "f.yaml", line: 1, col: 1, code: "bom", message: "byte order mark", severity: "warning" },
  },
  {
    name: "UTF-16 file",
    files: { "f.yaml": Buffer.from(`\uFEFF${yaml(...HEAD)}`, "utf16le") },
    expect: { file: "f.yaml", line: 1, col: 1, code: "not-utf8", message: "UTF-16" },
  },
  {
    name: "binary file",
    files: { "f.yaml": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]) },
    expect: { file: "f.yaml", line: 3, col: 1, code: "binary-file", message: "a NUL byte" },
  },
  {
    name: "Latin-1 text (not UTF-8)",
    files: {
      "f.yaml": Buffer.concat([
        Buffer.from(yaml(...HEAD) + "changeDescription: Caf"),
        Buffer.from([0xe9]),
        Buffer.from(" sync\n"),
      ]),
    },
    expect: { file: "f.yaml", line: 3, col: 23, code: "not-utf8", message: "not valid UTF-8 (byte 0xE9)" },
  },
  {
    name: "file over the size limit",
    files: { "f.yaml": yaml(...HEAD, `# ${"x".repeat(2048)}`) },
    maxFileBytes: 1024,
    expect: {
      file: "f.yaml",
      line: 0,
      col: 0,
      code: "file-too-large",
      message: "the file is 2.0 KiB; the limit is 1.0 KiB",
    },
  },
];

async function writeCase(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await tempDir("reflag-sync-validate-");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

function summary(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `${formatDiagnostic(d)} [${d.code}]`).join("\n");
}

describe("validation of bad input", () => {
  it("has at least 30 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)("$name", async (c) => {
    const dir = await writeCase(c.files);
    const paths = c.paths ?? Object.keys(c.files).sort();
    const result = await loadDesired(paths, {
      cwd: dir,
      now: NOW,
      ...(c.maxFileBytes ? { maxFileBytes: c.maxFileBytes } : {}),
    });
    const { file, line, col, code, message, severity = "error" } = c.expect;
    const found = result.diagnostics.find(
      (d) => d.code === code && d.file === file && d.line === line && d.col === col,
    );
    expect(found, `no ${code} at ${file}:${line}:${col} in:\n${summary(result.diagnostics)}`).toBeDefined();
    expect(found?.message).toContain(message);
    expect(found?.severity).toBe(severity);
    if (severity === "error") expect(result.state).toBeUndefined();
    else expect(result.state).toBeDefined();
  });
});

describe("reporting", () => {
  it.each([
    ["!!binary", "flags: !!binary aGVsbG8="],
    ["!!set", "flags: !!set { a, b }"],
    ["!!omap", "flags: !!omap [ a: 1 ]"],
    ["!foo", "flags: !foo { a: {} }"],
  ])("reports a %s tag once, and nothing else of that file", async (tag, line) => {
    const dir = await writeCase({ "f.yaml": yaml(...HEAD, line) });
    const result = await loadDesired(["f.yaml"], { cwd: dir, now: NOW });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      `f.yaml:3:8: error: YAML tag '${tag}' is not supported: a flags file holds plain text, numbers, true or false, lists and maps; remove the tag`,
    ]);
  });

  it("keeps the core types' own tags", async () => {
    const dir = await writeCase({
      "f.yaml": yaml(
        ...HEAD,
        "flags:",
        "  dark-mode:",
        "    name: !!str 2026",
        "    targeting: !!map { Production: {} }",
      ),
    });
    const result = await loadDesired(["f.yaml"], { cwd: dir, now: NOW });
    expect(result.diagnostics).toEqual([]);
    expect(result.state?.flags[0]?.name).toBe("2026");
  });

  it("reports every problem of a file at once, schema and rules together, sorted", async () => {
    const result = await loadDesired([join(FIXTURES, "all-at-once.yaml")], { cwd: FIXTURES, now: NOW });
    expect(result.state).toBeUndefined();
    expect(result.diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code}`)).toEqual([
      "8:5 error unknown-key",
      "11:15 error wrong-type",
      "16:9 error unknown-key",
      "17:17 error empty-id",
      "17:21 warning id-whitespace",
      "17:40 warning duplicate-target",
      "18:7 error duplicate-environment",
      "19:38 error invalid-date",
    ]);
    expect(result.diagnostics[0]?.file).toBe(join(FIXTURES, "all-at-once.yaml"));
  });

  it("shows relative paths as the user gave them", async () => {
    const result = await loadDesired(["./all-at-once.yaml"], { cwd: FIXTURES, now: NOW });
    expect(new Set(result.diagnostics.map((d) => d.file))).toEqual(new Set(["all-at-once.yaml"]));
  });

  it("names both places of a flag defined twice", async () => {
    const dir = await writeCase({
      "a.yaml": yaml(...HEAD, "flags:", "  dark-mode: {}"),
      "b.yaml": yaml("version: 1", "flags:", "  dark-mode: {}"),
    });
    const { diagnostics } = await loadDesired(["a.yaml", "b.yaml"], { cwd: dir, now: NOW });
    expect(diagnostics).toEqual([
      {
        severity: "error",
        code: "duplicate-flag",
        message: "flag 'dark-mode' is defined twice: here and at a.yaml:4:3; define each flag in one file",
        file: "b.yaml",
        line: 3,
        col: 3,
        related: [{ file: "a.yaml", line: 4, col: 3 }],
      },
    ]);
  });

  it("does not report a missing app when a file that may hold it failed to load", async () => {
    const dir = await writeCase({ "a.yaml": yaml("version: 1", "flags: {}"), "b.yaml": "app: [" });
    const { diagnostics } = await loadDesired(["a.yaml", "b.yaml"], { cwd: dir, now: NOW });
    expect(diagnostics.map((d) => d.code)).toEqual(["yaml-syntax"]);
  });

  it("refuses a file over the default 5 MiB limit without reading it", async () => {
    const dir = await writeCase({ "f.yaml": yaml(...HEAD, `# ${"x".repeat(6 * 1024 * 1024)}`) });
    const { diagnostics } = await loadDesired(["f.yaml"], { cwd: dir, now: NOW });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      "f.yaml: error: the file is 6.0 MiB; the limit is 5.0 MiB",
    ]);
  });

  it("reads flags.reflag.yaml when no path is given", async () => {
    const dir = await writeCase({ "flags.reflag.yaml": yaml(...HEAD) });
    const { state, diagnostics } = await loadDesired([], { cwd: dir, now: NOW });
    expect(diagnostics).toEqual([]);
    expect(state?.files).toEqual(["flags.reflag.yaml"]);
  });
});
