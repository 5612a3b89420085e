// Holding changes back: the daemon leaves a flapping change (another writer undoes it after every
// apply) out of the requests for a while. Pure: a plan in, the plan without those changes out.
import type { UpdateFlagBody } from "../api/types.js";
import type { WriteRequest } from "./batches.js";
import type { FieldName, FlagUpdate, Plan, TargetChange } from "./model.js";

/** One change of a plan, named the way a person reads it and keyed the way it is held. */
export interface ChangeRef {
  /** Stable across reconciles: environment, flag and target (or flag and field). */
  key: string;
  /** What the change does to that key ("add", "remove", or the field's new value): the same change twice has the same `to`. */
  to: string;
  flagKey: string;
  /** Target changes only. */
  envId?: string;
  envName?: string;
  /** "company acme-corp", "user user-1", or "field stage". */
  target: string;
}

type BodyField = keyof Pick<UpdateFlagBody, "name" | "description" | "stageId" | "isArchived">;

const BODY_FIELD: Record<FieldName, BodyField> = {
  name: "name",
  description: "description",
  stage: "stageId",
  archived: "isArchived",
};

export function targetRef(envId: string, envName: string, change: TargetChange): ChangeRef {
  return {
    key: JSON.stringify([envId, change.flagKey, change.kind, change.id]),
    to: change.op,
    flagKey: change.flagKey,
    envId,
    envName,
    target: `${change.kind} ${change.id}`,
  };
}

function fieldRef(flagKey: string, field: FieldName, body: UpdateFlagBody): ChangeRef {
  return {
    key: JSON.stringify(["", flagKey, "field", field]),
    to: JSON.stringify(body[BODY_FIELD[field]] ?? null),
    flagKey,
    target: `field ${field}`,
  };
}

function updateFields(body: UpdateFlagBody): FieldName[] {
  return (Object.keys(BODY_FIELD) as FieldName[]).filter((f) => body[BODY_FIELD[f]] !== undefined);
}

/** Every target and field change of the plan (creates are not changes that can be held). */
export function changeRefs(plan: Plan): ChangeRef[] {
  const refs: ChangeRef[] = [];
  for (const u of plan.updates) for (const f of updateFields(u.body)) refs.push(fieldRef(u.key, f, u.body));
  for (const env of plan.environments)
    for (const c of env.changes) refs.push(targetRef(env.envId, env.envName, c));
  return refs;
}

/** The changes of the write requests answered as applied. */
export function appliedRefs(outcomes: readonly { request: WriteRequest; status: string }[]): ChangeRef[] {
  const refs: ChangeRef[] = [];
  for (const { request, status } of outcomes) {
    if (status !== "applied") continue;
    if (request.kind === "targets") {
      for (const c of request.changes) refs.push(targetRef(request.envId, request.envName, c));
    } else if (request.kind === "updateFlag") {
      for (const f of updateFields(request.body)) refs.push(fieldRef(request.flagKey, f, request.body));
    }
  }
  return refs;
}

/** The plan without the changes whose key is in `keys` (order kept, emptied parts dropped), and those changes. */
export function holdBack(plan: Plan, keys: ReadonlySet<string>): { plan: Plan; held: ChangeRef[] } {
  if (keys.size === 0) return { plan, held: [] };
  const held: ChangeRef[] = [];
  const updates: FlagUpdate[] = [];
  for (const u of plan.updates) {
    const kept = updateFields(u.body).filter((f) => {
      const ref = fieldRef(u.key, f, u.body);
      if (!keys.has(ref.key)) return true;
      held.push(ref);
      return false;
    });
    if (kept.length === 0) continue;
    const body: FlagUpdate["body"] = {};
    for (const f of kept) Object.assign(body, { [BODY_FIELD[f]]: u.body[BODY_FIELD[f]] });
    updates.push({ ...u, body, changes: u.changes.filter((c) => kept.includes(c.field)) });
  }
  const environments = plan.environments.flatMap((env) => {
    const changes = env.changes.filter((c) => {
      const ref = targetRef(env.envId, env.envName, c);
      if (!keys.has(ref.key)) return true;
      held.push(ref);
      return false;
    });
    return changes.length === 0 ? [] : [{ ...env, changes }];
  });
  if (held.length === 0) return { plan, held };
  return { plan: { ...plan, updates, environments }, held };
}
