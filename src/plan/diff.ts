// diff(desired, live, now) -> Plan. Pure and deterministic: no I/O, no clock reads, sorted output.
import { pushAll } from "../arrays.js";
import type { DesiredTarget } from "../desired/model.js";
import type { FlagHeader } from "../api/types.js";
import { targetingKey, type LiveState } from "./live-state.js";
import type {
  EnvironmentPlan,
  FieldChange,
  FlagCreate,
  FlagUpdate,
  Plan,
  TargetChange,
  TargetKind,
} from "./model.js";
import { compare } from "../compare.js";
import type { ResolvedDesired, ResolvedFlag } from "./resolve.js";

export function diff(desired: ResolvedDesired, live: LiveState, now: Date): Plan {
  const liveByKey = new Map(live.flags.map((f) => [f.key, f]));
  const creates: FlagCreate[] = [];
  const updates: FlagUpdate[] = [];
  const changesByEnv = new Map<string, TargetChange[]>();

  for (const flag of desired.flags) {
    const current = liveByKey.get(flag.key);
    if (current) {
      const update = metadataUpdate(flag, current);
      if (update) updates.push(update);
    } else {
      creates.push(createOf(flag));
      // POST cannot archive: a flag wanted archived is created, then updated.
      if (flag.archived === true) {
        updates.push({
          key: flag.key,
          body: { isArchived: true },
          changes: [{ field: "archived", from: false, to: true }],
        });
      }
    }

    for (const t of flag.targeting) {
      const liveTargets = current ? live.targeting.get(targetingKey(flag.key, t.envId)) : undefined;
      const companies = targetChanges(
        flag.key,
        "company",
        t.companies,
        liveTargets?.companies ?? [],
        desired.prune,
        now,
      );
      const users = targetChanges(flag.key, "user", t.users, liveTargets?.users ?? [], desired.prune, now);
      if (companies.length + users.length === 0) continue;
      const list = changesByEnv.get(t.envId) ?? [];
      pushAll(pushAll(list, companies), users);
      changesByEnv.set(t.envId, list);
    }
  }

  const envs = new Map(live.app.environments.map((e) => [e.id, e]));
  const environments: EnvironmentPlan[] = [...changesByEnv.entries()]
    .map(([envId, changes]) => {
      const env = envs.get(envId);
      return {
        envId,
        envName: env?.name ?? envId,
        ...(env?.isProduction !== undefined ? { isProduction: env.isProduction } : {}),
        changes: changes.sort(byTarget),
      };
    })
    .sort((a, b) => compare(a.envName, b.envName) || compare(a.envId, b.envId));

  const managed = new Set(desired.flags.map((f) => f.key));
  return {
    appId: live.app.id,
    appName: live.app.name,
    creates: creates.sort((a, b) => compare(a.key, b.key)),
    updates: updates.sort((a, b) => compare(a.key, b.key)),
    environments,
    unmanaged: live.flags
      .map((f) => f.key)
      .filter((key) => !managed.has(key))
      .sort(compare),
  };
}

/** A target is desired until its `until` instant; from then on it is treated as absent. */
function isActive(target: DesiredTarget, now: Date): boolean {
  return target.until === undefined || Date.parse(target.until) > now.getTime();
}

function targetChanges(
  flagKey: string,
  kind: TargetKind,
  desired: DesiredTarget[],
  live: string[],
  prune: boolean,
  now: Date,
): TargetChange[] {
  if (!desired.some((t) => t.until !== undefined)) return mergeChanges(flagKey, kind, desired, live, prune);
  // id -> the latest `until` among its active entries (undefined: one entry has no end).
  const active = new Map<string, DesiredTarget>();
  const expired = new Map<string, DesiredTarget>();
  for (const target of desired) {
    if (!isActive(target, now)) {
      if (!expired.has(target.id)) expired.set(target.id, target);
      continue;
    }
    const seen = active.get(target.id);
    if (!seen || (seen.until !== undefined && (target.until === undefined || target.until > seen.until))) {
      active.set(target.id, target);
    }
  }
  const liveSet = new Set(live);
  const changes: TargetChange[] = [];
  for (const [id, target] of active) {
    if (liveSet.has(id)) continue;
    const until = target.untilText ?? target.until;
    changes.push({ flagKey, kind, id, op: "add", ...(until !== undefined ? { until } : {}) });
  }
  for (const id of liveSet) {
    // After its `until` a target is treated as absent: like any absent target, removed with prune.
    if (active.has(id) || !prune) continue;
    const gone = expired.get(id);
    changes.push(
      gone
        ? { flagKey, kind, id, op: "remove", reason: "expired", expiredAt: gone.untilText ?? gone.until! }
        : { flagKey, kind, id, op: "remove", reason: "prune" },
    );
  }
  return changes.sort((a, b) => compare(a.id, b.id));
}

/**
 * The changes of a list without time-bound targets, sorted by id: both sides sorted (the built-in
 * sort compares code units, like `compare`, and is far cheaper than a Map and a Set per list at a
 * million targets), then merged.
 */
function mergeChanges(
  flagKey: string,
  kind: TargetKind,
  desired: DesiredTarget[],
  live: string[],
  prune: boolean,
): TargetChange[] {
  const want = desired.map((t) => t.id).sort();
  const have = live.slice().sort();
  const changes: TargetChange[] = [];
  let i = 0;
  let j = 0;
  while (i < want.length || j < have.length) {
    const w = want[i];
    const h = have[j];
    if (h === undefined || (w !== undefined && w < h)) {
      if (w !== want[i - 1]) changes.push({ flagKey, kind, id: w!, op: "add" });
      i++;
    } else if (w === undefined || h < w) {
      if (prune && h !== have[j - 1]) changes.push({ flagKey, kind, id: h, op: "remove", reason: "prune" });
      j++;
    } else {
      // The same id on both sides (and any repeats of it): nothing to change.
      while (want[i] === w) i++;
      while (have[j] === h) j++;
    }
  }
  return changes;
}

function createOf(flag: ResolvedFlag): FlagCreate {
  return {
    key: flag.key,
    // resolveDesired refuses to create a flag without a name.
    name: flag.name ?? flag.key,
    ...(typeof flag.description === "string" ? { description: flag.description } : {}),
    ...(flag.stage ? { stage: flag.stage } : {}),
  };
}

function metadataUpdate(flag: ResolvedFlag, current: FlagHeader): FlagUpdate | undefined {
  const body: FlagUpdate["body"] = {};
  const changes: FieldChange[] = [];
  if (flag.name !== undefined && flag.name !== current.name) {
    body.name = flag.name;
    changes.push({ field: "name", from: current.name, to: flag.name });
  }
  // An empty description and no description are the same to a reader.
  if (flag.description !== undefined && (flag.description ?? "") !== (current.description ?? "")) {
    body.description = flag.description;
    changes.push({ field: "description", from: current.description ?? null, to: flag.description });
  }
  if (flag.stage && flag.stage.id !== current.stage?.id) {
    body.stageId = flag.stage.id;
    changes.push({ field: "stage", from: current.stage?.name ?? null, to: flag.stage.name });
  }
  if (flag.archived !== undefined && flag.archived !== current.archived) {
    body.isArchived = flag.archived;
    changes.push({ field: "archived", from: current.archived, to: flag.archived });
  }
  return changes.length > 0 ? { key: flag.key, flagId: current.id, body, changes } : undefined;
}

function byTarget(a: TargetChange, b: TargetChange): number {
  return compare(a.flagKey, b.flagKey) || compare(a.kind, b.kind) || compare(a.id, b.id);
}
