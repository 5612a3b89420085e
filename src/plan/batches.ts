// Turning a plan into the fewest write requests: pure, deterministic.
import type { CreateFlagBody, SpecificTargetUpdate, UpdateFlagBody } from "../api/types.js";
import type { Plan, PlanTotals, TargetChange } from "./model.js";

export const DEFAULT_BATCH_SIZE = 100;

export type WriteRequest =
  | { kind: "createFlag"; flagKey: string; body: CreateFlagBody }
  | { kind: "updateFlag"; flagKey: string; flagId?: string; body: UpdateFlagBody }
  | {
      kind: "targets";
      envId: string;
      envName: string;
      /** 1-based position of this batch among the environment's batches, and their count. */
      batch: number;
      batches: number;
      /** Set when the service refused the batch's size and apply re-sent it in parts. */
      part?: { index: number; of: number };
      changes: TargetChange[];
    };

export function toUpdates(changes: TargetChange[]): SpecificTargetUpdate[] {
  return changes.map((c) => {
    const value = c.op === "add" ? true : null;
    return c.kind === "company"
      ? { flagKey: c.flagKey, value, companyId: c.id }
      : { flagKey: c.flagKey, value, userId: c.id };
  });
}

/**
 * Creates first (targets of a new flag need the flag), then metadata updates, then each
 * environment's target changes in batches of at most `batchSize` across flags. Updates that
 * archive a flag go last, so its targeting is settled before it is archived.
 */
export function toRequests(plan: Plan, batchSize: number = DEFAULT_BATCH_SIZE): WriteRequest[] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be >= 1, got ${batchSize}`);
  const creates: WriteRequest[] = plan.creates.map((c) => ({
    kind: "createFlag",
    flagKey: c.key,
    body: {
      key: c.key,
      name: c.name,
      ...(c.description !== undefined ? { description: c.description } : {}),
      ...(c.stage ? { stageId: c.stage.id } : {}),
    },
  }));
  const updates: WriteRequest[] = plan.updates.map((u) => ({
    kind: "updateFlag",
    flagKey: u.key,
    ...(u.flagId !== undefined ? { flagId: u.flagId } : {}),
    body: u.body,
  }));
  const archiving = (r: WriteRequest) => r.kind === "updateFlag" && r.body.isArchived === true;
  const targets: WriteRequest[] = plan.environments.flatMap((env) => {
    const batches = chunk(env.changes, batchSize);
    return batches.map((changes, i) => ({
      kind: "targets" as const,
      envId: env.envId,
      envName: env.envName,
      batch: i + 1,
      batches: batches.length,
      changes,
    }));
  });
  return [...creates, ...updates.filter((r) => !archiving(r)), ...targets, ...updates.filter(archiving)];
}

/** creates + metadata updates + Σ over environments ⌈changes / batch size⌉ */
export function countRequests(plan: Plan, batchSize: number = DEFAULT_BATCH_SIZE): number {
  return (
    plan.creates.length +
    plan.updates.length +
    plan.environments.reduce((sum, env) => sum + Math.ceil(env.changes.length / batchSize), 0)
  );
}

export function planTotals(plan: Plan, batchSize: number = DEFAULT_BATCH_SIZE): PlanTotals {
  let targetsToAdd = 0;
  let targetsToRemove = 0;
  const created = new Set(plan.creates.map((c) => c.key));
  const changed = new Set<string>();
  for (const env of plan.environments) {
    for (const change of env.changes) {
      if (change.op === "add") targetsToAdd++;
      else targetsToRemove++;
      if (!created.has(change.flagKey)) changed.add(change.flagKey);
    }
  }
  // A flag created archived needs an update too, but reads as one flag to create.
  const updated = plan.updates.filter((u) => !created.has(u.key));
  for (const u of updated) changed.add(u.key);
  return {
    flagsToCreate: plan.creates.length,
    flagsToUpdate: updated.length,
    flagsToChange: changed.size,
    targetsToAdd,
    targetsToRemove,
    environments: plan.environments.length,
    requests: countRequests(plan, batchSize),
  };
}

/** What policy.maxChanges counts: flags created or updated, and targets added or removed. */
export function changeCount(totals: PlanTotals): number {
  return totals.flagsToCreate + totals.flagsToUpdate + totals.targetsToAdd + totals.targetsToRemove;
}

export function isEmptyPlan(plan: Plan): boolean {
  return plan.creates.length === 0 && plan.updates.length === 0 && plan.environments.length === 0;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
