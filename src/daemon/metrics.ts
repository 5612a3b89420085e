// Prometheus metrics of the daemon (prom-client), fed by the reconcile result records and the API
// client's request events. One registry per daemon, so that tests can run several in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RequestEvent } from "../live/client.js";
import type { ReconcileResult } from "../reconcile/index.js";

const PREFIX = "reflag_sync_";

export class DaemonMetrics {
  readonly registry = new Registry();
  readonly #reconciles: Counter<"trigger" | "outcome">;
  readonly #duration: Histogram<"outcome">;
  readonly #drifted: Gauge;
  readonly #applied: Counter;
  readonly #requests: Counter<"method" | "route" | "status">;
  readonly #retries: Counter;
  readonly #configValid: Gauge;
  readonly #ready: Gauge;
  readonly #lastSuccess: Gauge;
  readonly #polls: Counter<"result">;
  readonly #fileChecks: Counter<"result">;
  readonly #flapping: Gauge;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    this.#reconciles = new Counter({
      name: `${PREFIX}reconciles_total`,
      help: "Reconciles run, by what triggered them and how they ended",
      labelNames: ["trigger", "outcome"],
      registers,
    });
    this.#duration = new Histogram({
      name: `${PREFIX}reconcile_duration_seconds`,
      help: "Duration of a reconcile: live read, plan and apply",
      labelNames: ["outcome"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.#drifted = new Gauge({
      name: `${PREFIX}drifted_targets`,
      help: "Targets that differed from the file at the last reconcile and are still not corrected",
      registers,
    });
    this.#applied = new Counter({
      name: `${PREFIX}changes_applied_total`,
      help: "Changes applied to Reflag (flags created or updated, targets added or removed)",
      registers,
    });
    this.#requests = new Counter({
      name: `${PREFIX}api_requests_total`,
      help: "Reflag API request attempts, by method, route template and status (or client error code)",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.#retries = new Counter({
      name: `${PREFIX}api_retries_total`,
      help: "Reflag API request attempts that failed and were retried",
      registers,
    });
    this.#configValid = new Gauge({
      name: `${PREFIX}config_valid`,
      help: "1 when the flag files load and validate, 0 when the last read failed",
      registers,
    });
    this.#ready = new Gauge({
      name: `${PREFIX}ready`,
      help: "1 when the files are valid and the last reconcile succeeded (as /readyz)",
      registers,
    });
    this.#lastSuccess = new Gauge({
      name: `${PREFIX}last_success_timestamp_seconds`,
      help: "Unix time of the last reconcile that succeeded",
      registers,
    });
    this.#polls = new Counter({
      name: `${PREFIX}polls_total`,
      help: "Periodic checks of the environments' flagStateVersion, by whether anything moved",
      labelNames: ["result"],
      registers,
    });
    this.#fileChecks = new Counter({
      name: `${PREFIX}file_checks_total`,
      help: "Reads of the flag files after a file event, by whether the content changed",
      labelNames: ["result"],
      registers,
    });
    this.#flapping = new Gauge({
      name: `${PREFIX}flapping_targets`,
      help: "Changes (targets or flag fields) another writer keeps undoing, held back with a growing backoff",
      registers,
    });
  }

  reconciled(result: ReconcileResult, appliedChanges: number, driftedTargets: number): void {
    this.#reconciles.inc({ trigger: result.trigger, outcome: result.outcome });
    this.#duration.observe({ outcome: result.outcome }, result.durationMs / 1000);
    if (appliedChanges > 0) this.#applied.inc(appliedChanges);
    this.#drifted.set(driftedTargets);
  }

  succeeded(at: Date): void {
    this.#lastSuccess.set(at.getTime() / 1000);
  }

  request(event: RequestEvent): void {
    this.#requests.inc({
      method: event.method,
      route: event.route,
      status: event.status !== undefined ? String(event.status) : (event.error ?? "error"),
    });
    if (event.retryInMs !== undefined) this.#retries.inc();
  }

  polled(moved: boolean): void {
    this.#polls.inc({ result: moved ? "moved" : "unchanged" });
  }

  fileChecked(result: "changed" | "unchanged" | "invalid"): void {
    this.#fileChecks.inc({ result });
  }

  flapping(count: number): void {
    this.#flapping.set(count);
  }

  configValid(valid: boolean): void {
    this.#configValid.set(valid ? 1 : 0);
  }

  ready(ready: boolean): void {
    this.#ready.set(ready ? 1 : 0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
