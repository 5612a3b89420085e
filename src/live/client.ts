// The typed client of Reflag's Management API: one method per endpoint, bounded retries, one
// concurrency limit per client. Contract: shared/reflag-management-api.md.
import { setImmediate as nextTurn, setTimeout as timerDelay } from "node:timers/promises";
import pLimit from "p-limit";
import type { LimitFunction } from "p-limit";
import type {
  AppHeader,
  CreateFlagBody,
  EntityFlag,
  EntityFlagsBody,
  EntityKind,
  EnvironmentHeader,
  FlagHeader,
  FlagTargeting,
  Paginated,
  PublicApp,
  SortOrder,
  SpecificTargetsBody,
  UpdateFlagBody,
} from "../api/types.js";
import { ApiError } from "./api-error.js";
import type { ApiErrorInit } from "./api-error.js";
import {
  InvalidAnswer,
  readApp,
  readErrorBody,
  readAppList,
  readEntityFlagPage,
  readEnvironment,
  readEnvironmentList,
  readFlagAnswer,
  readFlagPage,
  readFlagTargeting,
} from "./client-answers.js";

import { buildPath, describePath, UnsendableSegment } from "./client-path.js";
import { httpTransport } from "./http-transport.js";
import type { HttpAnswer, Transport } from "./http-transport.js";
import type { QueryValue } from "./client-path.js";
import { CLIENT_DEFAULTS, checkApiKey, normalizeBaseUrl } from "./config.js";
import type { ReflagClientOptions, RequestEvent } from "./config.js";
import {
  backoffDelayMs,
  isPermanentNetworkError,
  isRetryableStatus,
  parseRetryAfterMs,
  RetryBudget,
} from "./retry.js";

// The CLI builds a client from the environment with one import.
export { clientOptionsFromEnv } from "./config.js";
export type { ReflagClientOptions, RequestEvent } from "./config.js";
export type { PublicApp } from "../api/types.js";

/** The largest page the API serves. */
const PAGE_SIZE = 100;
/** How often a listing starts over because totalCount moved under it, before giving up. */
const MAX_LISTING_RESTARTS = 3;
/** Most polls of the sockets a request waits for, before leaving, while answers keep arriving. */
const QUIET_POLL_ROUNDS = 2;

type Method = "GET" | "POST" | "PATCH";

interface Call<T> {
  method: Method;
  route: string;
  params: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Checks a 2xx answer. Absent: only the status counts, the body is drained unread. */
  read?: (body: unknown) => T;
  /** Called as an attempt leaves. */
  onSend?: () => void;
}

/** Why one attempt failed, before it becomes an ApiError. */
type Failure = Omit<ApiErrorInit, "method" | "path" | "attempts">;

type Answer<T> = { ok: true; status: number; value: T } | { ok: false; failure: Failure };
type Outcome<T> = Answer<T> & { durationMs: number };

type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

interface RunScope {
  budget: RetryBudget;
  /** No attempt starts or runs past this instant (epoch ms). */
  deadline: number;
  cancelled: AbortController;
  /** The caller's signal and this run's cancellation. */
  signal: AbortSignal;
  /** The API refused the key (401) in this run: every other request would be refused too. */
  refusedKey?: Failure;
}

const ABORTED: Failure = { code: "aborted", apiMessage: "the request was cancelled", transient: false };

