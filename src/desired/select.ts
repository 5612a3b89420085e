// `--flag GLOB` (repeatable): plan and apply only the managed flags whose key matches. Pure.
import type { DesiredState } from "./model.js";

/**
 * `*` any run of characters, `?` one character, everything else literal. Flag keys have no path
 * separators, so a path glob library's extra rules (`/`, `**`, braces) would only surprise.
 */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "su");
}

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
  const res = patterns.map(globToRegExp);
  const flags = desired.flags.filter((f) => res.some((re) => re.test(f.key)));
  return {
    desired: { ...desired, flags },
    patterns: [...patterns],
    matched: flags.length,
    managed: desired.flags.length,
    managedKeys: new Set(desired.flags.map((f) => f.key)),
  };
}
