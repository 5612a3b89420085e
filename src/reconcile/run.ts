// One reconcile: live state -> plan -> (apply), as a list of stages. It never throws for a failure
// the user or the service causes: those end up in the result record, classified by what happens
// next. Only a bug, or the caller's own beforeApply hook, throws.
import { dirname, resolve } from "node:path";
import { changeDescription, describeGitCommit } from "../apply/description.js";
import type { DesiredState } from "../desired/model.js";
import { UserError } from "../errors.js";
import { ApiError } from "../live/api-error.js";
import { readLive } from "../live/read.js";
import { changeCount, isEmptyPlan, planTotals } from "../plan/batches.js";
import { diff } from "../plan/diff.js";
import type { Plan } from "../plan/model.js";
import { labelChanges } from "../plan/origin.js";
import { resolveForComparison } from "../plan/resolve.js";
import { withWarnings } from "../plan/warnings.js";
import { holdBack, type ChangeRef } from "../plan/hold.js";
import { selectFlags } from "../desired/select.js";
import type { BaseDesired } from "./base.js";
import { planBasis } from "./basis.js";
import { requestsSince, type Connection } from "./connect.js";
import { breachWarnings, policyBreaches, refusal } from "./policy.js";
import { writePlan } from "./write.js";
import { NO_COUNTS, type Outcome, type ReconcileResult, type Trigger } from "./result.js";

export interface ReconcileInput {
  desired: DesiredState;
  revision: string;
  trigger: Trigger;
  connection: Connection;
  /** plan: read and plan only (plan, watch --no-self-heal). apply: also write. */
  mode: "plan" | "apply";
  batchSize: number;
  now: () => Date;
  /** Apply a plan that breaks the file's policy (maxChanges, maxRemovalShare). The daemon never forces. */
  force?: boolean;
  /** The audit text; default the file's changeDescription plus the git commit of the files. */
  changeDescription?: string;
  /** Resolves the files' paths (git commit lookup). */
  cwd: string;
  /** Called with a non-empty plan that passed the safety checks, before anything is written (print, confirm). */
  beforeApply?: (plan: Plan) => Promise<void>;
  /** Re-read the targeting written and report targets not as planned (default true). */
  verify?: boolean;
  /** Once aborted nothing new is sent; requests in flight finish and are reported. */
  signal?: AbortSignal;
  onProgress?: (phase: "read" | "apply", done: number, total: number) => void;
  /** --flag: only the managed flags whose key matches one of these globs are planned and applied. */
  flags?: readonly string[];
  /** --base: the file at an earlier revision; each change is labelled change or drift. */
  base?: BaseDesired;
  /**
   * Called with the plan before any check: the keys (see plan/hold) of changes to leave out of this
   * run. The daemon holds back flapping changes; they are reported in `held`, not applied.
   */
  hold?: (plan: Plan) => ReadonlySet<string>;
}

