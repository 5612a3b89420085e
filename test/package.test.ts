// Installable like any CLI: `npm pack` gives a package that installs into an empty folder and runs
// as `npx reflag-sync`. Offline: the runtime dependencies are packed from this checkout's
// node_modules (the versions of package-lock.json, present after `npm ci`) and installed with them.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { VERSION } from "../src/cli/version.js";
import { tempDir } from "./support/cli.js";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const NPX = process.platform === "win32" ? "npx.cmd" : "npx";

/** The packages that an install of reflag-sync needs: the lock file's non-dev entries. */
async function runtimePackages(): Promise<string[]> {
  const lock = JSON.parse(await readFile(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith("node_modules/") && entry.dev !== true)
    .map(([path]) => join(ROOT, path));
}

/** Packs each folder into `destination` with one npm process; the tarballs' paths, in order. */
async function pack(dirs: string[], destination: string): Promise<string[]> {
  // The suite's global setup has built dist/ already: no prepack build here.
  const { stdout } = await run(NPM, [
    "pack",
    "--ignore-scripts",
    "--silent",
    "--pack-destination",
    destination,
    ...dirs,
  ]);
  return stdout
    .trim()
    .split("\n")
    .map((name) => join(destination, name.trim()));
}

describe("the npm package", () => {
  it("packs, installs offline into an empty folder, and runs as npx reflag-sync", async () => {
    const packageJson = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    expect(VERSION).toBe(packageJson.version);
    expect(packageJson.bin).toEqual({ "reflag-sync": "dist/cli.js" });
    expect(packageJson.scripts.prepack).toContain("build");

    const work = await tempDir();
    const tarballs = await pack([ROOT, ...(await runtimePackages())], work);
    const { stdout: listing } = await run("tar", ["tzf", tarballs[0]!]);
    expect(listing).toContain("package/dist/cli.js");
    expect(listing).toContain("package/schemas/flags.reflag.schema.json");
    expect(listing).not.toMatch(/package\/(src|test)\//);

    const app = join(work, "app");
    await mkdir(app);
    await writeFile(join(app, "package.json"), '{ "name": "app", "private": true }\n');
    const env = { ...process.env, npm_config_update_notifier: "false", NO_COLOR: "1" };
    await run(
      NPM,
      [
        "install",
        "--offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--no-package-lock",
        ...tarballs,
      ],
      { cwd: app, env },
    );

    const help = await run(NPX, ["--offline", "reflag-sync", "--help"], { cwd: app, env });
    expect(help.stdout).toContain("Usage: reflag-sync <command> [options]");
    for (const command of ["export", "describe", "init", "schema"])
      expect(help.stdout).toContain(`  ${command} `);
    expect((await run(NPX, ["--offline", "reflag-sync", "--version"], { cwd: app, env })).stdout).toBe(
      `${VERSION}\n`,
    );

    // init's $schema line resolves inside the user's repository, to the installed package.
    await run(NPX, ["--offline", "reflag-sync", "init", "--template"], {
      cwd: app,
      env: { ...env, REFLAG_API_KEY: "" },
    });
    const starter = await readFile(join(app, "flags.reflag.yaml"), "utf8");
    const ref = /^# yaml-language-server: \$schema=(\S+)$/m.exec(starter)?.[1];
    expect(ref).toBe("./node_modules/reflag-sync/schemas/flags.reflag.schema.json");
    expect(existsSync(join(app, ref!))).toBe(true);
    await run(NPX, ["--offline", "reflag-sync", "validate"], { cwd: app, env });
  }, 120_000);
});
