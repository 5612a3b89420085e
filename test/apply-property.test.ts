// Property, end to end over HTTP: for random live and desired states, plan -> apply against the
// emulator converges (the next plan is empty) in exactly the planned number of write requests.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { executeRequests } from "../src/apply/execute.js";
import type { DesiredState, DesiredTarget } from "../src/desired/model.js";
import { demoState } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { ReflagClient } from "../src/live/client.js";
import { readLive } from "../src/live/read.js";
import { countRequests, isEmptyPlan, toRequests } from "../src/plan/batches.js";
import { diff } from "../src/plan/diff.js";
import { expectedAfterApply } from "./support/plan-builders.js";

const AT = { file: "flags.yaml", line: 1, col: 1 };
const NOW = new Date("2026-11-26T12:00:00Z");
const APP = "apDemoApp01";
const FLAGS = ["new-checkout-flow", "dark-mode", "legacy-export", "brand-new"];
const ENVS = ["Production", "Staging", "Development"];
const ID = fc.constantFrom(
  "acme-corp",
  "globex",
  "initech",
  "user-9",
  "Acme",
  "a b",
  "x/y?z",
  "..",
  "%2F",
  "ü",
);

const target = fc.oneof(
  ID.map((id): DesiredTarget => ({ id, at: AT })),
  fc.record({ id: ID, past: fc.boolean() }).map(({ id, past }): DesiredTarget => ({
    id,
    until: past ? "2026-01-01T00:00:00.000Z" : "2027-01-01T00:00:00.000Z",
    at: AT,
  })),
);
const desiredArb = fc.record({
  prune: fc.boolean(),
  flags: fc.uniqueArray(
    fc.record({
      key: fc.constantFrom(...FLAGS),
      archived: fc.option(fc.boolean(), { nil: undefined }),
      stage: fc.option(fc.constantFrom("Beta", "Internal"), { nil: undefined }),
      targeting: fc.uniqueArray(
        fc.record({
          env: fc.constantFrom(...ENVS),
          companies: fc.array(target, { maxLength: 6 }),
          users: fc.array(target, { maxLength: 6 }),
        }),
        { selector: (t) => t.env, maxLength: 3 },
      ),
    }),
    { selector: (f) => f.key, maxLength: 4 },
  ),
});
const driftArb = fc.array(
  fc.record({
    flag: fc.constantFrom(...FLAGS.slice(0, 3)),
    env: fc.constantFrom("enProduction", "enStaging"),
    companies: fc.uniqueArray(ID, { maxLength: 4 }),
  }),
  { maxLength: 3 },
);

type DesiredSpec = typeof desiredArb extends fc.Arbitrary<infer T> ? T : never;

function toDesired(spec: DesiredSpec): DesiredState {
  return {
    app: APP,
    appAt: AT,
    policy: { prune: spec.prune, maxChanges: 10_000, maxRemovalShare: 1 },
    environments: {},
    files: ["flags.yaml"],
    flags: spec.flags.map((f) => ({
      key: f.key,
      at: AT,
      name: `Flag ${f.key}`,
      ...(f.archived !== undefined ? { archived: f.archived } : {}),
      ...(f.stage !== undefined ? { stage: { ref: f.stage, at: AT } } : {}),
      targeting: f.targeting.map((t) => ({
        key: t.env,
        ref: t.env,
        at: AT,
        companies: t.companies,
        users: t.users,
      })),
    })),
  };
}

describe("apply then plan, against the emulator", () => {
  it("converges in exactly the planned number of writes", async () => {
    await fc.assert(
      fc.asyncProperty(
        desiredArb,
        driftArb,
        fc.integer({ min: 1, max: 5 }),
        async (spec, drift, batchSize) => {
          const emulator = await startTestEmulator({ state: demoState() });
          try {
            for (const d of drift) emulator.store.setTargets(APP, d.flag, d.env, { companyIds: d.companies });
            const client = new ReflagClient({
              baseUrl: emulator.url,
              apiKey: emulator.apiKey,
              maxAttempts: 1,
            });
            const desired = toDesired(spec);

            const first = await readLive(client, desired);
            expect(first.diagnostics).toEqual([]);
            const plan = diff(first.resolved!, first.live!, NOW);
            emulator.resetStats();
            const result = await executeRequests(client, APP, toRequests(plan, batchSize), {
              changeDescription: "property",
            });
            expect(result.ok).toBe(true);
            const s = emulator.stats();
            expect((s.byMethod.POST ?? 0) + (s.byMethod.PATCH ?? 0)).toBe(countRequests(plan, batchSize));

            // An independent oracle: what each managed list must hold afterwards.
            for (const f of spec.flags) {
              for (const t of f.targeting) {
                const envId = first.live!.app.environments.find((e) => e.name === t.env)!.id;
                const before = first.live!.targeting.get(`${f.key}\u0000${envId}`) ?? {
                  companies: [],
                  users: [],
                };
                const after = emulator.store.getTargets(APP, f.key, envId);
                expect([...after.companyIds].sort()).toEqual(
                  expectedAfterApply(t.companies, before.companies, spec.prune, NOW),
                );
                expect([...after.userIds].sort()).toEqual(
                  expectedAfterApply(t.users, before.users, spec.prune, NOW),
                );
              }
            }

            const second = await readLive(client, desired);
            expect(isEmptyPlan(diff(second.resolved!, second.live!, NOW))).toBe(true);
          } finally {
            await emulator.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
