// Fault injection: latency, random 5xx / 429 / lost answers (seeded), and a scripted queue for exact tests.

/**
 * "hang": hold the request unanswered until the client gives up (or the emulator closes).
 * "400" to "404": a permanent refusal with the documented error body, which a client must not retry.
 */
export type FaultKind =
  "400" | "401" | "403" | "404" | "500" | "503" | "429" | "lost" | "reset" | "delay" | "hang";

/** The statuses an injected fault may answer. */
export type FaultStatus = 400 | 401 | 403 | 404 | 429 | 500 | 503;

/** One scripted fault: it hits the next `times` requests that match `method` and `path`. */
export interface ScriptedFault {
  method?: string;
  /** A string is a prefix of the raw request path, with or without the "/api" prefix. */
  path?: RegExp | string;
  fault: FaultKind;
  /** For 429 (and 503): the Retry-After header, in seconds (fractions allowed); default the options' retryAfterSeconds. */
  retryAfterSeconds?: number;
  /** For "delay": how long to hold the request before handling it normally (default 1000). */
  delayMs?: number;
  /** Default 1. */
  times?: number;
}

export interface FaultOptions {
  /** Added to every API request. */
  latencyMs?: number;
  /** Share (0..1) of API requests answered 500 or 503 without being applied. */
  errorRate?: number;
  /** Share (0..1) of API requests answered 429 with Retry-After, without being applied. */
  rateLimitRate?: number;
  /** Retry-After of injected 429s, in seconds (default 1; fractions such as 0.05 keep tests fast). */
  retryAfterSeconds?: number;
  /** Share (0..1) of API requests that are applied, then the connection is dropped without an answer. */
  lostAnswerRate?: number;
  /** Seed of the random faults; the same seed and request sequence give the same faults. */
  seed?: number;
  script?: ScriptedFault[];
}

/** What to do with one request. */
export interface FaultDecision {
  delayMs: number;
  /** Answer this error instead of handling the request. */
  answer?: { status: FaultStatus; retryAfterSeconds?: number };
  /** Destroy the connection before handling the request. */
  reset?: boolean;
  /** Handle the request, then destroy the connection instead of answering. */
  lose?: boolean;
  /** Never answer: hold the request until the client hangs up. */
  hang?: boolean;
}

export const DEFAULT_SEED = 1;
const DEFAULT_RETRY_AFTER_SECONDS = 1;
const DEFAULT_DELAY_MS = 1000;

/** mulberry32: a tiny seeded generator, good enough to pick faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private options: FaultOptions = {};
  private script: Array<ScriptedFault & { remaining: number }> = [];
  private random: () => number = seededRandom(DEFAULT_SEED);

  constructor(options: FaultOptions = {}, seed = DEFAULT_SEED) {
    this.set(options, seed);
  }

  /** Replaces every fault setting; the generator restarts from the given seed. */
  set(options: FaultOptions, fallbackSeed = DEFAULT_SEED): void {
    this.options = { ...options };
    this.script = (options.script ?? []).map((s) => ({ ...s, remaining: s.times ?? 1 }));
    this.random = seededRandom(options.seed ?? fallbackSeed);
  }

  /** The settings in force, with the scripted faults still to come. */
  current(): FaultOptions {
    const { script: _script, ...rest } = this.options;
    return { ...rest, script: this.script.map(({ remaining, ...s }) => ({ ...s, times: remaining })) };
  }

  /** The latency every API request gets. */
  latencyMs(): number {
    return this.options.latencyMs ?? 0;
  }

  decide(method: string, rawPath: string): FaultDecision {
    const decision: FaultDecision = { delayMs: this.options.latencyMs ?? 0 };
    const retryAfterSeconds = this.options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    const scripted = this.takeScripted(method, rawPath);
    if (scripted) {
      switch (scripted.fault) {
        case "delay":
          decision.delayMs += scripted.delayMs ?? DEFAULT_DELAY_MS;
          break;
        case "reset":
          decision.reset = true;
          break;
        case "hang":
          decision.hang = true;
          break;
        case "lost":
          decision.lose = true;
          break;
        case "429":
          decision.answer = {
            status: 429,
            retryAfterSeconds: scripted.retryAfterSeconds ?? retryAfterSeconds,
          };
          break;
        case "500":
        case "503":
          decision.answer = { status: Number(scripted.fault) as 500 | 503 };
          if (scripted.retryAfterSeconds !== undefined)
            decision.answer.retryAfterSeconds = scripted.retryAfterSeconds;
          break;
        case "400":
        case "401":
        case "403":
        case "404":
          decision.answer = { status: Number(scripted.fault) as FaultStatus };
          break;
      }
      return decision;
    }
    if (this.roll(this.options.rateLimitRate)) decision.answer = { status: 429, retryAfterSeconds };
    else if (this.roll(this.options.errorRate)) decision.answer = { status: this.random() < 0.5 ? 500 : 503 };
    else if (this.roll(this.options.lostAnswerRate)) decision.lose = true;
    return decision;
  }

  private roll(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  private takeScripted(method: string, rawPath: string): ScriptedFault | undefined {
    const apiPath = rawPath.startsWith("/api/") ? rawPath.slice(4) : rawPath;
    const index = this.script.findIndex(
      (s) =>
        (s.method === undefined || s.method.toUpperCase() === method) &&
        pathMatches(s.path, rawPath, apiPath),
    );
    const hit = this.script[index];
    if (!hit) return undefined;
    hit.remaining -= 1;
    if (hit.remaining <= 0) this.script.splice(index, 1);
    return hit;
  }
}

function pathMatches(pattern: RegExp | string | undefined, rawPath: string, apiPath: string): boolean {
  if (pattern === undefined) return true;
  if (typeof pattern === "string") return rawPath.startsWith(pattern) || apiPath.startsWith(pattern);
  return pattern.test(rawPath) || pattern.test(apiPath);
}
