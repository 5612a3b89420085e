// The shutdown deadline: a request that hangs does not keep the daemon past 10 s. (Its own file:
// it waits out the 9 s deadline, in parallel with the other test files.)
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { eventually } from "./support/cli.js";
import { daemonHarness, isReconcile } from "./support/daemon.js";
import { darkMode } from "./support/daemon-files.js";

const h = daemonHarness();

describe("watch: shutdown deadline", () => {
  it("exits 1 within 10 s of SIGTERM when a request hangs, with what it knows of the apply", async () => {
    const d = await h.start(darkMode(["globex"]), ["--interval", "60s"]);
    await d.waitFor((l) => isReconcile(l));
    h.emulator.setFaults({ script: [{ method: "PATCH", fault: "delay", delayMs: 60_000 }] });
    await writeFile(d.file, darkMode(["globex", "hangs"]));
    await eventually(() => h.emulator.stats().inFlight > 0);
    const signalled = Date.now();
    d.kill("SIGTERM");
    const exit = await d.exited;
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(exit.code).toBe(1);
    const deadline = d.lines().find((l) => /^shutdown deadline passed/.test(l.msg));
    expect(deadline).toMatchObject({ interrupted: true });
    expect(deadline?.msg).toMatch(/while applying/);
  }, 20_000);
});
