// The reconcile loop: one run at a time; triggers that arrive meanwhile merge into one follow-up.
// Each cycle re-reads the files first (a new content hash is a new revision), then decides whether
// the live app must be read: always for a new revision, a retry or an expiry; for the periodic
// check only when an environment's flagStateVersion moved, or a full resync is due. A change that
// another writer keeps undoing is held back with a growing backoff (see flapping.ts).
import { setTimeout as delay } from "node:timers/promises";
import type { DesiredState, Diagnostic } from "../desired/model.js";
import { formatDiagnostic } from "../desired/model.js";
import type { ApplyResult } from "../apply/model.js";
import { appliedRefs, changeRefs } from "../plan/hold.js";
import type { Plan } from "../plan/model.js";
import type { LoadedRevision, ReconcileResult, Trigger } from "../reconcile/index.js";
import { FlapTracker, type FlappingChange } from "./flapping.js";
import type { Logger } from "./logger.js";
import type { DaemonMetrics } from "./metrics.js";
import { MAX_TIMER_MS, flapBackoff, jitteredInterval, nextExpiry, retryDelay } from "./schedule.js";
import type { DaemonState } from "./state.js";

export type Versions = Map<string, number | undefined>;

/** What the loop may be asked to do; "file" means "look at the files again", "release" that a flapping change's backoff ended. */
export type Wake = "start" | "file" | "interval" | "expiry" | "retry" | "release";
type TimerName = "interval" | "expiry" | "retry" | "release";

export interface ReconcileRequest {
  desired: DesiredState;
  revision: string;
  trigger: Trigger;
  mode: "plan" | "apply";
  signal: AbortSignal;
  onProgress: (phase: "read" | "apply", done: number, total: number) => void;
  /** The plan passed its checks and writing begins. */
  onApplyStart: () => void;
  /** With self-heal: the keys of the plan's changes to hold back (flapping). */
  hold?: (plan: Plan) => ReadonlySet<string>;
}

export interface LoopDeps {
  load(): Promise<LoadedRevision>;
  reconcile(request: ReconcileRequest): Promise<ReconcileResult>;
  /** envId -> flagStateVersion (undefined when the API leaves it out), in one request. */
  environmentVersions(appId: string): Promise<Versions>;
  log: Logger;
  metrics: DaemonMetrics;
  state: DaemonState;
  now(): Date;
  random(): number;
  intervalMs: number;
  fullResyncMs: number;
  selfHeal: boolean;
  /** After a file event, the content must read the same twice this far apart (a save in progress does not). */
  settleMs: number;
}

/** Changes applied, still to send, and of unknown fate, when a shutdown cut a reconcile short. */
export interface ShutdownSummary {
  interrupted: boolean;
  applied: number;
  pending: number;
  unknown: number;
  message: string;
}

/** An expiry fires this long after `until`, so that the planner, comparing `until > now`, sees it passed. */
const EXPIRY_SLACK_MS = 25;
const MAX_LOGGED_DIAGNOSTICS = 20;

export class ReconcileLoop {
  readonly #deps: LoopDeps;
  readonly #stop = new AbortController();
  #pending = new Set<Wake>();
  #running: Promise<void> | undefined;
  #desired: { state: DesiredState; revision: string } | undefined;
  /** The content last seen, valid or not: an event that leaves it unchanged does nothing. */
  #lastKey: string | undefined;
  #configValid = false;
  #reconciled = false;
  #baseline: Versions | undefined;
  #lastFullAt = 0;
  #warnedNoVersions = false;
  #failures = 0;
  /** A revision that is not retried until the files change (refused), or until a full resync (invalid plan). */
  #blocked: { revision: string; untilResync: boolean } | undefined;
  #progress: { phase: "read" | "apply"; done: number; total: number } | undefined;
  #endedByStop: ReconcileResult | undefined;
  readonly #flaps: FlapTracker;
  readonly #timers = new Map<TimerName, NodeJS.Timeout>();

  constructor(deps: LoopDeps) {
    this.#deps = deps;
    this.#flaps = new FlapTracker((level) => flapBackoff(level, deps.intervalMs, deps.random()));
  }

  /** Aborted when the daemon stops: no new request is sent after that. */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  start(): void {
    this.wake("start");
    this.#armInterval();
  }

