// Saved plans (plan --out FILE, apply FILE): the plan with what it was computed from. Applying one
// re-reads exactly that basis and refuses if anything moved since (Terraform's "saved plan is
// stale"); otherwise it sends the saved plan's requests as they are, without planning again.
// The format: schemas/saved-plan.schema.json.
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import type { FlagHeader, Notification } from "../api/types.js";
import { UserError } from "../errors.js";
import { ApiError } from "../live/api-error.js";
import { readTargeting } from "../live/read.js";
import { changeCount, isEmptyPlan, planTotals } from "../plan/batches.js";
import type { Plan } from "../plan/model.js";
import { movedSince, type PlanBasis } from "./basis.js";
import type { Connection } from "./connect.js";
import { breachWarnings, policyBreaches, refusal, type PolicyLimits } from "./policy.js";
import type { ReconcileResult } from "./result.js";
import { auditText, failure, startRecord, type ReconcileInput } from "./run.js";
import { writePlan } from "./write.js";

export const SAVED_PLAN_KIND = "reflag-sync saved plan";
export const SAVED_PLAN_VERSION = 1;

export interface SavedPlan {
  kind: typeof SAVED_PLAN_KIND;
  formatVersion: typeof SAVED_PLAN_VERSION;
  createdAt: string;
  revision: string;
  files: string[];
  batchSize: number;
  changeDescription: string;
  notifications?: Notification[];
  policy: PolicyLimits;
  basis: PlanBasis;
  plan: Plan;
}

/** The saved form of a plan run; undefined when the run made no plan. */
export async function savedPlanOf(
  result: ReconcileResult,
  input: Pick<ReconcileInput, "desired" | "batchSize" | "cwd" | "now">,
): Promise<SavedPlan | undefined> {
  if (!result.plan || !result.basis) return undefined;
  const { desired } = input;
  return {
    kind: SAVED_PLAN_KIND,
    formatVersion: SAVED_PLAN_VERSION,
    createdAt: input.now().toISOString(),
    revision: result.revision,
    files: [...desired.files],
    batchSize: input.batchSize,
    changeDescription: await auditText(input),
    ...(desired.notifications !== undefined ? { notifications: [...desired.notifications] } : {}),
    policy: { maxChanges: desired.policy.maxChanges, maxRemovalShare: desired.policy.maxRemovalShare },
    basis: result.basis,
    plan: result.plan,
  };
}

const SCHEMAS = new URL("../../schemas/", import.meta.url);
let validator: ValidateFunction<SavedPlan> | undefined;

function validateSaved(): ValidateFunction<SavedPlan> {
  if (validator) return validator;
  const read = (name: string) => JSON.parse(readFileSync(new URL(name, SCHEMAS), "utf8")) as object;
  const ajv = new Ajv({ strict: true, allErrors: false, allowUnionTypes: true });
  ajv.addSchema(read("plan.schema.json"), "plan.schema.json");
  validator = ajv.compile<SavedPlan>(read("saved-plan.schema.json"));
  return validator;
}

