// plan --base: a temporary git repository with a base and a head commit, against the emulator
// where targets were also changed by hand: the pull request's own changes and the drift are told
// apart in text, JSON and Markdown. And --flag, which limits plan and apply to some flags.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { emulatorPerTest, runCli, tempDir } from "./support/cli.js";

const current = emulatorPerTest();

const APP = "apDemoApp01";

/** The demo app's live state for these two flags, as a file: the base of the pull request. */
const BASE_MAIN = `version: 1
app: ${APP}
flags:
  new-checkout-flow:
    stage: Internal
    targeting:
      Production:
        companies: [acme-corp, initech]
        users: [user-9]
  dark-mode:
    targeting:
      Production:
        companies: [globex]
`;

/** The pull request: new-checkout-flow to Beta, globex in and user-9 out; a new file creates beta-search. */
const HEAD_MAIN = `version: 1
app: ${APP}
flags:
  new-checkout-flow:
    stage: Beta
    targeting:
      Production:
        companies: [acme-corp, initech, globex]
  dark-mode:
    targeting:
      Production:
        companies: [globex]
`;

const HEAD_NEW = `version: 1
app: ${APP}
flags:
  beta-search:
    name: Beta search
    targeting:
      Staging:
        companies: [acme-corp]
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();
}

/** A repository whose `main` has the base and whose `feature` branch (checked out) has the head. */
async function repository(): Promise<{ dir: string; baseCommit: string }> {
  const dir = await tempDir("reflag-sync-git-");
  git(dir, "init", "-q", "-b", "main");
  await mkdir(join(dir, "flags"));
  await writeFile(join(dir, "flags", "main.yaml"), BASE_MAIN);
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "base");
  const baseCommit = git(dir, "rev-parse", "HEAD");
  git(dir, "checkout", "-q", "-b", "feature");
  await writeFile(join(dir, "flags", "main.yaml"), HEAD_MAIN);
  await writeFile(join(dir, "flags", "new.yaml"), HEAD_NEW);
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "head");
  return { dir, baseCommit };
}

/** Edits made in the web UI, outside git: a company added to dark-mode, initech taken off new-checkout-flow. */
function driftByHand(): void {
  current.emulator.store.setTargets(APP, "dark-mode", "enProduction", {
    companyIds: ["globex", "hand-added"],
  });
  current.emulator.store.setTargets(APP, "new-checkout-flow", "enProduction", {
    companyIds: ["acme-corp"],
    userIds: ["user-9"],
  });
}

interface TargetJson {
  flagKey: string;
  kind: string;
  id: string;
  op: string;
  origin?: string;
}

describe("plan --base", () => {
  it("labels the change's own edits and the drift, in JSON that matches the schema", async () => {
    const { dir, baseCommit } = await repository();
    driftByHand();
    const r = await runCli(["plan", "-f", "flags", "--base", "main", "-o", "json"], {
      env: current.env,
      cwd: dir,
    });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    const ajv = new Ajv({ strict: false });
    const schema = JSON.parse(
      await readFile(join(import.meta.dirname, "..", "schemas", "plan.schema.json"), "utf8"),
    );
    expect(ajv.validate(schema, plan), JSON.stringify(ajv.errors)).toBe(true);

    expect(plan.base).toEqual({ ref: "main", commit: baseCommit, newFiles: ["flags/new.yaml"] });
    expect(plan.changes.creates).toEqual([{ key: "beta-search", name: "Beta search", origin: "change" }]);
    expect(plan.changes.updates).toEqual([
      {
        key: "new-checkout-flow",
        flagId: "flNewCheckout01",
        changes: [{ field: "stage", from: "Internal", to: "Beta", origin: "change" }],
      },
    ]);
    const production = plan.changes.environments.find((e: { envName: string }) => e.envName === "Production");
    expect(production.isProduction).toBe(true);
    expect(
      production.changes.map((c: TargetJson) => `${c.origin} ${c.op} ${c.flagKey} ${c.kind} ${c.id}`),
    ).toEqual([
      "drift remove dark-mode company hand-added",
      "change add new-checkout-flow company globex",
      "drift add new-checkout-flow company initech",
      "change remove new-checkout-flow user user-9",
    ]);
    expect(plan.warnings).toContainEqual({
      code: "drift",
      message:
        "applying this will also remove 1 target that was added outside git and add back 1 target that was removed outside git",
    });
    expect(r.stderr).toContain("warning: applying this will also remove 1 target that was added outside git");
  });

  it("puts the drift in its own section of the text and Markdown forms, with a plain warning", async () => {
    const { dir } = await repository();
    driftByHand();
    const text = await runCli(["plan", "-f", "flags", "--base", "main"], { env: current.env, cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^From this change:\n {2}\+ flag beta-search {2}create: name "Beta search"\n {6}Staging {6}\+ company acme-corp\n {2}~ flag new-checkout-flow {2}stage Internal → Beta\n {6}Production {3}\+ company globex {3}- user user-9\nDrift: changed outside git, undone by apply:\n {2}~ flag dark-mode\n {6}Production {3}- company hand-added\n {2}~ flag new-checkout-flow\n {6}Production {3}\+ company initech\n/m,
    );
    expect(text.stdout).toMatch(
      /^Labelled against base main \([0-9a-f]{12}\): 5 changes from this change, 2 reverting drift; new since then: flags\/new\.yaml\.$/m,
    );

    const md = await runCli(["plan", "-f", "flags", "--base", "main", "-o", "markdown"], {
      env: current.env,
      cwd: dir,
    });
    expect(md.code).toBe(0);
    const [change, drift] = md.stdout.split("#### Drift: changed outside git, undone by apply\n");
    expect(change).toContain("#### From this change");
    expect(change).toContain(
      "| <code>new-checkout-flow</code> | company <code>globex</code> | user <code>user-9</code> |",
    );
    expect(change).not.toContain("hand-added");
    expect(drift).toContain(
      "> [!CAUTION]\n> applying this will also remove 1 target that was added outside git and add back 1 target that was removed outside git.",
    );
    expect(drift).toContain("| <code>dark-mode</code> |  | company <code>hand-added</code> |");
    expect(drift).toContain("| <code>new-checkout-flow</code> | company <code>initech</code> |  |");
  });

  it("labels everything as the change when the files are new at the base", async () => {
    const { dir } = await repository();
    const first = git(dir, "rev-list", "--max-parents=0", "HEAD");
    // An empty first commit: before it, no flag file existed.
    git(dir, "checkout", "-q", "--orphan", "empty");
    git(dir, "rm", "-rq", "--cached", ".");
    git(dir, "commit", "-q", "--allow-empty", "-m", "empty");
    git(dir, "checkout", "-q", "-f", "feature");
    const r = await runCli(["plan", "-f", "flags", "--base", "empty", "-o", "json"], {
      env: current.env,
      cwd: dir,
    });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.base.newFiles).toEqual(["flags/main.yaml", "flags/new.yaml"]);
    expect(first).not.toBe(plan.base.commit);
    const origins = new Set(
      plan.changes.environments.flatMap((e: { changes: TargetJson[] }) => e.changes.map((c) => c.origin)),
    );
    expect([...origins]).toEqual(["change"]);
    expect(plan.warnings.map((w: { code: string }) => w.code)).not.toContain("drift");
  });

  it("says clearly when the revision does not exist or the folder is not a git repository", async () => {
    const { dir } = await repository();
    const missing = await runCli(["plan", "-f", "flags", "--base", "origin/nope"], {
      env: current.env,
      cwd: dir,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error: --base origin/nope: no such commit in the git repository at");
    expect(missing.stderr).toContain("fetch-depth: 0");
    expect(missing.stderr).not.toMatch(/\n\s+at /);

    const outside = await tempDir("reflag-sync-nogit-");
    await writeFile(join(outside, "flags.yaml"), BASE_MAIN);
    const notRepo = await runCli(["plan", "-f", "flags.yaml", "--base", "main"], {
      env: { ...current.env, GIT_CEILING_DIRECTORIES: outside },
      cwd: outside,
    });
    expect(notRepo.code).toBe(1);
    expect(notRepo.stderr).toContain(`error: --base needs a git repository, and ${outside} is not in one`);

    const alone = await runCli(["plan", "-f", "flags", "--base-file", "old.yaml"], {
      env: current.env,
      cwd: dir,
    });
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain("--base-file needs --base REF");
    expect(current.emulator.stats().byMethod.GET ?? 0).toBe(0);
  });

  it("reads other paths at the base with --base-file (a renamed file)", async () => {
    const { dir } = await repository();
    git(dir, "mv", "flags/main.yaml", "flags/renamed.yaml");
    git(dir, "commit", "-q", "-m", "rename");
    driftByHand();
    const r = await runCli(
      ["plan", "-f", "flags", "--base", "main", "--base-file", "flags/main.yaml", "-o", "json"],
      { env: current.env, cwd: dir },
    );
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.base.newFiles).toEqual([]);
    // beta-search was not in the base files read, so its creation is the change; drift stays drift.
    expect(plan.changes.creates[0].origin).toBe("change");
    expect(plan.warnings.map((w: { code: string }) => w.code)).toContain("drift");
  });
});

describe("--flag GLOB", () => {
  it("plans only the matching managed flags and says the plan is partial", async () => {
    const { dir } = await repository();
    driftByHand();
    const r = await runCli(
      ["plan", "-f", "flags", "--flag", "dark-*", "--flag", "beta-searc?", "-o", "json"],
      {
        env: current.env,
        cwd: dir,
      },
    );
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.partial).toEqual({ patterns: ["dark-*", "beta-searc?"], matched: 2, managed: 3 });
    const keys = new Set(
      plan.changes.environments.flatMap((e: { changes: TargetJson[] }) => e.changes.map((c) => c.flagKey)),
    );
    expect([...keys].sort()).toEqual(["beta-search", "dark-mode"]);
    expect(plan.changes.updates).toEqual([]);
    // A managed flag left out is still not unmanaged.
    expect(plan.unmanaged).not.toContain("new-checkout-flow");
    expect(plan.warnings[0]).toEqual({
      code: "partial",
      message:
        "partial plan: only the 2 of 3 managed flags that match 'dark-*' or 'beta-searc?'; the other flags are neither planned nor applied",
    });
    const md = await runCli(["plan", "-f", "flags", "--flag", "dark-*", "-o", "markdown"], {
      env: current.env,
      cwd: dir,
    });
    expect(md.stdout).toContain(
      "> [!WARNING]\n> - partial plan: only the 1 of 3 managed flags that match 'dark-&#42;'",
    );
    const text = await runCli(["plan", "-f", "flags", "--flag", "dark-*"], { env: current.env, cwd: dir });
    expect(text.stdout).toContain("Warning: partial plan: only the 1 of 3 managed flags that match 'dark-*'");
  });

  it("applies only the matching flags, and refuses a glob that matches none", async () => {
    const { dir } = await repository();
    driftByHand();
    const applied = await runCli(["apply", "-f", "flags", "--flag", "new-*", "--yes"], {
      env: current.env,
      cwd: dir,
    });
    expect(applied.code).toBe(0);
    expect(current.emulator.store.getTargets(APP, "new-checkout-flow", "enProduction")).toEqual({
      companyIds: ["acme-corp", "globex", "initech"],
      userIds: [],
    });
    // dark-mode keeps the company added by hand, beta-search is not created.
    expect(current.emulator.store.getTargets(APP, "dark-mode", "enProduction").companyIds).toEqual([
      "globex",
      "hand-added",
    ]);
    expect(() => current.emulator.store.getFlag(APP, "beta-search")).toThrow();

    current.emulator.resetStats();
    const none = await runCli(["apply", "-f", "flags", "--flag", "nope*", "--yes"], {
      env: current.env,
      cwd: dir,
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      "error: --flag 'nope*' matches none of the 3 flags the file manages; nothing was changed",
    );
    expect(
      (current.emulator.stats().byMethod.PATCH ?? 0) + (current.emulator.stats().byMethod.POST ?? 0),
    ).toBe(0);
  });
});

describe("the text summary", () => {
  it("counts exactly the flags marked + and ~", async () => {
    const { dir } = await repository();
    driftByHand();
    for (const args of [
      ["-f", "flags"],
      ["-f", join(import.meta.dirname, "..", "flags.reflag.yaml")],
    ]) {
      const r = await runCli(["plan", ...args], { env: current.env, cwd: dir });
      const created = r.stdout.split("\n").filter((l) => /^ {2}\+ flag /.test(l)).length;
      const changed = new Set(
        r.stdout
          .split("\n")
          .filter((l) => /^ {2}~ flag /.test(l))
          .map((l) => l.split(" ")[4]),
      ).size;
      const summary = /^Plan: (\d+) flags? to create, (\d+) to change,/m.exec(r.stdout);
      expect(summary, r.stdout).not.toBeNull();
      expect([Number(summary![1]), Number(summary![2])]).toEqual([created, changed]);
      expect(changed).toBeGreaterThan(0);
    }
  });
});