  wake(reason: Wake): void {
    if (this.#stop.signal.aborted) return;
    this.#pending.add(reason);
    this.#running ??= this.#drain().finally(() => (this.#running = undefined));
  }

  /** Stops timers and new work, lets the reconcile in flight end, and says what it left undone. */
  async stop(): Promise<ShutdownSummary> {
    this.#stop.abort();
    this.#pending.clear();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    const wasRunning = this.#progress !== undefined;
    await this.#running;
    return this.summary(wasRunning);
  }

  /** What a shutdown left undone; callable while the reconcile is still in flight (the 10 s deadline). */
  summary(wasRunning = this.#progress !== undefined): ShutdownSummary {
    const result = this.#endedByStop;
    if (result && (result.outcome === "interrupted" || (result.apply && !result.apply.ok))) {
      const counts = { applied: 0, pending: 0, unknown: 0 };
      for (const o of result.apply?.outcomes ?? []) {
        const n = o.request.kind === "targets" ? o.request.changes.length : 1;
        if (o.status === "applied") counts.applied += n;
        else if (o.status === "unknown") counts.unknown += n;
        else counts.pending += n;
      }
      if (!result.apply) counts.pending = result.counts.changes;
      return { interrupted: true, ...counts, message: describeCut(counts) };
    }
    const progress = this.#progress;
    if (wasRunning && progress) {
      // Still in flight: count requests, the only thing known before the result arrives.
      const pending = progress.phase === "apply" ? progress.total - progress.done : 0;
      return {
        interrupted: true,
        applied: 0,
        pending,
        unknown: 0,
        message:
          progress.phase === "read"
            ? "a reconcile was cut short while reading the live state: nothing was applied"
            : progress.total === 0
              ? "a reconcile was cut short while applying: no write request was answered yet"
              : `a reconcile was cut short while applying: ${progress.done} of ${progress.total} write requests answered, ${pending} not sent or unanswered`,
      };
    }
    return { interrupted: false, applied: 0, pending: 0, unknown: 0, message: "idle: nothing was in flight" };
  }

  async #drain(): Promise<void> {
    while (this.#pending.size > 0 && !this.#stop.signal.aborted) {
      const wakes = new Set(this.#pending);
      this.#pending.clear();
      try {
        await this.#cycle(wakes);
      } catch (err) {
        // The core reports expected failures in its result; anything thrown here is a bug or the disk.
        this.#deps.log.error({ err: errorText(err) }, "reconcile loop error");
        this.#scheduleRetry(errorText(err));
      }
    }
  }

  async #cycle(wakes: Set<Wake>): Promise<void> {
    const files = await this.#readFiles(wakes.has("file"));
    if (files === "unsettled") {
      this.#pending.add("file");
      return;
    }
    const desired = this.#desired;
    // While the files are invalid nothing is read or written: not-ready until they are fixed.
    if (!desired || !this.#configValid) return;

    let trigger: Trigger | undefined;
    let versions: Versions | undefined;
    if (files === "new") trigger = this.#reconciled ? "file" : "start";
    else if (wakes.has("retry")) trigger = "retry";
    else if (wakes.has("expiry")) trigger = "expiry";
    else if (wakes.has("release")) trigger = "flapping";
    else if (wakes.has("interval") || wakes.has("start")) {
      if (this.#timers.has("retry")) return; // backing off: the retry timer comes back
      if (this.#deps.now().getTime() - this.#lastFullAt >= this.#deps.fullResyncMs) trigger = "resync";
      else if (this.#blocked) return;
      else {
        versions = await this.#poll(desired.state.app);
        if (!versions) return;
        trigger = "interval";
      }
    }
    if (!trigger) return;
    // A refused revision waits for new files; an invalid plan also for the next full resync.
    const blocked = this.#blocked;
    if (blocked?.revision === desired.revision && !(blocked.untilResync && trigger === "resync")) return;
    await this.#reconcile(desired, trigger, versions);
  }

  /** Loads the files; "new" when they hold a valid revision not seen before. */
  async #readFiles(settle: boolean): Promise<"new" | "same" | "invalid" | "unsettled"> {
    let loaded = await this.#deps.load();
    let key = contentKey(loaded);
    if (key !== this.#lastKey && settle && this.#deps.settleMs > 0) {
      // A save may still be in progress (an in-place write truncates first): read again.
      await delay(this.#deps.settleMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
      const again = await this.#deps.load();
      if (contentKey(again) !== key) return "unsettled";
      loaded = again;
      key = contentKey(loaded);
    }
    const changed = key !== this.#lastKey;
    this.#lastKey = key;
    if (settle) this.#deps.metrics.fileChecked(!loaded.ok ? "invalid" : changed ? "changed" : "unchanged");
    if (!loaded.ok) {
      if (changed) this.#reportInvalid(loaded.diagnostics, loaded.revision);
      return "invalid";
    }
    if (!this.#configValid || changed) {
      this.#configValid = true;
      this.#deps.state.configLoaded(loaded.revision);
      this.#deps.metrics.configValid(true);
      this.#publishReady();
    }
    if (loaded.revision === this.#desired?.revision) {
      // Back to the content already reconciled: valid again; a drift meanwhile shows in the next poll.
      if (changed)
        this.#deps.log.info({ revision: loaded.revision }, "flag files valid again, as last reconciled");
      return "same";
    }
    const warnings = loaded.diagnostics.filter((d) => d.severity === "warning");
    this.#deps.log.info(
      {
        revision: loaded.revision,
        files: loaded.desired.files,
        ...(warnings.length > 0 ? { warnings: formatAll(warnings) } : {}),
      },
      this.#desired ? "flag files changed: new revision" : "flag files loaded",
    );
    this.#desired = { state: loaded.desired, revision: loaded.revision };
    this.#blocked = undefined;
    // A new revision settles every fight: what flapped may be wanted differently now.
    this.#flaps.reset();
    this.#clearTimer("release");
    this.#publishFlapping();
    return "new";
  }

  #reportInvalid(diagnostics: Diagnostic[], revision: string | undefined): void {
    const errors = diagnostics.filter((d) => d.severity === "error");
    const first = errors[0] ? formatDiagnostic(errors[0]) : "the flag files could not be read";
    this.#configValid = false;
    this.#deps.state.configInvalid(first);
    this.#deps.metrics.configValid(false);
    this.#publishReady();
    this.#deps.log.error(
      {
        ...(revision ? { revision } : {}),
        errors: formatAll(errors),
        keeping: this.#desired?.revision ?? null,
      },
      `flag files invalid, nothing applied until fixed: ${first}`,
    );
  }

  /** The cheap check: one request. Returns the versions when something moved, else undefined. */
  async #poll(appId: string): Promise<Versions | undefined> {
    let versions: Versions;
    try {
      versions = await this.#deps.environmentVersions(appId);
    } catch (err) {
      if (this.#stop.signal.aborted) return undefined;
      this.#fail(`the environments could not be listed: ${errorText(err)}`);
      return undefined;
    }
    if (!this.#warnedNoVersions && [...versions.values()].some((v) => v === undefined)) {
      this.#warnedNoVersions = true;
      this.#deps.log.warn(
        "the API lists environments without flagStateVersion: every periodic check reads the live state",
      );
    }
    const moved = this.#baseline === undefined || !sameVersions(this.#baseline, versions);
    this.#deps.metrics.polled(moved);
    if (!moved) {
      this.#deps.log.debug("poll: no environment moved");
      return undefined;
    }
    return versions;
  }

