// Verification after apply: re-read the targeting of every flag × environment the apply wrote and
// check that each applied change holds, so that a concurrent writer or a change the service lost
// is reported instead of assumed away. Only what was written is re-read.
import type { ApplyResult, VerifyMismatch, VerifyResult } from "../apply/model.js";
import { compare } from "../compare.js";
import { ApiError } from "../live/api-error.js";
import { readTargeting, type LiveReader } from "../live/read.js";
import { targetingKey } from "../plan/live-state.js";
import type { TargetChange } from "../plan/model.js";

export async function verifyApply(
  reader: Pick<LiveReader, "getFlagTargeting" | "concurrency">,
  appId: string,
  apply: ApplyResult,
): Promise<VerifyResult> {
  // The applied changes, grouped by the targeting they live in.
  const written = new Map<
    string,
    { flagKey: string; envId: string; envName: string; changes: TargetChange[] }
  >();
  let checked = 0;
  for (const outcome of apply.outcomes) {
    const request = outcome.request;
    if (outcome.status !== "applied" || request.kind !== "targets") continue;
    for (const change of request.changes) {
      const key = targetingKey(change.flagKey, request.envId);
      let group = written.get(key);
      if (!group) {
        group = { flagKey: change.flagKey, envId: request.envId, envName: request.envName, changes: [] };
        written.set(key, group);
      }
      group.changes.push(change);
      checked++;
    }
  }
  const groups = [...written.values()];
  let live;
  try {
    live = await readTargeting(reader, appId, groups);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return {
      checked,
      targetings: groups.length,
      mismatches: [],
      error: { code: err.rsCode, message: err.message },
    };
  }
  const mismatches: VerifyMismatch[] = [];
  for (const group of groups) {
    const now = live.get(targetingKey(group.flagKey, group.envId));
    const companies = new Set(now?.companies);
    const users = new Set(now?.users);
    for (const change of group.changes) {
      const present = (change.kind === "company" ? companies : users).has(change.id);
      if (present === (change.op === "add")) continue;
      mismatches.push({
        flagKey: change.flagKey,
        envId: group.envId,
        envName: group.envName,
        kind: change.kind,
        id: change.id,
        expected: change.op === "add" ? "present" : "absent",
      });
    }
  }
  mismatches.sort(
    (a, b) =>
      compare(a.envName, b.envName) ||
      compare(a.envId, b.envId) ||
      compare(a.flagKey, b.flagKey) ||
      compare(a.kind, b.kind) ||
      compare(a.id, b.id),
  );
  return { checked, targetings: groups.length, mismatches };
}
