// When the next periodic check, retry and expiry happen: pure functions of the clock and a random
// number, so that they are tested without timers.
import type { DesiredState } from "../desired/model.js";

/** setTimeout's largest delay (about 24.8 days); longer waits are re-armed when they fire. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** Up to this share of the interval is taken off each wait, so that replicas of many apps spread out. */
export const INTERVAL_JITTER = 0.1;
export const RETRY_BASE_MS = 1000;
export const RETRY_MAX_MS = 5 * 60_000;

/** The next periodic check: the interval shortened by up to 10%, never later than the interval. */
export function jitteredInterval(intervalMs: number, random: number): number {
  return Math.max(1, Math.round(intervalMs * (1 - INTERVAL_JITTER * random)));
}

/** Exponential backoff after the `failures`-th failure in a row: 1 s, 2 s, 4 s ... capped, with ±20% jitter. */
export function retryDelay(
  failures: number,
  random: number,
  maxMs = RETRY_MAX_MS,
  baseMs = RETRY_BASE_MS,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(ceiling * (0.8 + 0.4 * random));
}

/** A flapping change is first held for two intervals, then four, eight ... at most an hour (or one interval). */
export const FLAP_MAX_MS = 60 * 60_000;

/** How long a flapping change is held back after its `level`-th backoff (0 = the first). */
export function flapBackoff(level: number, intervalMs: number, random: number): number {
  return retryDelay(level + 1, random, Math.max(FLAP_MAX_MS, intervalMs), 2 * intervalMs);
}

/** The earliest `until` still in the future, in epoch milliseconds: when the desired state changes by itself. */
export function nextExpiry(desired: DesiredState, now: Date): number | undefined {
  let earliest: number | undefined;
  for (const flag of desired.flags) {
    for (const env of flag.targeting) {
      for (const list of [env.companies, env.users]) {
        for (const target of list) {
          if (target.until === undefined) continue;
          const at = Date.parse(target.until);
          if (at > now.getTime() && (earliest === undefined || at < earliest)) earliest = at;
        }
      }
    }
  }
  return earliest;
}
