// The file's safety limits on a plan: too many changes (policy.maxChanges), or removing most of an
// environment's managed targets (policy.maxRemovalShare, a prune accident). Plan shows a breach
// as a warning; apply refuses it without --force. Pure.
import { compare } from "../compare.js";
import type { DesiredPolicy } from "../desired/model.js";
import type { Plan } from "../plan/model.js";
import type { TargetingBasis } from "./basis.js";
import type { PlanWarning, ReconcileResult } from "./result.js";

/** Removing this many targets or fewer in an environment is never refused by the share. */
export const REMOVAL_FLOOR = 10;
/** Flags listed per environment in a removal breach; the rest are counted. */
const FLAGS_SHOWN = 20;

export type PolicyLimits = Pick<DesiredPolicy, "maxChanges" | "maxRemovalShare">;

/**
 * `changes`: what policy.maxChanges counts. `targeting`: every managed flag × environment read,
 * with its live target count.
 */
export function policyBreaches(
  plan: Plan,
  changes: number,
  targeting: readonly TargetingBasis[],
  policy: PolicyLimits,
): PlanWarning[] {
  const breaches: PlanWarning[] = [];
  if (changes > policy.maxChanges) {
    breaches.push({
      code: "max-changes",
      message: `the plan has ${changes} changes, more than policy.maxChanges (${policy.maxChanges})`,
    });
  }
  return breaches.concat(removalBreaches(plan, targeting, policy.maxRemovalShare));
}

/** One breach per environment where removals exceed both the floor and the share of live targets. */
function removalBreaches(plan: Plan, targeting: readonly TargetingBasis[], share: number): PlanWarning[] {
  const liveByEnv = new Map<string, Map<string, number>>();
  for (const t of targeting) {
    const flags = liveByEnv.get(t.envId) ?? new Map<string, number>();
    flags.set(t.flagKey, t.targets);
    liveByEnv.set(t.envId, flags);
  }
  const breaches: PlanWarning[] = [];
  for (const env of plan.environments) {
    const removedByFlag = new Map<string, number>();
    let removed = 0;
    for (const change of env.changes) {
      if (change.op !== "remove") continue;
      removed++;
      removedByFlag.set(change.flagKey, (removedByFlag.get(change.flagKey) ?? 0) + 1);
    }
    const liveFlags = liveByEnv.get(env.envId) ?? new Map<string, number>();
    let live = 0;
    for (const n of liveFlags.values()) live += n;
    if (removed <= REMOVAL_FLOOR || removed <= share * live) continue;
    const flags = [...removedByFlag.entries()].sort((a, b) => compare(a[0], b[0]));
    const details = flags
      .slice(0, FLAGS_SHOWN)
      .map(([key, n]) => `${key}: ${n} of ${liveFlags.get(key) ?? 0} removed`);
    if (flags.length > FLAGS_SHOWN) details.push(`… and ${flags.length - FLAGS_SHOWN} more flags`);
    breaches.push({
      code: "removal-share",
      message:
        `${env.envName}: the plan removes ${removed} of the ${live} live targets of the flags the file manages there ` +
        `(${percent(removed / live)}), more than policy.maxRemovalShare (${percent(share)})`,
      details,
    });
  }
  return breaches;
}

/** The warnings plan prints: each breach, and what apply will do about it. */
export function breachWarnings(breaches: readonly PlanWarning[]): PlanWarning[] {
  return breaches.map((b) => ({ ...b, message: `${b.message}: apply refuses it without --force` }));
}

/** Apply's error for a plan with breaches: each one with its counts, and how to go on. */
export function refusal(breaches: readonly PlanWarning[]): NonNullable<ReconcileResult["error"]> {
  const settings = [...new Set(breaches.map((b) => SETTING[b.code]))].join(" or ");
  const hint = `Review the plan, then run again with --force, or raise ${settings} in the file.`;
  const [only] = breaches;
  if (breaches.length === 1 && only) {
    return {
      code: "RS_REFUSED",
      message: `${only.message}; nothing was applied`,
      details: [...(only.details ?? []), hint],
    };
  }
  const details: string[] = [];
  for (const b of breaches) {
    details.push(b.message);
    for (const line of b.details ?? []) details.push(`  ${line}`);
  }
  details.push(hint);
  return {
    code: "RS_REFUSED",
    message: `the plan breaks ${breaches.length} safety limits of the file's policy; nothing was applied`,
    details,
  };
}

const SETTING: Record<PlanWarning["code"], string> = {
  "max-changes": "policy.maxChanges",
  "removal-share": "policy.maxRemovalShare",
};

function percent(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}