export class ReflagClient {
  readonly baseUrl: string;
  /** Most requests in flight at once. */
  readonly concurrency: number;
  // A private field: util.inspect and JSON.stringify of the client never show the key.
  readonly #apiKey: string;
  readonly #limit: LimitFunction;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #maxRateLimitedAttempts: number;
  readonly #retryBudget: number;
  readonly #retriesPerSuccess: number;
  readonly #deadlineMs: number | undefined;
  /** What belongs to one run: its retry budget, deadline and cancellation. */
  #run: RunScope;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #totalTimeoutMs: number;
  readonly #userAgent: string;
  readonly #fetch: Transport;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #stopRetrying: AbortSignal | undefined;
  /** No request leaves before this instant (epoch ms): the latest Retry-After, shared by all calls. */
  #notBefore = 0;
  /** Answers whose status has arrived, ever: tells a request waiting to leave that the sockets were busy. */
  #answersSeen = 0;
  /** The turn of the latest request waiting to leave; the next one waits for it (see #turnToLeave). */
  #leaving: Promise<void> = Promise.resolve();
  /** 429s without a Retry-After since the last success: their shared pause doubles with each. */
  #unannouncedLimits = 0;
  /** The latest flag listing for 409s on creates; later 409s join it until its first request leaves. */
  #conflictLookup: { appId: string; sent: boolean; flags: Promise<FlagHeader[]> } | undefined;

