// A per-key rate limiter as real services run one: after a 429, every request with that key is
// refused until the 429's Retry-After has passed, so requests already in flight come back 429 too.

interface Window {
  /** When the 429 that opened it was answered (ms). */
  openedAt: number;
  until: number;
  /** Whole-second windows answer whole seconds (rounded up), as HTTP's Retry-After is usually written. */
  wholeSeconds: boolean;
  /** When the server knew that its client could know of a 429 of this window (ms; see refusalKnown). */
  knownAt?: number;
}

export class RateLimitWindows {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number) {}

  /** Called as a 429 is answered: no request with `key` is served for `seconds` from now. */
  open(key: string, seconds: number): void {
    const at = this.now();
    const until = at + Math.ceil(seconds * 1000);
    const current = this.windows.get(key);
    // A knock-on refusal never extends a window; a fresh one replaces an ended one.
    if (current && current.until >= until) return;
    this.windows.set(key, { openedAt: at, until, wholeSeconds: Number.isInteger(seconds) });
  }

  /** The Retry-After (seconds) to answer when `key` is inside a window now, else undefined. */
  refusal(key: string): number | undefined {
    const window = this.windows.get(key);
    if (!window) return undefined;
    const left = window.until - this.now();
    if (left <= 0) {
      this.windows.delete(key);
      return undefined;
    }
    return window.wholeSeconds ? Math.ceil(left / 1000) : Math.ceil(left) / 1000;
  }

  /** Whether a request with `key` that arrives now falls inside a window already answered. */
  inWindow(key: string): boolean {
    const window = this.windows.get(key);
    const now = this.now();
    return window !== undefined && window.openedAt < now && now < window.until;
  }

  /**
   * Called once a 429 for `key` had been written out in full and the server has since read its
   * sockets: a request that it reads from now on reached the server after the 429 had left it.
   */
  refusalKnown(key: string): void {
    const window = this.windows.get(key);
    const now = this.now();
    if (window && window.knownAt === undefined && now < window.until) window.knownAt = now;
  }

  /**
   * Whether a request with `key` that arrives now falls inside a window after its client had a 429 of
   * that window (see refusalKnown), on whichever connection.
   */
  afterRefusal(key: string): boolean {
    const window = this.windows.get(key);
    return window?.knownAt !== undefined && this.now() < window.until;
  }

  /** When the key's window ends (ms), if one is open. */
  until(key: string): number | undefined {
    const until = this.windows.get(key)?.until;
    return until !== undefined && until > this.now() ? until : undefined;
  }
}