  async #reconcile(
    desired: { state: DesiredState; revision: string },
    trigger: Trigger,
    polled: Versions | undefined,
  ): Promise<void> {
    this.#clearTimer("retry");
    this.#progress = { phase: "read", done: 0, total: 0 };
    try {
      // The versions are read before the live state, so a change made during the read moves them again.
      let versions = polled;
      if (!versions) {
        try {
          versions = await this.#deps.environmentVersions(desired.state.app);
        } catch (err) {
          if (!this.#stop.signal.aborted)
            this.#fail(`the environments could not be listed: ${errorText(err)}`);
          return;
        }
      }
      if (this.#stop.signal.aborted) return;
      let judged: { started: FlappingChange[]; stopped: FlappingChange[] } | undefined;
      const result = await this.#deps.reconcile({
        desired: desired.state,
        revision: desired.revision,
        trigger,
        mode: this.#deps.selfHeal ? "apply" : "plan",
        signal: this.#stop.signal,
        onProgress: (phase, done, total) => (this.#progress = { phase, done, total }),
        onApplyStart: () => (this.#progress = { phase: "apply", done: 0, total: 0 }),
        ...(this.#deps.selfHeal
          ? {
              hold: (plan: Plan) => {
                const judgement = this.#flaps.judge(changeRefs(plan), this.#deps.now().getTime());
                judged = judgement;
                return judgement.hold;
              },
            }
          : {}),
      });
      if (result.apply) this.#flaps.applied(appliedRefs(result.apply.outcomes));
      if (judged) this.#reportFlapping(judged);
      // Only a reconcile that ended after the stop was cut short by it.
      if (this.#stop.signal.aborted) this.#endedByStop = result;
      this.#record(result, versions);
    } finally {
      this.#progress = undefined;
    }
    this.#armExpiry(desired.state);
  }

  #record(result: ReconcileResult, versions: Versions): void {
    const applied = appliedChanges(result);
    const targets = result.counts.targetsToAdd + result.counts.targetsToRemove;
    // Changes held back (flapping) are drift that stays.
    const held = result.held?.filter((r) => r.envId !== undefined).length ?? 0;
    const drifted =
      (result.outcome === "in-sync" || result.outcome === "applied" ? 0 : Math.max(0, targets - applied)) +
      held;
    this.#deps.metrics.reconciled(result, applied, drifted);
    this.#deps.state.reconciled(result);
    this.#reconciled = true;
    this.#logResult(result, applied);
    switch (result.outcome) {
      case "in-sync":
      case "applied":
      case "planned":
        // After our own writes, the versions they moved to: the next idle poll then costs one request.
        this.#baseline = (result.apply && expectedVersions(versions, result.apply)) ?? versions;
        this.#lastFullAt = this.#deps.now().getTime();
        this.#failures = 0;
        this.#blocked = undefined;
        this.#deps.metrics.succeeded(this.#deps.now());
        break;
      case "refused":
        this.#blocked = { revision: result.revision, untilResync: false };
        break;
      case "invalid":
        this.#blocked = { revision: result.revision, untilResync: true };
        this.#lastFullAt = this.#deps.now().getTime();
        break;
      case "failed":
        if (result.errorClass === "refused")
          this.#blocked = { revision: result.revision, untilResync: false };
        else this.#scheduleRetry(result.error?.message ?? "the reconcile failed", false);
        break;
      case "interrupted":
        break;
    }
    this.#publishReady();
  }

  #logResult(result: ReconcileResult, applied: number): void {
    const record = {
      trigger: result.trigger,
      revision: result.revision,
      outcome: result.outcome,
      ...(result.errorClass ? { errorClass: result.errorClass } : {}),
      durationMs: result.durationMs,
      counts: result.counts,
      applied,
      requests: result.requests,
      ...(result.error ? { error: result.error } : {}),
      ...(result.diagnostics.length > 0 ? { diagnostics: formatAll(result.diagnostics) } : {}),
      ...(result.held ? { held: result.held.length } : {}),
    };
    const log = this.#deps.log;
    const heldCount = result.held?.length ?? 0;
    const held = heldCount > 0 ? `${plural(heldCount, "flapping change")} held back` : "";
    switch (result.outcome) {
      case "in-sync":
        log.info(record, held ? `reconciled: in sync but for ${held}` : "reconciled: in sync");
        break;
      case "applied":
        log.info(record, `reconciled: applied ${plural(applied, "change")}${held ? `; ${held}` : ""}`);
        break;
      case "planned": {
        const n = result.counts.changes;
        log.warn(
          record,
          `drift left alone (--no-self-heal): ${plural(n, "change")} ${n === 1 ? "differs" : "differ"} from the file`,
        );
        break;
      }
      case "refused":
        log.error(record, `reconcile refused, waiting for a new revision: ${result.error?.message ?? ""}`);
        break;
      case "interrupted":
        log.warn(record, "reconcile interrupted by shutdown");
        break;
      default:
        log.error(record, `reconcile ${result.outcome}: ${result.error?.message ?? ""}`);
    }
  }

  /** One warning per change that started flapping, one line per change that stopped; /readyz, metric, timer. */
  #reportFlapping(judged: { started: FlappingChange[]; stopped: FlappingChange[] }): void {
    const now = this.#deps.now().getTime();
    for (const f of judged.started) {
      const where = `${f.environment ? `${f.environment}/` : ""}${f.flag} ${f.target}`;
      this.#deps.log.warn(
        { flapping: f },
        `flapping: ${where} was undone after each of the last ${f.flips} applies (another writer?); holding it back until ${f.retryAt}, then backing off longer each time`,
      );
    }
    for (const f of judged.stopped) {
      const where = `${f.environment ? `${f.environment}/` : ""}${f.flag} ${f.target}`;
      this.#deps.log.info({ flapping: f }, `no longer flapping: ${where}`);
    }
    this.#publishFlapping();
    const next = this.#flaps.nextRelease(now);
    if (next === undefined) this.#clearTimer("release");
    else
      this.#setTimer("release", Math.min(next - now + EXPIRY_SLACK_MS, MAX_TIMER_MS), () =>
        this.wake("release"),
      );
  }

  #publishFlapping(): void {
    const list = this.#flaps.flapping(this.#deps.now().getTime());
    this.#deps.state.flapping(list);
    this.#deps.metrics.flapping(list.length);
  }

  #fail(message: string): void {
    this.#deps.state.failed(message);
    this.#scheduleRetry(message);
    this.#publishReady();
  }

  #scheduleRetry(message: string, log = true): void {
    if (this.#stop.signal.aborted) return;
    this.#failures += 1;
    const wait = retryDelay(this.#failures, this.#deps.random());
    if (log) this.#deps.log.error({ failures: this.#failures, retryInMs: wait }, message);
    else this.#deps.log.info({ failures: this.#failures, retryInMs: wait }, "retrying after backoff");
    this.#setTimer("retry", wait, () => this.wake("retry"));
  }

  /** `remaining`: left of a wait longer than setTimeout can hold, armed again in steps. */
  #armInterval(remaining = jitteredInterval(this.#deps.intervalMs, this.#deps.random())): void {
    const step = Math.min(remaining, MAX_TIMER_MS);
    this.#setTimer("interval", step, () => {
      if (remaining > step) return this.#armInterval(remaining - step);
      this.wake("interval");
      this.#armInterval();
    });
  }

  #armExpiry(desired: DesiredState): void {
    const at = nextExpiry(desired, this.#deps.now());
    if (at === undefined) {
      this.#clearTimer("expiry");
      return;
    }
    const wait = at - this.#deps.now().getTime() + EXPIRY_SLACK_MS;
    // Beyond setTimeout's range: wake then and look again (nothing expires, the loop re-arms).
    this.#setTimer("expiry", Math.min(wait, MAX_TIMER_MS), () => this.wake("expiry"));
  }

  #setTimer(name: TimerName, ms: number, fn: () => void): void {
    this.#clearTimer(name);
    if (this.#stop.signal.aborted) return;
    this.#timers.set(
      name,
      setTimeout(() => {
        this.#timers.delete(name);
        fn();
      }, ms),
    );
  }

  #clearTimer(name: TimerName): void {
    const timer = this.#timers.get(name);
    if (timer) clearTimeout(timer);
    this.#timers.delete(name);
  }

  #publishReady(): void {
    this.#deps.metrics.ready(this.#deps.state.status().ready);
  }
}

