// `reflag-sync validate` end to end: the built CLI as a child process, real files, exit codes.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, writeFiles } from "./support/cli.js";

const ROOT = join(import.meta.dirname, "..");
const yaml = (...lines: string[]): string => `${lines.join("\n")}\n`;
const VALID = yaml(
  "version: 1",
  "app: ap123456789",
  "flags:",
  "  dark-mode:",
  "    targeting:",
  "      Production:",
  "        companies: [acme-corp, globex]",
  "        users: [{ id: user-1, until: 2999-12-31 }]",
);
const INVALID = yaml(
  "version: 1",
  "app: ap123456789",
  "flags:",
  "  dark-mode:",
  "    targetting: {}",
  "    archived: maybe",
);

function noStackTrace(output: string): void {
  expect(output).not.toMatch(/\n\s+at /);
  expect(output).not.toContain("internal error");
}

describe("reflag-sync validate", () => {
  it("reads flags.reflag.yaml in the working directory and says ok", async () => {
    const cwd = await writeFiles({ "flags.reflag.yaml": VALID });
    const { code, stdout, stderr } = await runCli(["validate"], { cwd });
    expect({ code, stdout, stderr }).toEqual({
      code: 0,
      stdout: "ok: flags.reflag.yaml: 1 flag, 3 targets\n",
      stderr: "",
    });
  });

  it("prints every problem as file:line:col, a summary, and exits 1", async () => {
    const cwd = await writeFiles({ "flags.reflag.yaml": INVALID });
    const { code, stdout, stderr } = await runCli(["validate", "-f", "flags.reflag.yaml"], { cwd });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      [
        "flags.reflag.yaml:5:5: error: unknown key 'targetting' in flag 'dark-mode'; did you mean 'targeting'?",
        "flags.reflag.yaml:6:15: error: 'archived' of flag 'dark-mode' must be true or false, not the string 'maybe'",
        "invalid: 2 errors in flags.reflag.yaml",
        "",
      ].join("\n"),
    );
  });

  it("prints JSON on stdout with --output json", async () => {
    const cwd = await writeFiles({ "a.yaml": INVALID, "b.yaml": VALID.replace("dark-mode", "other") });
    const { code, stdout } = await runCli(["validate", "-f", "a.yaml", "-f", "b.yaml", "--output", "json"], {
      cwd,
    });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { valid: boolean; diagnostics: Record<string, unknown>[] };
    expect(report.valid).toBe(false);
    expect(report.diagnostics[0]).toEqual({
      file: "a.yaml",
      line: 5,
      col: 5,
      severity: "error",
      code: "unknown-key",
      message: "unknown key 'targetting' in flag 'dark-mode'; did you mean 'targeting'?",
    });
    expect(report.diagnostics).toHaveLength(2);
  });

  it("says valid in JSON, warnings included, and exits 0", async () => {
    const cwd = await writeFiles({ "f.yaml": VALID.replace("2999-12-31", "2000-01-01") });
    const { code, stdout } = await runCli(["validate", "-f", "f.yaml", "-o", "json"], { cwd });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      valid: boolean;
      diagnostics: { code: string; line: number; col: number }[];
    };
    expect(report.valid).toBe(true);
    expect(report.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)).toEqual(["8:23 expired-target"]);
  });

  it("warns on stderr about a target expiring within --warn-expiring, still exit 0", async () => {
    const cwd = await writeFiles({ "f.yaml": VALID });
    const { code, stdout, stderr } = await runCli(
      ["validate", "-f", "f.yaml", "--warn-expiring", "400000d"],
      { cwd },
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /^f\.yaml:8:23: warning: user 'user-1' of flag 'dark-mode' in 'Production' expires in \d+ days \(until 2999-12-31\)\n$/,
    );
    expect(stdout).toBe("ok: f.yaml: 1 flag, 3 targets (1 warning)\n");
  });

  it("validates a directory of files", async () => {
    const { code, stdout, stderr } = await runCli(
      ["validate", "-f", "examples/per-team", "--warn-expiring", "0"],
      { cwd: ROOT },
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(
      /^ok: examples\/per-team\/_app\.yaml, examples\/per-team\/checkout\.yaml, .*: 5 flags, 15 targets/,
    );
  });

  it("names both places when two example sets are merged by mistake", async () => {
    const { code, stderr } = await runCli(
      ["validate", "-f", "examples/per-team", "-f", "examples/multi-env/flags.reflag.yaml"],
      { cwd: ROOT },
    );
    expect(code).toBe(1);
    expect(stderr).toContain(
      "examples/multi-env/flags.reflag.yaml:25:3: error: flag 'new-checkout-flow' is defined twice: here and at examples/per-team/checkout.yaml:7:3",
    );
    expect(stderr).toMatch(
      /\ninvalid: 4 errors in examples\/per-team, examples\/multi-env\/flags\.reflag\.yaml\n$/,
    );
  });

  it.each([
    ["a missing file", {}, ["validate"], "flags.reflag.yaml: error: no such file or directory"],
    ["an empty file", { "f.yaml": "" }, ["validate", "-f", "f.yaml"], "f.yaml:1:1: error: the file is empty"],
    [
      "a binary file",
      { "f.yaml": "\u0000\u0001PNG" },
      ["validate", "-f", "f.yaml"],
      "f.yaml:1:1: error: the file contains a NUL byte",
    ],
    [
      "a directory without YAML",
      { "notes.txt": "hi" },
      ["validate", "-f", "."],
      ".: error: the directory holds no .yaml or .yml files",
    ],
  ])("reports %s clearly, without a stack trace", async (_name, files, args, message) => {
    const cwd = await writeFiles(files as Record<string, string>);
    const { code, stdout, stderr } = await runCli(args, { cwd });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
    noStackTrace(stderr);
  });

  it("reports a file that is not UTF-8 at the bad byte", async () => {
    const cwd = await writeFiles({});
    await writeFile(
      join(cwd, "f.yaml"),
      Buffer.concat([Buffer.from("version: 1\napp: caf"), Buffer.from([0xe9, 0x0a])]),
    );
    const { code, stderr } = await runCli(["validate", "-f", "f.yaml"], { cwd });
    expect(code).toBe(1);
    expect(stderr).toContain("f.yaml:2:9: error: the file is not valid UTF-8 (byte 0xE9)");
    noStackTrace(stderr);
  });

  it.each([
    [["--output", "xml"], "error: --output: 'xml' is not one of text, json"],
    [["--warn-expiring", "soon"], "error: --warn-expiring: 'soon' is not a duration"],
    [["--frobnicate"], "error: validate: Unknown option '--frobnicate'"],
  ])("refuses bad options %j", async (args, message) => {
    const { code, stderr } = await runCli(["validate", ...args], { cwd: ROOT });
    expect(code).toBe(1);
    expect(stderr).toContain(message);
    noStackTrace(stderr);
  });

  it("prints help", async () => {
    const { code, stdout } = await runCli(["validate", "--help"], { cwd: ROOT });
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: reflag-sync validate [-f FILE|DIR]...");
  });
});
