// Warnings for time-bound targets that have expired or soon will. Expiry itself is the planner's
// decision; this only tells the person editing the file.
import { diagnostic, quote } from "./diagnostics.js";
import type { DesiredFlag, Diagnostic } from "./model.js";

export const DEFAULT_WARN_EXPIRING_MS = 7 * 86_400_000;

export function expiryWarnings(
  flags: readonly DesiredFlag[],
  now: Date,
  warnExpiringMs = DEFAULT_WARN_EXPIRING_MS,
  prune = true,
): Diagnostic[] {
  // Without prune nothing absent is removed, expired targets included.
  const noPrune = prune
    ? ""
    : "; with policy.prune off it is not removed from Reflag: remove it there or turn prune on";
  const out: Diagnostic[] = [];
  for (const flag of flags) {
    for (const env of flag.targeting) {
      for (const [kind, targets] of [
        ["company", env.companies],
        ["user", env.users],
      ] as const) {
        for (const target of targets) {
          if (target.until === undefined) continue;
          const left = Date.parse(target.until) - now.getTime();
          const what = `${kind} ${quote(target.id)} of flag ${quote(flag.key)} in ${quote(env.key)}`;
          const until = target.untilText ?? target.until;
          if (left <= 0) {
            out.push(
              diagnostic(
                "warning",
                "expired-target",
                `${what} expired (until ${until}): it is no longer desired; delete the entry${noPrune}`,
                target.at,
              ),
            );
          } else if (left <= warnExpiringMs) {
            out.push(
              diagnostic(
                "warning",
                "expiring-target",
                `${what} expires in ${humanDuration(left)} (until ${until})${noPrune}`,
                target.at,
              ),
            );
          }
        }
      }
    }
  }
  return out;
}

/** 3 days, 5 hours, 12 minutes: the largest unit that fits, rounded down. */
export function humanDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? "" : "s"}`;
  }
  return "less than a minute";
}
