// The plan and the apply result for machines: a stable format, documented by schemas/plan.schema.json.
// Objects are built field by field, so the key order is fixed and nothing undocumented leaks in.
import type { CreateFlagBody, UpdateFlagBody } from "../api/types.js";
import type { ApplyResult, RequestOutcome, RequestStatus, VerifyResult } from "../apply/model.js";
import { planTotals, toRequests, type WriteRequest } from "../plan/batches.js";
import type {
  BaseRevision,
  ChangeOrigin,
  FieldChange,
  FlagCreate,
  FlagUpdate,
  PartialScope,
  Plan,
  PlanTotals,
  PlanWarning,
  TargetChange,
} from "../plan/model.js";
import { checkBatchSize } from "./common.js";

/** Bumped only when a change would break a reader of the previous version. */
export const JSON_FORMAT_VERSION = 1;

export interface JsonPlanOptions {
  batchSize: number;
}

export type TargetChangeJson = TargetChange;

export interface FlagCreateJson {
  key: string;
  name: string;
  description?: string;
  stage?: { id: string; name: string };
  origin?: ChangeOrigin;
}

export interface FlagUpdateJson {
  key: string;
  flagId?: string;
  changes: FieldChange[];
}

export type RequestJson =
  | { kind: "createFlag"; flagKey: string; body: CreateFlagBody }
  | { kind: "updateFlag"; flagKey: string; flagId?: string; body: UpdateFlagBody }
  | { kind: "targets"; envId: string; envName: string; batch: number; batches: number; count: number };

export interface PlanJson {
  formatVersion: typeof JSON_FORMAT_VERSION;
  app: { id: string; name: string };
  changes: {
    creates: FlagCreateJson[];
    updates: FlagUpdateJson[];
    environments: { envId: string; envName: string; isProduction?: boolean; changes: TargetChangeJson[] }[];
  };
  unmanaged: string[];
  totals: PlanTotals;
  requests: RequestJson[];
  warnings: PlanWarning[];
  partial?: PartialScope;
  base?: BaseRevision;
}

export interface ApplyErrorJson {
  status?: number;
  code: string;
  message: string;
}

interface OutcomeJson {
  status: RequestStatus;
  error?: ApplyErrorJson;
}

export type ApplyRequestJson =
  | ({ kind: "createFlag"; flagKey: string } & OutcomeJson & { body: CreateFlagBody })
  | ({ kind: "updateFlag"; flagKey: string; flagId?: string } & OutcomeJson & { body: UpdateFlagBody })
  | ({ kind: "targets"; envId: string; envName: string; batch: number; batches: number } & OutcomeJson & {
        changes: (TargetChangeJson & { status: RequestStatus })[];
      });

export interface ApplyResultJson {
  formatVersion: typeof JSON_FORMAT_VERSION;
  ok: boolean;
  totals: {
    requests: number;
    applied: number;
    failed: number;
    unknown: number;
    notSent: number;
    targetsApplied: number;
    targetsNotApplied: number;
    targetsUnknown: number;
  };
  requests: ApplyRequestJson[];
}

export function renderPlanJson(plan: Plan, options: JsonPlanOptions): string {
  return stringify(planJson(plan, options));
}

/** The JSON form as an object, for callers that embed it in a larger document. */
export function planJson(plan: Plan, options: JsonPlanOptions): PlanJson {
  checkBatchSize(options.batchSize);
  const t = planTotals(plan, options.batchSize);
  const out: PlanJson = {
    formatVersion: JSON_FORMAT_VERSION,
    app: { id: plan.appId, name: plan.appName },
    changes: {
      creates: plan.creates.map(createJson),
      updates: plan.updates.map(updateJson),
      environments: plan.environments.map((env) => ({
        envId: env.envId,
        envName: env.envName,
        ...(env.isProduction !== undefined ? { isProduction: env.isProduction } : {}),
        changes: env.changes.map(targetJson),
      })),
    },
    unmanaged: [...plan.unmanaged],
    totals: {
      flagsToCreate: t.flagsToCreate,
      flagsToUpdate: t.flagsToUpdate,
      flagsToChange: t.flagsToChange,
      targetsToAdd: t.targetsToAdd,
      targetsToRemove: t.targetsToRemove,
      environments: t.environments,
      requests: t.requests,
    },
    // The targets are listed once, under changes; a request only says how many it carries.
    requests: toRequests(plan, options.batchSize).map((r): RequestJson =>
      r.kind === "targets"
        ? {
            kind: r.kind,
            envId: r.envId,
            envName: r.envName,
            batch: r.batch,
            batches: r.batches,
            count: r.changes.length,
          }
        : flagRequestJson(r),
    ),
    warnings: (plan.warnings ?? []).map((w) => ({
      code: w.code,
      message: w.message,
      ...(w.details ? { details: [...w.details] } : {}),
    })),
    ...(plan.partial
      ? {
          partial: {
            patterns: [...plan.partial.patterns],
            matched: plan.partial.matched,
            managed: plan.partial.managed,
          },
        }
      : {}),
    ...(plan.base
      ? { base: { ref: plan.base.ref, commit: plan.base.commit, newFiles: [...plan.base.newFiles] } }
      : {}),
  };
  return out;
}

export function renderApplyJson(result: ApplyResult): string {
  return stringify(applyResultJson(result));
}

