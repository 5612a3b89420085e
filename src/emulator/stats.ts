// Request statistics, grouped by route template so that tests can count calls per endpoint.

export interface RequestRecord {
  method: string;
  /** "PATCH /apps/:appId/flags/specific-targets/:envId", or "(no route)". */
  route: string;
  /** HTTP status, or "lost" / "reset" / "aborted" when no answer was sent. */
  status: string;
  at: string;
  durationMs: number;
  /** Arrived while its key's Retry-After window was open (see RateLimitStats). */
  inWindow?: "arrived" | "sent";
}

/** What the rate limiter saw: windows opened, requests refused by them, and requests sent into them. */
export interface RateLimitStats {
  /** 429s that opened a window (injected ones). */
  windows: number;
  /** Requests refused because a window opened while they were being handled. */
  knockOn: number;
  /**
   * Requests that arrived inside a window after its first 429 had left: a client that ignores
   * Retry-After, but also requests already on their way before their client could read that 429.
   */
  arrivedInWindow: number;
  /**
   * Of those, the ones the client sent after it had read a 429 of that window: they came on a
   * connection that had carried one (HTTP/1.1 sends a request only after the previous answer has
   * been read). Always the client's fault; a correct client has none.
   */
  insideWindow: number;
  /**
   * Requests read inside a window, on any connection, after the server had written a 429 of that
   * window and then read its sockets again: they reached the server after that 429 had left it, so on
   * one host their client sent them while the 429 was already waiting on its own sockets (requests in
   * flight are read before). A client that reads its sockets before each send has none in one process;
   * across processes, only when it is descheduled between that read and the send.
   */
  afterRefusal: number;
}

export interface RequestStats {
  total: number;
  /** route -> status -> count */
  byRoute: Record<string, Record<string, number>>;
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  rateLimit: RateLimitStats;
  /** The most recent requests, oldest first. */
  requests: RequestRecord[];
}

const KEEP_RECENT = 500;

export class StatsRecorder {
  private stats: RequestStats = StatsRecorder.empty(0);

  constructor(private readonly now: () => Date) {}

  private static empty(inFlight: number): RequestStats {
    return {
      total: 0,
      byRoute: {},
      byMethod: {},
      byStatus: {},
      inFlight,
      maxInFlight: inFlight,
      rateLimit: { windows: 0, knockOn: 0, arrivedInWindow: 0, insideWindow: 0, afterRefusal: 0 },
      requests: [],
    };
  }

  begin(): void {
    this.stats.inFlight += 1;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.stats.inFlight);
  }

  /** Counts one rate-limit event; the request itself is counted by end(). */
  rateLimited(kind: keyof RateLimitStats): void {
    this.stats.rateLimit[kind] += 1;
  }

  end(record: Omit<RequestRecord, "at">): void {
    const s = this.stats;
    s.inFlight = Math.max(0, s.inFlight - 1);
    s.total += 1;
    const key = `${record.method} ${record.route}`;
    const byStatus = (s.byRoute[key] ??= {});
    byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
    s.byMethod[record.method] = (s.byMethod[record.method] ?? 0) + 1;
    s.byStatus[record.status] = (s.byStatus[record.status] ?? 0) + 1;
    s.requests.push({ ...record, at: this.now().toISOString() });
    if (s.requests.length > KEEP_RECENT) s.requests.splice(0, s.requests.length - KEEP_RECENT);
  }

  snapshot(): RequestStats {
    return structuredClone(this.stats);
  }

  /** Zeroes the counters; requests still in flight stay counted as in flight. */
  reset(): void {
    this.stats = StatsRecorder.empty(this.stats.inFlight);
  }
}
