// The bench's data: for each size, the file (desired state) and the emulator's live state, made
// from one generator so that both sides, and the expected plan, agree by construction.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const SIZES = {
  S: { flags: 100, envs: 3, targets: 10 },
  M: { flags: 1000, envs: 3, targets: 100 },
  // 13 MiB of YAML: in 4 files, under the loader's 5 MiB per file.
  L: { flags: 2000, envs: 3, targets: 200, files: 4 },
};

/** The demo app's environments (the emulator's built-in state). */
export const ENVIRONMENTS = [
  { id: "enProduction", name: "Production" },
  { id: "enStaging", name: "Staging" },
  { id: "enDevelopment", name: "Development" },
];

/** Customer ids are shared across flags, as real ones are: a pool this large. */
const POOL = 50_000;

export const flagKey = (f) => `bench-flag-${String(f).padStart(5, "0")}`;

/**
 * One flag's targets in one environment: half companies, half users. Of the desired targets, every
 * 10th (counted across the whole scenario) is missing live, so apply adds it; every 20th has a
 * stale neighbour live that the file does not list, so apply removes it (prune).
 */
export function targetsOf(size, f, e) {
  const desired = { companies: [], users: [] };
  const live = { companies: [], users: [] };
  for (let i = 0; i < size.targets; i++) {
    const k = (f * size.envs + e) * size.targets + i;
    const n = String((f * 31 + e * 7 + (i >> 1)) % POOL).padStart(5, "0");
    const [kind, id] = i % 2 === 0 ? ["companies", `co-${n}`] : ["users", `user-${n}`];
    desired[kind].push(id);
    if (k % 10 !== 0) live[kind].push(id);
    if (k % 20 === 5) live[kind].push(`${id}-old`);
  }
  return { desired, live };
}

/** The target changes a plan must hold: adds and removes in all, and changes per environment. */
export function expectedChanges(size) {
  let adds = 0;
  let removes = 0;
  const perEnv = new Array(size.envs).fill(0);
  for (let f = 0; f < size.flags; f++) {
    for (let e = 0; e < size.envs; e++) {
      for (let i = 0; i < size.targets; i++) {
        const k = (f * size.envs + e) * size.targets + i;
        if (k % 10 === 0) adds += 1;
        if (k % 20 === 5) removes += 1;
        if (k % 10 === 0 || k % 20 === 5) perEnv[e] += 1;
      }
    }
  }
  return { adds, removes, perEnv };
}

/** Seeds the emulator's demo app with the scenario's flags as they are live. */
export function seedEmulator(emulator, size) {
  emulator.store.addFlags(emulator.appId, size.flags, (f) => ({
    key: flagKey(f),
    name: `Bench flag ${f}`,
    targets: Object.fromEntries(
      ENVIRONMENTS.slice(0, size.envs).map((env, e) => {
        const { live } = targetsOf(size, f, e);
        return [env.id, { companyIds: live.companies, userIds: live.users }];
      }),
    ),
  }));
}

/** Writes the scenario's file(s) under `dir`, flags split evenly across `files` files. */
export async function writeFlagFiles(dir, size, { files = 1, appId = "apDemoApp01" } = {}) {
  await mkdir(dir, { recursive: true });
  const perFile = Math.ceil(size.flags / files);
  const paths = [];
  for (let n = 0; n < files; n++) {
    const lines = [
      "version: 1",
      `app: ${appId}`,
      "changeDescription: reflag-sync bench",
      "policy: { prune: true, maxChanges: 100000000 }",
      "flags:",
    ];
    for (let f = n * perFile; f < Math.min(size.flags, (n + 1) * perFile); f++) {
      lines.push(`  ${flagKey(f)}:`, "    targeting:");
      for (let e = 0; e < size.envs; e++) {
        const { desired } = targetsOf(size, f, e);
        lines.push(
          `      ${ENVIRONMENTS[e].name}:`,
          `        companies: [${desired.companies.join(", ")}]`,
          `        users: [${desired.users.join(", ")}]`,
        );
      }
    }
    const path = join(dir, files === 1 ? "flags.yaml" : `flags-${String(n).padStart(2, "0")}.yaml`);
    await writeFile(path, `${lines.join("\n")}\n`);
    paths.push(path);
  }
  return paths;
}