  constructor(options: ReflagClientOptions) {
    checkApiKey(options.apiKey);
    this.#apiKey = options.apiKey;
    this.baseUrl = normalizeBaseUrl(
      options.baseUrl ?? CLIENT_DEFAULTS.baseUrl,
      "the API URL",
      options.allowInsecureHttp === true,
    );
    this.concurrency = atLeast(options.concurrency ?? CLIENT_DEFAULTS.concurrency, 1, "concurrency");
    this.#limit = pLimit(this.concurrency);
    this.#timeoutMs = atLeast(options.timeoutMs ?? CLIENT_DEFAULTS.timeoutMs, 1, "timeoutMs");
    this.#maxAttempts = atLeast(options.maxAttempts ?? CLIENT_DEFAULTS.maxAttempts, 1, "maxAttempts");
    this.#maxRateLimitedAttempts = atLeast(
      options.maxRateLimitedAttempts ?? CLIENT_DEFAULTS.maxRateLimitedAttempts,
      1,
      "maxRateLimitedAttempts",
    );
    this.#retryBudget = atLeast(options.retryBudget ?? CLIENT_DEFAULTS.retryBudget, 0, "retryBudget");
    this.#retriesPerSuccess = atLeast(
      options.retriesPerSuccess ?? CLIENT_DEFAULTS.retriesPerSuccess,
      0,
      "retriesPerSuccess",
    );
    this.#baseDelayMs = atLeast(options.baseDelayMs ?? CLIENT_DEFAULTS.baseDelayMs, 0, "baseDelayMs");
    this.#maxDelayMs = atLeast(options.maxDelayMs ?? CLIENT_DEFAULTS.maxDelayMs, 0, "maxDelayMs");
    this.#maxRetryAfterMs = atLeast(
      options.maxRetryAfterMs ?? CLIENT_DEFAULTS.maxRetryAfterMs,
      0,
      "maxRetryAfterMs",
    );
    this.#totalTimeoutMs = atLeast(
      options.totalTimeoutMs ?? CLIENT_DEFAULTS.totalTimeoutMs,
      1,
      "totalTimeoutMs",
    );
    this.#userAgent = options.userAgent ?? CLIENT_DEFAULTS.userAgent;
    this.#fetch = options.fetch ?? httpTransport();
    this.#sleep = options.sleep ?? ((ms, signal) => timerDelay(ms, undefined, { signal }));
    this.#random = options.random ?? Math.random;
    // Sub-millisecond and monotonic: a pause must not end early by Date.now()'s rounding.
    this.#now = options.now ?? (() => performance.timeOrigin + performance.now());
    this.#deadlineMs =
      options.deadlineMs === undefined ? undefined : atLeast(options.deadlineMs, 1, "deadlineMs");

    this.#onRequest = options.onRequest;
    this.#signal = options.signal;
    this.#run = this.#newRun();
    this.#stopRetrying = options.stopRetrying;
  }

  /**
   * Ends every request of the client now, waits between attempts included: for when the run has
   * already failed and nothing else it asked for matters. They fail with code "aborted".
   */
  cancel(): void {
    this.#run.cancelled.abort();
  }

  /**
   * Starts a new run: a fresh retry budget and deadline (deadlineMs from now), and requests no
   * longer cancelled. A client starts with one; a long-lived client (the daemon) begins one per reconcile.
   */
  beginRun(): void {
    this.#run = this.#newRun();
  }

  #newRun(): RunScope {
    const cancelled = new AbortController();
    return {
      budget: new RetryBudget(this.#retryBudget, this.#retriesPerSuccess),
      deadline: this.#deadlineMs === undefined ? Infinity : this.#now() + this.#deadlineMs,
      cancelled,
      signal: this.#signal ? AbortSignal.any([this.#signal, cancelled.signal]) : cancelled.signal,
    };
  }

  // --- Apps and environments

  listApps(orgId?: string): Promise<AppHeader[]> {
    return this.#request({ method: "GET", route: "/apps", params: {}, query: { orgId }, read: readAppList });
  }

  /** The app, its environments without their SDK secrets. */
  getApp(appId: string): Promise<PublicApp> {
    return this.#request({ method: "GET", route: "/apps/:appId", params: { appId }, read: readApp });
  }

  listEnvironments(
    appId: string,
    order: { sortBy?: "name" | "order"; sortOrder?: SortOrder } = {},
  ): Promise<EnvironmentHeader[]> {
    return this.#request({
      method: "GET",
      route: "/apps/:appId/environments",
      params: { appId },
      query: { sortBy: order.sortBy, sortOrder: order.sortOrder },
      read: readEnvironmentList,
    });
  }

  /** One environment. Its SDK secrets in the answer are dropped here: they never leave the client. */
  getEnvironment(appId: string, envId: string): Promise<EnvironmentHeader> {
    return this.#request({
      method: "GET",
      route: "/apps/:appId/environments/:envId",
      params: { appId, envId },
      read: readEnvironment,
    });
  }

  // --- Flags

  /** Every flag of the app, across all pages. */
  listFlags(appId: string): Promise<FlagHeader[]> {
    return this.#listAll("/apps/:appId/flags", { appId }, readFlagPage);
  }

  /**
   * Create a flag. A 409 (or 422 not_possible) means a flag with that key exists: our own retried
   * POST whose first answer was lost, or another apply of the same file racing this one. Either
   * way the flag is looked up by key and returned when it is what the body asks for; a different
   * flag under that key is a clear conflict.
   */
  async createFlag(appId: string, body: CreateFlagBody): Promise<FlagHeader> {
    try {
      return await this.#request({
        method: "POST",
        route: "/apps/:appId/flags",
        params: { appId },
        body,
        read: readFlagAnswer,
      });
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 409 && err.status !== 422)) throw err;
      const existing = (await this.#flagsAfterConflict(appId)).find((flag) => flag.key === body.key);
      if (!existing) throw err;
      const differs = createDifferences(existing, body);
      if (differs.length === 0) return existing;
      throw this.#error(
        {
          status: err.status,
          code: err.code,
          apiMessage: `flag '${body.key}' already exists and is not the flag this plan creates (${differs.join("; ")}): another writer created it; run plan again`,
          transient: false,
        },
        "POST",
        err.path,
        err.attempts,
      );
    }
  }

  /**
   * Every flag, read after this 409 arrived: a listing whose first request has not left yet will do,
   * so that the 409s of racing creates share a few listings instead of one each.
   */
  #flagsAfterConflict(appId: string): Promise<FlagHeader[]> {
    const pending = this.#conflictLookup;
    if (pending?.appId === appId && !pending.sent) return pending.flags;
    const lookup = { appId, sent: false, flags: Promise.resolve<FlagHeader[]>([]) };
    lookup.flags = this.#listAll("/apps/:appId/flags", { appId }, readFlagPage, () => (lookup.sent = true));
    this.#conflictLookup = lookup;
    return lookup.flags;
  }

  /** Takes the flag's id, not its key. Idempotent, so retried like a read. */
  updateFlag(appId: string, flagId: string, body: UpdateFlagBody): Promise<FlagHeader> {
    return this.#request({
      method: "PATCH",
      route: "/apps/:appId/flags/:flagId",
      params: { appId, flagId },
      body,
      read: readFlagAnswer,
    });
  }

  // --- Targeting

  getFlagTargeting(appId: string, flagKey: string, envId: string): Promise<FlagTargeting> {
    return this.#request({
      method: "GET",
      route: "/apps/:appId/flags/:flagKey/targeting/:envId",
      params: { appId, flagKey, envId },
      read: readFlagTargeting,
    });
  }

  /**
   * The batch write. Adding a present target or removing an absent one changes nothing, so a
   * retry after a lost answer is safe. The answer's body is unpublished: only the status counts.
   */
  updateSpecificTargets(appId: string, envId: string, body: SpecificTargetsBody): Promise<void> {
    return this.#request<void>({
      method: "PATCH",
      route: "/apps/:appId/flags/specific-targets/:envId",
      params: { appId, envId },
      body,
    });
  }

  /** All flags as seen by one company or user, across all pages. */
  listEntityFlags(appId: string, envId: string, kind: EntityKind, entityId: string): Promise<EntityFlag[]> {
    return this.#listAll(
      entityRoute(kind),
      { appId, envId, [entityParam(kind)]: entityId },
      readEntityFlagPage,
    );
  }

  /** Only the status counts: the answer is one page, so read the result with listEntityFlags. */
  updateEntityFlags(
    appId: string,
    envId: string,
    kind: EntityKind,
    entityId: string,
    body: EntityFlagsBody,
  ): Promise<void> {
    return this.#request<void>({
      method: "PATCH",
      route: entityRoute(kind),
      params: { appId, envId, [entityParam(kind)]: entityId },
      body,
    });
  }

  // --- Machinery

  /**
   * Every item of a collection. Page 0 tells totalCount and how many items the server serves per
   * page (it may serve fewer than asked); the other pages are then read at once under the client's
   * limit. A totalCount that moves while reading means items shifted between pages: start over,
   * a bounded number of times. A page that adds nothing new before the end is an error, never an
   * endless loop; pages that came back short are followed one at a time.
   */
  async #listAll<T extends { id: string }>(
    route: string,
    params: Record<string, string>,
    read: (body: unknown) => Paginated<T>,
    onSend?: () => void,
  ): Promise<T[]> {
    const page = (pageIndex: number): Promise<Paginated<T>> =>
      this.#request({
        method: "GET",
        route,
        params,
        query: { pageIndex, pageSize: PAGE_SIZE },
        read,
        ...(onSend ? { onSend } : {}),
      });
    for (let restart = 0; ; restart++) {
      const listed = await this.#readListing(route, params, page);
      if (listed) return listed;
      if (restart >= MAX_LISTING_RESTARTS) {
        throw this.#error(
          {
            code: "inconsistent_pagination",
            apiMessage: `totalCount changed during each of ${restart + 1} listings`,
            transient: true,
          },
          "GET",
          buildPath(route, params),
          restart + 1,
        );
      }
    }
  }

  /** One listing; undefined when totalCount moved under it. */
  async #readListing<T extends { id: string }>(
    route: string,
    params: Record<string, string>,
    page: (pageIndex: number) => Promise<Paginated<T>>,
  ): Promise<T[] | undefined> {
    const first = await page(0);
    const totalCount = first.totalCount;
    const items = new Map<string, T>();
    // Adds a page's items; false when the listing cannot go on (nothing new before the end).
    const take = (pageIndex: number, data: T[]): boolean => {
      const before = items.size;
      for (const item of data) if (!items.has(item.id)) items.set(item.id, item);
      if (items.size >= totalCount || items.size > before) return true;
      throw this.#error(
        {
          status: 200,
          code: "invalid_response",
          apiMessage: `page ${pageIndex} added no new items, ${items.size} of totalCount ${totalCount} read`,
          transient: false,
        },
        "GET",
        buildPath(route, params, { pageIndex, pageSize: PAGE_SIZE }),
        1,
      );
    };
    take(0, first.data);
    if (items.size >= totalCount) return [...items.values()];
    const pageCount = Math.ceil(totalCount / first.data.length);
    const rest = await this.#allPages(pageCount - 1, (i) => page(i + 1));
    for (const [i, answer] of rest.entries()) {
      if (answer.totalCount !== totalCount) return undefined;
      take(i + 1, answer.data);
    }
    // Some pages came back short: follow the next ones until every item is in hand.
    for (let pageIndex = pageCount; items.size < totalCount; pageIndex++) {
      const answer = await page(pageIndex);
      if (answer.totalCount !== totalCount) return undefined;
      take(pageIndex, answer.data);
    }
    return [...items.values()];
  }

  /** `count` pages, read by as many workers as requests may be in flight; the first failure stops the rest. */
  async #allPages<P>(count: number, read: (i: number) => Promise<P>): Promise<P[]> {
    const pages: P[] = [];
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < count) {
        const i = next++;
        try {
          pages[i] = await read(i);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(count, this.concurrency) }, worker));
    return pages;
  }

  /**
   * One logical request: attempts, waits between them, and the final error. 429s do not use up
   * `maxAttempts`: the service refuses every request of the key for a while, whichever asked first,
   * so they have their own larger bound (maxRateLimitedAttempts); other retries also draw on the
   * client's retry budget. The run's deadline bounds all of it.
   */
  async #request<T>(call: Call<T>): Promise<T> {
    let path: string;
    try {
      path = buildPath(call.route, call.params, call.query);
    } catch (err) {
      if (!(err instanceof UnsendableSegment)) throw err;
      const why = `${err.message}: URL parsing drops "." and ".." segments, so it would reach another resource`;
      throw this.#error(
        { code: "invalid_argument", apiMessage: why, transient: false },
        call.method,
        describePath(call.route, call.params),
        0,
      );
    }
    // A request belongs to the run it started in.
    const run = this.#run;
    let deadline: number | undefined;
    const tries = { failed: 0, rateLimited: 0 };
    for (let attempt = 1; ; attempt++) {
      if (run.signal.aborted) throw this.#error(ABORTED, call.method, path, attempt - 1);
      if (run.refusedKey) throw this.#error(run.refusedKey, call.method, path, attempt - 1);
      const outcome = await this.#limit(() => {
        deadline ??= Math.min(this.#now() + this.#totalTimeoutMs, run.deadline);
        return this.#attempt(call, path, deadline, run);
      });
      const event: RequestEvent = {
        method: call.method,
        path: this.#redact(path),
        route: call.route,
        attempt,
        durationMs: outcome.durationMs,
      };
      if (outcome.ok) {
        run.budget.success();
        this.#emit({ ...event, status: outcome.status });
        return outcome.value;
      }
      const failure = { ...outcome.failure };
      if (failure.status === 401) run.refusedKey ??= outcome.failure;
      if (failure.status === 429) tries.rateLimited += 1;
      else tries.failed += 1;
      const retryInMs = this.#retryDelay(failure, tries, deadline ?? 0, run);
      if (failure.status !== undefined) event.status = failure.status;
      this.#emit({ ...event, error: failure.code, message: this.#redact(failure.apiMessage), retryInMs });
      if (retryInMs === undefined || this.#stopRetrying?.aborted) {
        throw this.#error(failure, call.method, path, attempt);
      }
      if (retryInMs > 0) {
        // Wait outside the limiter: a request sleeping between attempts leaves its slot to others.
        const signal = this.#stopRetrying ? AbortSignal.any([run.signal, this.#stopRetrying]) : run.signal;
        try {
          await this.#sleep(retryInMs, signal);
        } catch (err) {
          if (run.signal.aborted) throw this.#error(ABORTED, call.method, path, attempt);
          if (this.#stopRetrying?.aborted) throw this.#error(failure, call.method, path, attempt);
          throw err;
        }
      }
    }
  }

  /**
   * How long to wait before the next attempt, or undefined to give up. May add to the failure's
   * message why it gave up early.
   */
  #retryDelay(
    failure: Failure,
    tries: { failed: number; rateLimited: number },
    deadline: number,
    run: RunScope,
  ): number | undefined {
    if (!failure.transient) return undefined;
    const now = this.#now();
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > this.#maxRetryAfterMs) {
      failure.apiMessage += ` (asked to retry after ${seconds(failure.retryAfterMs)}, longer than the ${seconds(this.#maxRetryAfterMs)} this client waits)`;
      return undefined;
    }
    const rateLimited = failure.status === 429;
    if (rateLimited && tries.rateLimited >= this.#maxRateLimitedAttempts) {
      failure.apiMessage += ` (rate limited ${tries.rateLimited} times)`;
      return undefined;
    }
    if (!rateLimited && tries.failed >= this.#maxAttempts) return undefined;
    // The shared pause was recorded as the answer's status arrived; a little jitter on top, so that
    // the requests told the same instant do not all return in one burst.
    const pause = Math.max(0, this.#notBefore - now);
    const delay =
      rateLimited || failure.retryAfterMs !== undefined
        ? pause + Math.floor(this.#random() * this.#baseDelayMs)
        : backoffDelayMs(
            tries.failed,
            { baseDelayMs: this.#baseDelayMs, maxDelayMs: this.#maxDelayMs },
            this.#random,
          );
    if (now + delay >= deadline) {
      failure.apiMessage += ` (the next attempt would pass ${this.#deadlineName(deadline, run)})`;
      return undefined;
    }
    if (!rateLimited && !run.budget.take()) {
      failure.apiMessage += ` (the client's ${run.budget.limit()} retries for this run are spent)`;
      return undefined;
    }
    return delay;
  }

  #deadlineName(deadline: number, run: RunScope): string {
    return deadline === run.deadline && this.#deadlineMs !== undefined
      ? `the run's ${seconds(this.#deadlineMs)} deadline`
      : `the ${seconds(this.#totalTimeoutMs)} total timeout`;
  }

  /**
   * Before a request leaves: wait out a shared pause (Retry-After) while holding the slot, since no
   * request may leave anyway. Fails at once when the pause would pass the deadline or is longer
   * than this client waits.
   */
  async #waitForPause(deadline: number, run: RunScope): Promise<Failure | undefined> {
    for (;;) {
      await this.#turnToLeave();
      const now = this.#now();
      if (now >= deadline) {
        return {
          code: "deadline_exceeded",
          apiMessage: `no attempt may start after ${this.#deadlineName(deadline, run)}`,
          transient: false,
        };
      }
      const pause = this.#notBefore - now;
      if (pause <= 0) return undefined;
      if (pause > this.#maxRetryAfterMs || now + pause >= deadline) {
        const why =
          pause > this.#maxRetryAfterMs
            ? `longer than the ${seconds(this.#maxRetryAfterMs)} this client waits`
            : `past ${this.#deadlineName(deadline, run)}`;
        return {
          code: "rate_limited",
          apiMessage: `the API asked for a pause of ${seconds(pause)} (Retry-After), ${why}`,
          transient: false,
        };
      }
      try {
        await this.#sleep(pause, run.signal);
      } catch {
        return ABORTED;
      }
    }
  }

  /**
   * Resolves when this request may leave, as far as the sockets tell: once the event loop has read
   * them since the previous request left, and no answer arrived while it did (a few rounds at most).
   * A 429 that has reached this host is then read before the next request leaves, not after it:
   * requests leave one per read of the sockets, so a burst of sends (each fetch() is a fraction of a
   * millisecond of work) cannot outrun a 429 waiting to be read. A few turns of the loop, no timer.
   */
  #turnToLeave(): Promise<void> {
    const turn = this.#leaving.then(() => this.#afterSocketsRead());
    this.#leaving = turn;
    return turn;
  }

  async #afterSocketsRead(): Promise<void> {
    for (let round = 0; round < QUIET_POLL_ROUNDS; round++) {
      const seen = this.#answersSeen;
      // Two turns: the first may end in the check phase of the poll under way, the second follows a new poll.
      await nextTurn();
      await nextTurn();
      if (this.#answersSeen === seen) return;
    }
  }

  /** Records the pause a rate-limit answer asks of every request of the client, from its status alone. */
  #notePause(response: HttpAnswer): void {
    const status = response.status;
    const retryAfter = response.headers.get("retry-after");
    if (status !== 429 && (retryAfter === null || !isRetryableStatus(status))) return;
    const now = this.#now();
    let pauseMs = parseRetryAfterMs(retryAfter, now);
    if (pauseMs === undefined && status === 429) {
      // No Retry-After: pause all the same, longer with each such 429 in a row.
      pauseMs = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** this.#unannouncedLimits++);
    }
    if (pauseMs !== undefined) this.#notBefore = Math.max(this.#notBefore, now + pauseMs);
  }

  /** One HTTP exchange inside a limiter slot. Never throws: every failure becomes a Failure. */
  async #attempt<T>(call: Call<T>, path: string, deadline: number, run: RunScope): Promise<Outcome<T>> {
    const held = (await this.#waitForPause(deadline, run)) ?? run.refusedKey;
    if (held) return { ok: false, failure: held, durationMs: 0 };
    if (run.signal.aborted) return { ok: false, failure: ABORTED, durationMs: 0 };
    const timeoutMs = Math.max(1, Math.min(this.#timeoutMs, deadline - this.#now()));
    // One controller for both the timeout and the caller's signal; the listener goes when the attempt ends,
    // so a long-lived client signal does not collect one per request.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const onAbort = (): void => controller.abort();
    run.signal.addEventListener("abort", onAbort, { once: true });
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let response: HttpAnswer;
    let text = "";
    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${this.#apiKey}`,
        accept: "application/json",
        "user-agent": this.#userAgent,
      };
      if (call.body !== undefined) headers["content-type"] = "application/json";
      call.onSend?.();
      response = await this.#fetch(`${this.baseUrl}${path}`, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: controller.signal,
        // Never follow a redirect: it would carry the key to wherever it points.
        redirect: "manual",
      });
      this.#answersSeen++;
      // Before the body is read: once it is, the slot is free and another request could leave first.
      this.#notePause(response);
      if (isSuccess(response.status)) this.#unannouncedLimits = 0;
      if (isSuccess(response.status) && !call.read) {
        // The status is the whole answer; a body cut short after it changes nothing.
        await response.arrayBuffer().catch(() => undefined);
      } else if (isSuccess(response.status)) {
        text = await response.text();
      } else {
        // The status already says what happened; a lost error body only costs the details.
        text = await response.text().catch(() => "");
      }
    } catch (err) {
      if (run.signal.aborted) return { ok: false, failure: ABORTED, durationMs: elapsed() };
      const failure: Failure = controller.signal.aborted
        ? { code: "timeout", apiMessage: `no complete answer within ${timeoutMs} ms`, transient: true }
        : {
            code: "network_error",
            apiMessage: describeNetworkError(err),
            transient: !isPermanentNetworkError(err),
          };
      return { ok: false, failure, durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
      run.signal.removeEventListener("abort", onAbort);
    }
    // Outside the try: a bug in a reader must surface as itself, not as a retried network error.
    return { ...this.#interpret(response, text, call), durationMs: elapsed() } as Outcome<T>;
  }

  #interpret<T>(response: HttpAnswer, text: string, call: Call<T>): Answer<T> {
    const status = response.status;
    if (isSuccess(status)) {
      if (!call.read) return { ok: true, status, value: undefined as T };
      const invalid = (why: string): Answer<T> => ({
        ok: false,
        failure: { status, code: "invalid_response", apiMessage: why, transient: false },
      });
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return invalid(
          `the answer is not JSON (content-type ${response.headers.get("content-type") ?? "none"})`,
        );
      }
      try {
        return { ok: true, status, value: call.read(body) };
      } catch (err) {
        if (err instanceof InvalidAnswer) return invalid(`unexpected answer: ${err.message}`);
        throw err;
      }
    }
    if (status >= 300 && status < 400) {
      const where = safeLocation(response.headers.get("location"), this.baseUrl);
      return {
        ok: false,
        failure: {
          status,
          code: "redirect",
          apiMessage: `the API redirects${where}; check REFLAG_API_URL`,
          transient: false,
        },
      };
    }
    const said = readErrorBody(text);
    const failure: Failure = {
      status,
      code: said?.code ?? "http_error",
      apiMessage: said?.message ?? (`${status} ${response.statusText}`.trim() || "no error body"),
      transient: isRetryableStatus(status),
    };
    if (said?.issues) failure.issues = said.issues;
    const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"), this.#now());
    if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
    return { ok: false, failure };
  }

  #error(failure: Failure, method: string, path: string, attempts: number): ApiError {
    const init: ApiErrorInit = {
      ...failure,
      method,
      path: this.#redact(path),
      attempts,
      apiMessage: this.#redact(failure.apiMessage),
    };
    if (failure.issues) {
      init.issues = Object.fromEntries(
        Object.entries(failure.issues).map(([where, what]) => [
          this.#redact(where),
          what.map((m) => this.#redact(m)),
        ]),
      );
    }
    return new ApiError(init);
  }

  /** The service might echo the key back in a message; it must never reach an error or a log. */
  #redact(text: string): string {
    // A key too short to be real would redact ordinary words; such keys are refused by the API anyway.
    if (this.#apiKey.length < 8) return text;
    return text.split(this.#apiKey).join("[redacted]");
  }

  #emit(event: RequestEvent): void {
    if (!this.#onRequest) return;
    try {
      this.#onRequest(event);
    } catch {
      // An observer (metrics, progress) must not change the outcome of a request.
    }
  }
}

