// Counts for "ok" lines and logs.
import type { DesiredState } from "./model.js";

/** Company and user targets over all managed flags and environments. */
export function countTargets(state: DesiredState): number {
  return state.flags.reduce(
    (sum, flag) => sum + flag.targeting.reduce((n, env) => n + env.companies.length + env.users.length, 0),
    0,
  );
}
