// Flapping: another writer undoes a change after every apply, and rewriting it on every poll would
// only fight it forever. Per change key (environment, flag, target; or flag, field) the tracker
// counts consecutive flips within one revision of the files: the daemon applied the change, and the
// next reconcile planned the very same change again. At FLAP_THRESHOLD flips the change is flapping:
// it is held back (planned and reported, not sent) for a backoff that doubles each time it flips
// again after being let through once more. A change that stays applied, or that the plan no longer
// wants, is settled and forgotten; a new revision forgets everything. Pure: the clock is an argument.
import type { ChangeRef } from "../plan/hold.js";

/** Consecutive flips of one change, within one revision, that make it flapping. */
export const FLAP_THRESHOLD = 3;

export interface FlappingChange {
  environment?: string;
  flag: string;
  target: string;
  /** Consecutive times it was applied and found undone. */
  flips: number;
  /** When it is applied once more (ISO-8601). */
  retryAt: string;
}

interface Entry {
  ref: ChangeRef;
  flips: number;
  /** Applied by the last reconcile that wrote it: the next plan tells whether it held. */
  awaiting: boolean;
  /** Set once flapping: how many backoffs so far, and until when it is held. */
  level?: number;
  heldUntil?: number;
}

export interface Judgement {
  /** Keys to leave out of this reconcile. */
  hold: Set<string>;
  /** Changes that became flapping now, and changes that stopped flapping. */
  started: FlappingChange[];
  stopped: FlappingChange[];
}

export class FlapTracker {
  readonly #entries = new Map<string, Entry>();
  /** level (0 for the first hold) -> how long to hold, in milliseconds. */
  readonly #backoff: (level: number) => number;

  constructor(backoff: (level: number) => number) {
    this.#backoff = backoff;
  }

  /** A new revision: what was fought over may now be wanted differently. */
  reset(): void {
    this.#entries.clear();
  }

  /** Called with a reconcile's whole plan, before anything is applied: counts flips, says what to hold. */
  judge(planned: readonly ChangeRef[], now: number): Judgement {
    const wanted = new Map(planned.map((r) => [r.key, r]));
    const started: FlappingChange[] = [];
    const stopped: FlappingChange[] = [];
    const flipped = new Set<string>();
    for (const [key, entry] of this.#entries) {
      const again = wanted.get(key);
      if (entry.awaiting) {
        entry.awaiting = false;
        if (again?.to === entry.ref.to) {
          entry.flips += 1;
          flipped.add(key);
          continue;
        }
      } else if (again?.to === entry.ref.to) continue; // held, or not sent: nothing learnt
      // It held since the apply (or is wanted differently now): settled.
      if (entry.heldUntil !== undefined) stopped.push(describe(entry, now));
      this.#entries.delete(key);
    }
    const hold = new Set<string>();
    for (const [key, entry] of this.#entries) {
      if (entry.flips < FLAP_THRESHOLD) continue;
      if (flipped.has(key)) {
        // Undone once more: hold it, longer each time.
        const first = entry.level === undefined;
        entry.level = first ? 0 : (entry.level ?? 0) + 1;
        entry.heldUntil = now + this.#backoff(entry.level);
        if (first) started.push(describe(entry, now));
      }
      if (entry.heldUntil !== undefined && now < entry.heldUntil) hold.add(key);
    }
    return { hold, started, stopped };
  }

  /** Called with the changes a reconcile applied: the next plan tells whether they held. */
  applied(refs: readonly ChangeRef[]): void {
    for (const ref of refs) {
      const entry = this.#entries.get(ref.key);
      if (entry && entry.ref.to === ref.to) entry.awaiting = true;
      else this.#entries.set(ref.key, { ref, flips: 0, awaiting: true });
    }
  }

  /** The changes flapping now, sorted by environment, flag and target. */
  flapping(now: number): FlappingChange[] {
    const list: FlappingChange[] = [];
    for (const entry of this.#entries.values())
      if (entry.heldUntil !== undefined) list.push(describe(entry, now));
    return list.sort(
      (a, b) =>
        (a.environment ?? "").localeCompare(b.environment ?? "") ||
        a.flag.localeCompare(b.flag) ||
        a.target.localeCompare(b.target),
    );
  }

  /** When the earliest held change is due to be applied again (epoch ms), if any is held after `now`. */
  nextRelease(now: number): number | undefined {
    let next: number | undefined;
    for (const e of this.#entries.values())
      if (e.heldUntil !== undefined && e.heldUntil > now && (next === undefined || e.heldUntil < next))
        next = e.heldUntil;
    return next;
  }
}

function describe(entry: Entry, now: number): FlappingChange {
  return {
    ...(entry.ref.envName !== undefined ? { environment: entry.ref.envName } : {}),
    flag: entry.ref.flagKey,
    target: entry.ref.target,
    flips: entry.flips,
    retryAt: new Date(Math.max(now, entry.heldUntil ?? now)).toISOString(),
  };
}