/** How an existing flag differs from what a create asks for, in the fields the create sets. */
function createDifferences(flag: FlagHeader, body: CreateFlagBody): string[] {
  const differences: string[] = [];
  if (flag.name !== body.name) differences.push(`it is named '${flag.name}', not '${body.name}'`);
  if (body.description !== undefined && (flag.description ?? null) !== body.description)
    differences.push("its description differs");
  if (body.stageId !== undefined && flag.stage?.id !== body.stageId)
    differences.push(`its stage is ${flag.stage ? `'${flag.stage.name}'` : "none"}`);
  return differences;
}

/** What happened on the wire; fetch says "fetch failed" or "terminated" and names it in the cause. */
function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { message?: unknown; code?: unknown } | undefined;
  const detail = typeof cause?.message === "string" && cause.message !== "" ? cause.message : undefined;
  const own = (err as { code?: unknown }).code;
  const code = typeof cause?.code === "string" ? cause.code : typeof own === "string" ? own : undefined;
  const parts = [err.message, detail].filter(Boolean).join(": ");
  return code && !parts.includes(code) ? `${parts} (${code})` : parts;
}

/** Where a redirect points, without its query: enough to spot a wrong base URL. */
function safeLocation(location: string | null, base: string): string {
  if (!location) return "";
  try {
    const url = new URL(location, base);
    return ` to ${url.origin}${url.pathname}`;
  } catch {
    return "";
  }
}

// Named like the contract's templates, so metric labels match the emulator's and the docs'.
function entityParam(kind: EntityKind): "companyId" | "userId" {
  return kind === "companies" ? "companyId" : "userId";
}

function entityRoute(kind: EntityKind): string {
  return `/apps/:appId/envs/:envId/${kind}/:${entityParam(kind)}/flags`;
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function atLeast(value: number, min: number, name: string): number {
  if (!Number.isFinite(value) || value < min)
    throw new RangeError(`ReflagClient: ${name} must be a number >= ${min}, got ${value}`);
  return value;
}
