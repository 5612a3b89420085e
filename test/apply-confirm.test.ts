// The confirmation prompt on a terminal, driven in-process with terminal-like streams.
import { PassThrough } from "node:stream";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import type { CliIO } from "../src/cli/io.js";
import type { RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { assertNoSecret } from "./support/canary.js";
import { writeFiles } from "./support/cli.js";

let emulator: RunningEmulator;
beforeEach(async () => {
  emulator = await startTestEmulator();
});
afterEach(async () => {
  await emulator.close();
});

/** A terminal: stdin and stderr are TTYs; the question appears on stderr; `null` answers with Ctrl-D. */
function terminal(answer: string | null): { io: CliIO; out: () => string; err: () => string } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  let out = "";
  let err = "";
  let answered = false;
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
    // Answer once the question is on screen, like a person would.
    if (!answered && err.includes("Only 'yes' is accepted")) {
      answered = true;
      if (answer === null) stdin.end();
      else stdin.write(`${answer}\n`);
    }
  });
  const io: CliIO = {
    stdin,
    stdout,
    stderr,
    cwd: process.cwd(),
    env: { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey, NO_COLOR: "1" },
    now: () => new Date("2026-11-26T12:00:00Z"),
  };
  return { io, out: () => out, err: () => err };
}

describe("apply on a terminal", () => {
  it.each([
    { answer: "yes", code: 0, applied: true },
    { answer: "y", code: 1, applied: false },
    { answer: "no", code: 1, applied: false },
    { answer: null, code: 1, applied: false },
  ])("answering '$answer' applies: $applied", async ({ answer, code, applied }) => {
    const dir = await writeFiles({
      "flags.yaml":
        "version: 1\napp: apDemoApp01\nflags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [acme-corp] }\n",
    });
    const { io, out, err } = terminal(answer);
    expect(await main(["apply", "-f", join(dir, "flags.yaml")], io)).toBe(code);
    assertNoSecret(out(), "the stdout of reflag-sync apply on a terminal");
    assertNoSecret(err(), "the stderr of reflag-sync apply on a terminal");
    expect(out()).toContain("~ flag dark-mode");
    expect(err()).toContain("Apply these changes to app Acme (demo) (apDemoApp01)?");
    if (!applied) expect(err()).toContain("apply cancelled; nothing was applied");
    expect(err()).not.toContain("internal error");
    expect(emulator.store.getTargets("apDemoApp01", "dark-mode", "enStaging").companyIds).toEqual(
      applied ? ["acme-corp"] : [],
    );
  });
});
