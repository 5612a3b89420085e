// What a plan was computed from: the targeting version of every flag × environment read, and the
// live values of the flag fields the diff compared. A saved plan keeps it, so that apply can tell
// whether the live state moved since (Terraform's "saved plan is stale").
import type { FlagHeader } from "../api/types.js";
import { compare } from "../compare.js";
import { targetingKey, type LiveState, type LiveTargets } from "../plan/live-state.js";
import type { FieldName } from "../plan/model.js";
import type { ResolvedDesired } from "../plan/resolve.js";

export interface TargetingBasis {
  flagKey: string;
  envId: string;
  /** The API's targeting version; null if the service sent none (then it always counts as moved). */
  version: number | null;
  /** Live specific targets (companies + users): what the removal guard compares removals with. */
  targets: number;
}

/** A managed flag as the diff saw it; a field is present only when the file enforces it. */
export interface FlagBasis {
  key: string;
  /** Absent: the flag did not exist, and the plan creates it. */
  id?: string;
  name?: string;
  description?: string | null;
  /** The stage's id; null: no stage. */
  stage?: string | null;
  archived?: boolean;
}

export interface PlanBasis {
  /** Sorted as read: by flag key, then environment. */
  targeting: TargetingBasis[];
  /** Sorted by key. */
  flags: FlagBasis[];
}

export function planBasis(resolved: ResolvedDesired, live: LiveState): PlanBasis {
  const liveByKey = new Map(live.flags.map((f) => [f.key, f]));
  const targeting: TargetingBasis[] = [];
  const flags: FlagBasis[] = [];
  for (const flag of resolved.flags) {
    const current = liveByKey.get(flag.key);
    if (!current) {
      flags.push({ key: flag.key });
      continue;
    }
    flags.push(flagBasis(current, enforcedFields(flag)));
    for (const t of flag.targeting) {
      const read = live.targeting.get(targetingKey(flag.key, t.envId));
      if (read) targeting.push({ flagKey: flag.key, envId: t.envId, ...targetingState(read) });
    }
  }
  return { targeting, flags };
}

export function targetingState(read: LiveTargets): Pick<TargetingBasis, "version" | "targets"> {
  return { version: read.version ?? null, targets: read.companies.length + read.users.length };
}

/** The live values of the `enforced` fields of a flag. */
export function flagBasis(current: FlagHeader, enforced: readonly FieldName[]): FlagBasis {
  const basis: FlagBasis = { key: current.key, id: current.id };
  for (const field of enforced) {
    if (field === "name") basis.name = current.name;
    else if (field === "description") basis.description = current.description ?? null;
    else if (field === "stage") basis.stage = current.stage?.id ?? null;
    else basis.archived = current.archived;
  }
  return basis;
}

/** The fields a flag of the file, or a flag basis, holds: the ones the file enforces. */
export function enforcedFields(flag: Partial<Record<FieldName, unknown>>): FieldName[] {
  return FIELDS.filter((field) => flag[field] !== undefined);
}

const FIELDS: readonly FieldName[] = ["name", "description", "stage", "archived"];

/**
 * What moved since the basis was read, one line per flag (sorted by key): a flag created, deleted
 * or with a compared field changed, and every targeting whose version changed.
 */
export function movedSince(
  basis: PlanBasis,
  flags: readonly FlagHeader[],
  targeting: ReadonlyMap<string, LiveTargets>,
  envNames: ReadonlyMap<string, string>,
): string[] {
  const liveByKey = new Map(flags.map((f) => [f.key, f]));
  const moved = new Map<string, string[]>();
  const note = (key: string, what: string) => {
    const list = moved.get(key) ?? [];
    list.push(what);
    moved.set(key, list);
  };
  for (const was of basis.flags) {
    const current = liveByKey.get(was.key);
    if (was.id === undefined) {
      if (current) note(was.key, "was created");
      continue;
    }
    if (!current || current.id !== was.id) {
      note(was.key, current ? "was deleted and created again" : "was deleted");
      continue;
    }
    const now = flagBasis(current, enforcedFields(was));
    for (const field of enforcedFields(was)) {
      if (now[field] !== was[field]) note(was.key, `${field} changed`);
    }
  }
  for (const was of basis.targeting) {
    const now = targeting.get(targetingKey(was.flagKey, was.envId));
    const version = now ? targetingState(now).version : null;
    if (was.version !== null && version === was.version) continue;
    const env = envNames.get(was.envId) ?? was.envId;
    note(
      was.flagKey,
      `targeting in ${env} changed (version ${was.version ?? "unknown"} -> ${version ?? "unknown"})`,
    );
  }
  return [...moved.entries()]
    .sort((a, b) => compare(a[0], b[0]))
    .map(([key, what]) => `${key}: ${what.join("; ")}`);
}
