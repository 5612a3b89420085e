// The reconcile core: the one cycle (file -> desired -> live -> plan -> apply) behind plan, apply
// and watch, and its result record.
export { connect, requestsSince } from "./connect.js";
export type { Connection } from "./connect.js";
export { loadRevision } from "./load.js";
export type { LoadedRevision } from "./load.js";
export { reconcile } from "./run.js";
export type { ReconcileInput } from "./run.js";
export type { ErrorClass, Outcome, PlanWarning, ReconcileResult, RequestCounts, Trigger } from "./result.js";
export { loadBase } from "./base.js";
export type { BaseDesired } from "./base.js";
export { applySavedPlan, parseSavedPlan, savedPlanOf } from "./saved-plan.js";
export type { SavedApplyInput, SavedPlan } from "./saved-plan.js";
