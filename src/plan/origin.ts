// `plan --base`: label each change of a plan as asked for by the file's change since a base
// revision, or as reverting drift (base and file agree; live state was changed outside git).
// Pure: the desired state at both revisions, resolved against the same live app, and the plan.
import type { DesiredTarget } from "../desired/model.js";
import type { ChangeOrigin, FieldChange, Plan, TargetChange } from "./model.js";
import type { ResolvedDesired, ResolvedFlag, ResolvedTargeting } from "./resolve.js";

export function labelChanges(base: ResolvedDesired, head: ResolvedDesired, plan: Plan, now: Date): Plan {
  const baseFlags = new Map(base.flags.map((f) => [f.key, f]));
  const headFlags = new Map(head.flags.map((f) => [f.key, f]));
  // Active ids per (flag, environment, kind) at the base, computed once per pair.
  const activeAtBase = new Map<string, Set<string> | undefined>();
  const baseActive = (c: TargetChange, envId: string): Set<string> | undefined => {
    const key = `${c.flagKey}\u0000${envId}\u0000${c.kind}`;
    if (!activeAtBase.has(key)) {
      const t = targetingOf(baseFlags.get(c.flagKey), envId);
      activeAtBase.set(key, t && activeIds(c.kind === "company" ? t.companies : t.users, now));
    }
    return activeAtBase.get(key);
  };

  const targetOrigin = (c: TargetChange, envId: string): ChangeOrigin => {
    // An environment the base did not manage for this flag: the change starts managing it.
    const active = baseActive(c, envId);
    if (!active) return "change";
    // Base would also add it, or (with prune) also remove it: the two revisions agree.
    if (c.op === "add") return active.has(c.id) ? "drift" : "change";
    return base.prune && !active.has(c.id) ? "drift" : "change";
  };

  return {
    ...plan,
    creates: plan.creates.map((c) => ({ ...c, origin: baseFlags.has(c.key) ? "drift" : "change" })),
    updates: plan.updates.map((u) => ({
      ...u,
      changes: u.changes.map((f) => ({
        ...f,
        origin: fieldOrigin(f, baseFlags.get(u.key), headFlags.get(u.key)),
      })),
    })),
    environments: plan.environments.map((env) => ({
      ...env,
      changes: env.changes.map((c) => ({ ...c, origin: targetOrigin(c, env.envId) })),
    })),
  };
}

function fieldOrigin(
  f: FieldChange,
  base: ResolvedFlag | undefined,
  head: ResolvedFlag | undefined,
): ChangeOrigin {
  if (!base || !head) return "change";
  switch (f.field) {
    case "name":
      return base.name !== undefined && base.name === head.name ? "drift" : "change";
    case "description":
      // An empty description and no description are the same, as in the diff.
      return base.description !== undefined && (base.description ?? "") === (head.description ?? "")
        ? "drift"
        : "change";
    case "stage":
      return base.stage !== undefined && base.stage.id === head.stage?.id ? "drift" : "change";
    case "archived":
      return base.archived !== undefined && base.archived === head.archived ? "drift" : "change";
  }
}

function targetingOf(flag: ResolvedFlag | undefined, envId: string): ResolvedTargeting | undefined {
  return flag?.targeting.find((t) => t.envId === envId);
}

/** As the diff decides it: a target is desired until its `until` instant. */
function activeIds(targets: DesiredTarget[], now: Date): Set<string> {
  const ids = new Set<string>();
  for (const t of targets) if (t.until === undefined || Date.parse(t.until) > now.getTime()) ids.add(t.id);
  return ids;
}

/** Counts by origin; unlabelled changes (no --base) count as "change". */
export interface OriginCounts {
  change: number;
  drift: number;
}

export function countOrigins(plan: Plan): OriginCounts {
  const counts: OriginCounts = { change: 0, drift: 0 };
  const tally = (o: ChangeOrigin | undefined) => counts[o ?? "change"]++;
  for (const c of plan.creates) tally(c.origin);
  for (const u of plan.updates) for (const f of u.changes) tally(f.origin);
  for (const env of plan.environments) for (const c of env.changes) tally(c.origin);
  return counts;
}