/** A saved plan file's text -> the plan; a clear UserError for anything else. */
export function parseSavedPlan(text: string, path: string): SavedPlan {
  const hint = "Save a plan with 'reflag-sync plan --out FILE', then apply it with 'reflag-sync apply FILE'.";
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(
      "RS_SAVED_PLAN",
      `${path} is not a saved plan: it is not JSON (${(err as Error).message})`,
      [hint],
    );
  }
  const record =
    typeof data === "object" && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : {};
  if (record.kind !== SAVED_PLAN_KIND) {
    // `plan --output json` looks close, but has no basis to check staleness against.
    const what =
      "changes" in record && "totals" in record
        ? "the output of plan --output json, not a saved plan"
        : "not a reflag-sync saved plan";
    throw new UserError("RS_SAVED_PLAN", `${path} is ${what}: nothing was applied`, [hint]);
  }
  const version = record.formatVersion;
  if (typeof version === "number" && version > SAVED_PLAN_VERSION) {
    throw new UserError(
      "RS_SAVED_PLAN",
      `${path} was saved by a newer reflag-sync (saved plan format ${version}; this one reads format ${SAVED_PLAN_VERSION}): nothing was applied`,
      ["Upgrade reflag-sync, or plan again with this one."],
    );
  }
  const validate = validateSaved();
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`,
    );
    throw new UserError(
      "RS_SAVED_PLAN",
      `${path} is not a valid saved plan (damaged or edited): nothing was applied`,
      [...problems, hint],
    );
  }
  return data;
}

export interface SavedApplyInput {
  saved: SavedPlan;
  /** The saved plan's file, for messages. */
  path: string;
  connection: Connection;
  now: () => Date;
  /** Apply a plan that breaks the saved policy. Staleness is never forced. */
  force?: boolean;
  verify?: boolean;
  beforeApply?: (plan: Plan) => Promise<void>;
  signal?: AbortSignal;
  onProgress?: ReconcileInput["onProgress"];
}

/** Re-reads the saved plan's basis; refuses if it moved, else sends the saved requests. */
export async function applySavedPlan(input: SavedApplyInput): Promise<ReconcileResult> {
  const { saved } = input;
  const finish = startRecord({ ...input, trigger: "command", revision: saved.revision });
  const { plan, basis } = saved;
  const totals = planTotals(plan, saved.batchSize);
  const counts = { ...totals, changes: changeCount(totals) };
  const planned = { plan, basis, counts };
  if (isEmptyPlan(plan)) return finish({ outcome: "in-sync", ...planned });

  // Re-read exactly what the plan was computed from.
  let moved: string[];
  try {
    moved = await readMoved(input);
  } catch (err) {
    return finish({ ...failure(err), counts });
  }
  if (moved.length > 0) {
    const flags = moved.length === 1 ? "1 flag" : `${moved.length} flags`;
    return finish({
      outcome: "refused",
      errorClass: "refused",
      error: {
        code: "RS_STALE_PLAN",
        message: `saved plan is stale: ${flags} changed in Reflag since ${input.path} was made; nothing was applied`,
        details: [...moved, "Plan again (plan --out FILE), review the new plan, and apply that."],
      },
      // No plan: it is not what would be applied, so it is not shown.
      counts,
    });
  }

  const breaches = policyBreaches(plan, counts.changes, basis.targeting, saved.policy);
  const warnings = breachWarnings(breaches);
  if (breaches.length > 0 && !input.force) {
    return finish({
      outcome: "refused",
      errorClass: "refused",
      error: refusal(breaches),
      ...planned,
      warnings,
    });
  }
  await input.beforeApply?.(plan);
  const written = await writePlan({
    connection: input.connection,
    plan,
    batchSize: saved.batchSize,
    changeDescription: saved.changeDescription,
    notifications: saved.notifications,
    verify: input.verify !== false,
    signal: input.signal,
    onProgress: input.onProgress,
  });
  return finish({ ...planned, warnings, ...written });
}

async function readMoved(input: SavedApplyInput): Promise<string[]> {
  const { client } = input.connection;
  const appId = input.saved.plan.appId;
  const [app, flags] = await Promise.all([client.getApp(appId), client.listFlags(appId)]).catch(
    (err: unknown) => {
      // A key of another app: the plan cannot be for this key's app.
      if (err instanceof ApiError && (err.status === 403 || err.status === 404)) {
        throw new UserError(
          "RS_SAVED_PLAN",
          `${input.path} is a plan for app '${appId}' (${input.saved.plan.appName}), which ${err.status === 404 ? "was not found" : "is not accessible"} with this API key: nothing was applied`,
          [err.message, "Use a Management API key of that app, or plan again for the app of this key."],
        );
      }
      throw err;
    },
  );
  // A deleted flag has no targeting to read; movedSince names it.
  const ids = new Map<string, string>(flags.map((f: FlagHeader) => [f.key, f.id]));
  const sameFlag = new Set(
    input.saved.basis.flags.filter((f) => f.id !== undefined && ids.get(f.key) === f.id).map((f) => f.key),
  );
  const pairs = input.saved.basis.targeting.filter((t) => sameFlag.has(t.flagKey));
  const targeting = await readTargeting(client, appId, pairs, (done, total) =>
    input.onProgress?.("read", done, total),
  );
  const envNames = new Map(app.environments.map((e) => [e.id, e.name]));
  return movedSince(input.saved.basis, flags, targeting, envNames);
}
