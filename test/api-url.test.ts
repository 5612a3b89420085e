// An API URL that is wrong (no /api, a made-up path) is blamed, not the app in the file.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, withEmulator, writeFiles } from "./support/cli.js";

const FILE = join(import.meta.dirname, "..", "flags.reflag.yaml");

describe("a wrong REFLAG_API_URL", () => {
  it.each([
    ["without /api", (url: string) => url.replace(/\/api$/, "")],
    ["with a path under /api that does not exist", (url: string) => `${url}/v2`],
  ])("says the URL is wrong when it is %s", async (_name, wrong) => {
    await withEmulator({}, async (emulator) => {
      const r = await runCli(["plan", "-f", FILE], {
        env: { REFLAG_API_URL: wrong(emulator.url), REFLAG_API_KEY: emulator.apiKey },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `error: ${wrong(emulator.url)} does not look like the Reflag API: it has no such path (404)`,
      );
      expect(r.stderr).toContain(`set REFLAG_API_URL (or --api-url) to ${emulator.url}\n`);
      expect(r.stderr).not.toContain("was not found");
    });
  });

  it("still blames the app when the URL is right and the app does not exist", async () => {
    await withEmulator({}, async (emulator) => {
      const dir = await writeFiles({ "flags.yaml": "version: 1\napp: apNope\nflags: {}\n" });
      const r = await runCli(["plan", "-f", join(dir, "flags.yaml")], {
        env: { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /flags\.yaml:2:6: app 'apNope' (was not found|is not accessible) with this API key/,
      );
      expect(r.stderr).not.toContain("does not look like the Reflag API");
    });
  });
});
