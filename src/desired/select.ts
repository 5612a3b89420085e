// `--flag GLOB` (repeatable): plan and apply only the managed flags whose key matches. Pure.
import { flagMatcher } from "../flag-glob.js";
import type { DesiredState } from "./model.js";

export interface FlagSelection {
  /** The desired state with only the matching flags. */
  desired: DesiredState;
  patterns: string[];
  matched: number;
  managed: number;
  /** Every flag the file manages: a live flag the selection leaves out is still not unmanaged. */
  managedKeys: ReadonlySet<string>;
}

export function selectFlags(desired: DesiredState, patterns: readonly string[]): FlagSelection {
  // The same matcher as export's --flag, so a glob adopts and then plans the same flags.
  const matches = flagMatcher(patterns);
  const flags = desired.flags.filter((f) => matches(f.key));
  return {
    desired: { ...desired, flags },
    patterns: [...patterns],
    matched: flags.length,
    managed: desired.flags.length,
    managedKeys: new Set(desired.flags.map((f) => f.key)),
  };
}