export async function reconcile(input: ReconcileInput): Promise<ReconcileResult> {
  // A fresh retry budget and deadline for this run, even on the daemon's long-lived client.
  input.connection.client.beginRun();
  const finish = startRecord(input);

  // Narrow the managed scope to the flags asked for.
  const selection = input.flags ? selectFlags(input.desired, input.flags) : undefined;
  if (selection && selection.matched === 0) {
    const globs = selection.patterns.map((g) => `'${g}'`).join(", ");
    return finish({
      outcome: "invalid",
      errorClass: "invalid-plan",
      error: {
        code: "RS_USAGE",
        message: `--flag ${globs} matches none of the ${selection.managed} flags the file manages`,
        details: [
          `They are: ${input.desired.flags
            .slice(0, 10)
            .map((f) => f.key)
            .join(", ")}${selection.managed > 10 ? ", …" : ""}`,
        ],
      },
    });
  }
  const desired = selection?.desired ?? input.desired;

  // Read the live state of the managed scope, and resolve the file's names against the app.
  let read;
  try {
    read = await readLive(input.connection.client, desired, (done, total) =>
      input.onProgress?.("read", done, total),
    );
  } catch (err) {
    return finish(failure(err));
  }
  if (!read.live || !read.resolved) {
    const errors = read.diagnostics.filter((d) => d.severity === "error").length;
    return finish({
      outcome: "invalid",
      errorClass: "invalid-plan",
      error: {
        code: "RS_PLAN_INVALID",
        message: `the file does not match app ${input.desired.app}: ${errors} ${errors === 1 ? "error" : "errors"}`,
      },
      diagnostics: read.diagnostics,
    });
  }

  // Compute the plan (pure), label it against the base, and check it against the file's policy.
  const now = input.now();
  let plan = diff(read.resolved, read.live, now);
  if (selection) {
    const { patterns, matched, managed, managedKeys } = selection;
    // A managed flag left out by --flag is still not "unmanaged".
    const unmanaged = plan.unmanaged.filter((key) => !managedKeys.has(key));
    plan = { ...plan, unmanaged, partial: { patterns, matched, managed } };
  }
  if (input.base) {
    const atBase = input.base.desired
      ? resolveForComparison(input.base.desired, read.live.app)
      : { appId: desired.app, prune: desired.policy.prune, flags: [] };
    // The base is about another app: none of its flags are these.
    const comparable = input.base.desired?.app === desired.app ? atBase : { ...atBase, flags: [] };
    plan = { ...labelChanges(comparable, read.resolved, plan, now), base: input.base.revision };
  }
  // Leave out what the caller holds back: the rest is checked and applied as usual.
  let held: ChangeRef[] = [];
  if (input.hold) ({ plan, held } = holdBack(plan, input.hold(plan)));
  const totals = planTotals(plan, input.batchSize);
  const counts = { ...totals, changes: changeCount(totals) };
  const basis = planBasis(read.resolved, read.live);
  const planned = {
    plan,
    basis,
    counts,
    diagnostics: read.diagnostics,
    ...(held.length > 0 ? { held } : {}),
  };
  const baseWarnings = input.base?.warnings ?? [];
  if (isEmptyPlan(plan))
    return finish({ outcome: "in-sync", ...planned, plan: withWarnings(plan, baseWarnings) });
  const breaches = policyBreaches(plan, counts.changes, basis.targeting, input.desired.policy);
  const warnings = breachWarnings(breaches);
  // Every output form shows the plan's warnings: the breaches, then the reviewer's notes.
  planned.plan = withWarnings(plan, [...warnings, ...baseWarnings]);
  if (input.mode === "plan") return finish({ outcome: "planned", ...planned, warnings });
  if (breaches.length > 0 && !input.force) {
    return finish({
      outcome: "refused",
      errorClass: "refused",
      error: refusal(breaches),
      ...planned,
      warnings,
    });
  }
  await input.beforeApply?.(planned.plan);

  const written = await writePlan({
    connection: input.connection,
    plan,
    batchSize: input.batchSize,
    changeDescription: await auditText(input),
    notifications: input.desired.notifications,
    verify: input.verify !== false,
    signal: input.signal,
    onProgress: input.onProgress,
  });
  return finish({ ...planned, warnings, ...written });
}

/** Starts a run's clock and request tally; the returned function completes its result record. */
export function startRecord(
  input: Pick<ReconcileInput, "trigger" | "revision" | "connection" | "now">,
): (fields: Partial<ReconcileResult> & { outcome: Outcome }) => ReconcileResult {
  const started = input.now();
  const before = input.connection.requests();
  return (fields) => ({
    trigger: input.trigger,
    revision: input.revision,
    startedAt: started.toISOString(),
    durationMs: input.now().getTime() - started.getTime(),
    counts: NO_COUNTS,
    requests: requestsSince(before, input.connection.requests()),
    diagnostics: [],
    warnings: [],
    ...fields,
  });
}

/** The audit text: the override, else the file's changeDescription plus the git commit of the files. */
export async function auditText(
  input: Pick<ReconcileInput, "changeDescription" | "desired" | "cwd">,
): Promise<string> {
  if (input.changeDescription !== undefined) return input.changeDescription;
  const files = input.desired.files.map((f) => resolve(input.cwd, f));
  const commit = files[0] ? await describeGitCommit(dirname(files[0]), files) : undefined;
  return changeDescription(undefined, input.desired.changeDescription, commit);
}

/** An error thrown while reading: classified, with the original kept for the CLI's report. */
export function failure(err: unknown): Pick<ReconcileResult, "outcome" | "errorClass" | "error" | "cause"> {
  if (err instanceof ApiError) {
    return {
      outcome: "failed",
      errorClass: err.transient ? "transient" : "fatal",
      error: { code: err.rsCode, message: err.message },
      cause: err,
    };
  }
  if (err instanceof UserError) {
    return {
      outcome: "failed",
      errorClass: "fatal",
      error: { code: err.code, message: err.message, details: err.details },
      cause: err,
    };
  }
  throw err;
}