/** The valid revision, or for a file that cannot be used, its hash or the problems found. */
function contentKey(loaded: LoadedRevision): string {
  if (loaded.ok) return `ok:${loaded.revision}`;
  return `bad:${loaded.revision ?? formatAll(loaded.diagnostics).join("\n")}`;
}

function sameVersions(a: Versions, b: Versions): boolean {
  if (a.size !== b.size) return false;
  // An unknown version cannot tell that nothing moved.
  for (const [env, version] of b) if (version === undefined || a.get(env) !== version) return false;
  return true;
}

/**
 * The versions our own apply moved the environments to, as the API counts: one step per target
 * request answered as applied in its environment, one per flag create or update in every
 * environment (metadata is shared). undefined when a request went unanswered. If another writer
 * also moved an environment, or the service counts otherwise, the next poll differs and reads the
 * live state: a wrong guess costs one read, never a missed change.
 */
export function expectedVersions(before: Versions, apply: ApplyResult): Versions | undefined {
  if (apply.outcomes.some((o) => o.status === "unknown")) return undefined;
  const after: Versions = new Map(before);
  const step = (env: string) => {
    const v = after.get(env);
    if (v !== undefined) after.set(env, v + 1);
  };
  for (const { request, status } of apply.outcomes) {
    if (status !== "applied") continue;
    if (request.kind === "targets") step(request.envId);
    else for (const env of before.keys()) step(env);
  }
  return after;
}

/** Changes (not requests) that the API confirmed. */
export function appliedChanges(result: ReconcileResult): number {
  let n = 0;
  for (const o of result.apply?.outcomes ?? []) {
    if (o.status === "applied") n += o.request.kind === "targets" ? o.request.changes.length : 1;
  }
  return n;
}

function describeCut(c: { applied: number; pending: number; unknown: number }): string {
  const unknown = c.unknown > 0 ? `, ${c.unknown} sent without an answer (may or may not be applied)` : "";
  return `a reconcile was cut short: ${c.applied} change${c.applied === 1 ? "" : "s"} applied, ${c.pending} pending (not sent)${unknown}; the next start converges`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function formatAll(diagnostics: Diagnostic[]): string[] {
  const lines = diagnostics.slice(0, MAX_LOGGED_DIAGNOSTICS).map(formatDiagnostic);
  if (diagnostics.length > MAX_LOGGED_DIAGNOSTICS)
    lines.push(`... and ${diagnostics.length - MAX_LOGGED_DIAGNOSTICS} more`);
  return lines;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