/** The JSON form as an object, for callers that embed it in a larger document. */
export function applyResultJson(result: ApplyResult): ApplyResultJson {
  let targetsApplied = 0;
  let targetsNotApplied = 0;
  let targetsUnknown = 0;
  for (const o of result.outcomes) {
    if (o.request.kind !== "targets") continue;
    if (o.status === "applied") targetsApplied += o.request.changes.length;
    else if (o.status === "unknown") targetsUnknown += o.request.changes.length;
    else targetsNotApplied += o.request.changes.length;
  }
  const statusCount = (s: RequestStatus) => result.outcomes.filter((o) => o.status === s).length;
  const out: ApplyResultJson = {
    formatVersion: JSON_FORMAT_VERSION,
    ok: result.ok,
    totals: {
      requests: result.outcomes.length,
      applied: statusCount("applied"),
      failed: statusCount("failed"),
      unknown: statusCount("unknown"),
      notSent: statusCount("not-sent"),
      targetsApplied,
      targetsNotApplied,
      targetsUnknown,
    },
    requests: result.outcomes.map(outcomeJson),
  };
  return out;
}

function stringify(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function createJson(c: FlagCreate): FlagCreateJson {
  return {
    key: c.key,
    name: c.name,
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.stage ? { stage: { id: c.stage.id, name: c.stage.name } } : {}),
    ...(c.origin !== undefined ? { origin: c.origin } : {}),
  };
}

function updateJson(u: FlagUpdate): FlagUpdateJson {
  return {
    key: u.key,
    ...(u.flagId !== undefined ? { flagId: u.flagId } : {}),
    changes: u.changes.map((c) => ({
      field: c.field,
      from: c.from,
      to: c.to,
      ...(c.origin !== undefined ? { origin: c.origin } : {}),
    })),
  };
}

function targetJson(c: TargetChange): TargetChangeJson {
  return {
    flagKey: c.flagKey,
    kind: c.kind,
    id: c.id,
    op: c.op,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.expiredAt !== undefined ? { expiredAt: c.expiredAt } : {}),
    ...(c.until !== undefined ? { until: c.until } : {}),
    ...(c.origin !== undefined ? { origin: c.origin } : {}),
  };
}

function createBodyJson(b: CreateFlagBody): CreateFlagBody {
  return {
    key: b.key,
    name: b.name,
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...(b.stageId !== undefined ? { stageId: b.stageId } : {}),
    ...(b.ownerUserId !== undefined ? { ownerUserId: b.ownerUserId } : {}),
    ...(b.permanent !== undefined ? { permanent: b.permanent } : {}),
    ...(b.secret !== undefined ? { secret: b.secret } : {}),
  };
}

function updateBodyJson(b: UpdateFlagBody): UpdateFlagBody {
  return {
    ...(b.name !== undefined ? { name: b.name } : {}),
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...(b.stageId !== undefined ? { stageId: b.stageId } : {}),
    ...(b.ownerUserId !== undefined ? { ownerUserId: b.ownerUserId } : {}),
    ...(b.permanent !== undefined ? { permanent: b.permanent } : {}),
    ...(b.secret !== undefined ? { secret: b.secret } : {}),
    ...(b.isArchived !== undefined ? { isArchived: b.isArchived } : {}),
  };
}

function flagRequestJson(r: Exclude<WriteRequest, { kind: "targets" }>): RequestJson {
  return r.kind === "createFlag"
    ? { kind: r.kind, flagKey: r.flagKey, body: createBodyJson(r.body) }
    : {
        kind: r.kind,
        flagKey: r.flagKey,
        ...(r.flagId !== undefined ? { flagId: r.flagId } : {}),
        body: updateBodyJson(r.body),
      };
}

function outcomeJson(o: RequestOutcome): ApplyRequestJson {
  const r = o.request;
  const outcome: OutcomeJson = {
    status: o.status,
    ...(o.error
      ? {
          error: {
            ...(o.error.status !== undefined ? { status: o.error.status } : {}),
            code: o.error.code,
            message: o.error.message,
          },
        }
      : {}),
  };
  switch (r.kind) {
    case "createFlag":
      return { kind: r.kind, flagKey: r.flagKey, ...outcome, body: createBodyJson(r.body) };
    case "updateFlag":
      return {
        kind: r.kind,
        flagKey: r.flagKey,
        ...(r.flagId !== undefined ? { flagId: r.flagId } : {}),
        ...outcome,
        body: updateBodyJson(r.body),
      };
    case "targets":
      return {
        kind: r.kind,
        envId: r.envId,
        envName: r.envName,
        batch: r.batch,
        batches: r.batches,
        ...(r.part ? { part: { index: r.part.index, of: r.part.of } } : {}),
        ...outcome,
        changes: r.changes.map((c) => ({ ...targetJson(c), status: o.status })),
      };
  }
}

export type VerifyJson = VerifyResult;

/** The verification after an apply, field by field (schemas/plan.schema.json#/definitions/verifyResult). */
export function verifyJson(verify: VerifyResult): VerifyJson {
  return {
    checked: verify.checked,
    targetings: verify.targetings,
    mismatches: verify.mismatches.map((m) => ({
      flagKey: m.flagKey,
      envId: m.envId,
      envName: m.envName,
      kind: m.kind,
      id: m.id,
      expected: m.expected,
    })),
    ...(verify.error ? { error: { code: verify.error.code, message: verify.error.message } } : {}),
  };
}
