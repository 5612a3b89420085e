// The HTTP side: reads requests, applies faults, authenticates, dispatches to the routes, counts.
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { controlAnswer } from "./control.js";
import { ApiProblem, methodNotAllowed, notFound, problemAnswer } from "./errors.js";
import type { ApiErrorCode } from "../api/types.js";
import type { FaultDecision, FaultInjector, FaultStatus } from "./faults.js";
import type { RateLimitWindows } from "./rate-limit.js";
import type { StateFile } from "./persistence.js";
import { API_ROUTES, type ApiHandler } from "./routes.js";
import { Router, splitPath, splitTarget, type RouteMatch } from "./router.js";
import type { StatsRecorder } from "./stats.js";
import type { EmulatorStore } from "./store.js";

/** The documented request body limit: above it the answer is 413. */
export const MAX_BODY_BYTES = 1024 * 1024;
// Larger bodies are still read (and dropped) so the client sees the 413 instead of a reset; past this, we hang up.
const MAX_DRAINED_BYTES = 64 * MAX_BODY_BYTES;
const NO_ROUTE = "(no route)";

export interface ServerDeps {
  store: EmulatorStore;
  faults: FaultInjector;
  stats: StatsRecorder;
  limiter: RateLimitWindows;
  /** The limiter's clock, in ms. */
  clock: () => number;
  stateFile?: StateFile;
  /** The seed fault settings fall back to when they name none. */
  seed: number;
}

export interface EmulatorServer {
  server: Server;
  /** Ends pending injected delays, so that close() does not wait for them. */
  abortDelays(): void;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Body {
  data: Buffer;
  size: number;
  /** Reading stopped early: the connection must close after the answer. */
  truncated: boolean;
}

export function createEmulatorServer(deps: ServerDeps): EmulatorServer {
  const router = new Router<ApiHandler>(API_ROUTES);
  const delays = new AbortController();
  // The window of the last 429 each connection carried: a request on it inside that window was sent
  // after its client had read the 429.
  const limitedConnections = new WeakMap<object, { key: string; until: number }>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, problemAnswer(unexpected(err))));
  });
  // Malformed HTTP (bad request line, oversized headers) still gets a JSON error body.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    const text = JSON.stringify(
      new ApiProblem("invalid_request", `Malformed HTTP request (${err.code ?? "error"})`).toBody(),
    );
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = splitTarget(req.url ?? "/");
    if (path === "/_emulator" || path.startsWith("/_emulator/")) {
      const body = await readBody(req);
      send(res, withClose(controlAnswer(req.method ?? "GET", path, body.data.toString("utf8"), deps), body));
      return;
    }
    if (path === "/api" || path.startsWith("/api/")) return handleApi(req, res, path, query);
    const body = await readBody(req);
    send(res, withClose(problemAnswer(notFound(`No such path: ${path} (the API is under /api)`)), body));
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: string,
  ): Promise<void> {
    const started = performance.now();
    const method = req.method ?? "GET";
    // Rate limits are per key; a request without one is limited with the others that have none.
    const key = req.headers.authorization ?? "";
    const arrivedInWindow = deps.limiter.inWindow(key);
    const afterRefusal = deps.limiter.afterRefusal(key);
    const carried = limitedConnections.get(req.socket);
    const sentInWindow = carried?.key === key && carried.until > deps.clock();
    // A real limiter refuses at the door: what it says then stands, even if the window ends meanwhile.
    const refusedAtArrival = arrivedInWindow ? deps.limiter.refusal(key) : undefined;
    let route = NO_ROUTE;
    let outcome = "aborted";
    deps.stats.begin();
    if (arrivedInWindow) deps.stats.rateLimited("arrivedInWindow");
    if (sentInWindow) deps.stats.rateLimited("insideWindow");
    if (afterRefusal) deps.stats.rateLimited("afterRefusal");
    try {
      let body: Body;
      const announced = announcedLength(req);
      if (announced > MAX_BODY_BYTES) {
        // Too large by its own Content-Length: answer now rather than wait for bytes a client may
        // never send, and drop the body as it arrives. The connection stays open meanwhile even if the
        // client asked to close it: closing while it still writes would reset it, and a reset can
        // destroy the answer before the client reads it. The client closes once its body is sent.
        body = { data: Buffer.alloc(0), size: announced, truncated: false };
        discardBody(req);
        if (req.httpVersion === "1.1") res.shouldKeepAlive = true;
      } else {
        try {
          body = await readBody(req);
        } catch {
          // The client went away while sending its body: nobody to answer.
          req.socket.destroy();
          return;
        }
      }
      let match: RouteMatch<ApiHandler> | ApiProblem;
      try {
        match = router.match(method, splitPath(path.slice("/api".length)));
        if (match.kind === "found") route = match.route.template;
        if (match.kind === "methodNotAllowed") route = match.template;
      } catch (err) {
        match = err instanceof ApiProblem ? err : unexpected(err);
      }
      // A request refused by the limiter never reaches the service: it consumes no scripted fault.
      const fault = arrivedInWindow ? { delayMs: deps.faults.latencyMs() } : deps.faults.decide(method, path);
      if (fault.delayMs > 0)
        await sleep(fault.delayMs, undefined, { signal: delays.signal }).catch(() => undefined);
      if (fault.reset) {
        req.socket.destroy();
        outcome = "reset";
        return;
      }
      if (fault.hang) {
        await hangUntilClosed(req, delays.signal);
        req.socket.destroy();
        outcome = "hung";
        return;
      }
      // Checked as the answer leaves, so a window opened while this request was in flight refuses it too.
      const refusal = refusedAtArrival ?? deps.limiter.refusal(key);
      if (refusal !== undefined && !arrivedInWindow) deps.stats.rateLimited("knockOn");
      let answer: Answer;
      if (refusal !== undefined) {
        answer = faultAnswer({ status: 429, retryAfterSeconds: refusal });
      } else if (fault.answer) {
        answer = faultAnswer(fault.answer);
        if (fault.answer.status === 429) {
          deps.limiter.open(key, fault.answer.retryAfterSeconds ?? 0);
          deps.stats.rateLimited("windows");
        }
      } else {
        answer = await apiAnswer(req, method, path, match, new URLSearchParams(query), body);
      }
      const until = answer.status === 429 ? deps.limiter.until(key) : undefined;
      if (until !== undefined) {
        limitedConnections.set(req.socket, { key, until });
        // Two turns of the loop after the 429 is written: the second follows a read of the sockets.
        res.once("finish", () => setImmediate(() => setImmediate(() => deps.limiter.refusalKnown(key))));
      }
      if (fault.lose) {
        // The change is applied (and saved); only the answer never arrives.
        req.socket.destroy();
        outcome = "lost";
        return;
      }
      outcome = String(send(res, withClose(answer, body)));
    } catch (err) {
      outcome = String(send(res, problemAnswer(unexpected(err))));
    } finally {
      deps.stats.end({
        method,
        route,
        status: outcome,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(sentInWindow
          ? { inWindow: "sent" as const }
          : arrivedInWindow
            ? { inWindow: "arrived" as const }
            : {}),
      });
    }
  }

  async function apiAnswer(
    req: IncomingMessage,
    method: string,
    path: string,
    match: RouteMatch<ApiHandler> | ApiProblem,
    query: URLSearchParams,
    body: Body,
  ): Promise<Answer> {
    const revision = deps.store.revision;
    let answer: Answer;
    try {
      if (match instanceof ApiProblem) throw match;
      if (match.kind === "notFound") throw notFound(`No route for ${method} ${path}`);
      if (match.kind === "methodNotAllowed") throw methodNotAllowed(method, match.template, match.allow);
      const keyAppId = authenticate(req.headers.authorization);
      const appId = match.params.appId;
      if (appId !== undefined) authorize(keyAppId, appId);
      if (body.size > MAX_BODY_BYTES) {
        throw new ApiProblem(
          "invalid_request",
          `Request body too large: ${body.size} bytes, at most ${MAX_BODY_BYTES}`,
          undefined,
          { status: 413 },
        );
      }
      const { status, body: json } = match.route.handler(deps.store, {
        params: match.params,
        query,
        keyAppId,
        body: () => parseJson(body.data),
      });
      answer = { status, body: json };
    } catch (err) {
      answer = problemAnswer(err instanceof ApiProblem ? err : unexpected(err));
    }
    // Answer a write only once it is on disk, so that a crash right after the answer loses nothing.
    if (deps.store.revision !== revision && deps.stateFile) {
      try {
        await deps.stateFile.flush();
      } catch (err) {
        answer = problemAnswer(
          new ApiProblem(
            "unknown_error",
            `The change was applied but the state file could not be written: ${(err as Error).message}`,
          ),
        );
      }
    }
    return answer;
  }

  function authenticate(header: string | undefined): string {
    const key = /^Bearer\s+(\S.*)$/i.exec(header?.trim() ?? "")?.[1]?.trim();
    if (!key)
      throw new ApiProblem(
        "unauthenticated",
        "Missing API key: send 'Authorization: Bearer <API key>'",
        undefined,
        { headers: { "www-authenticate": "Bearer" } },
      );
    const appId = deps.store.appIdForKey(key);
    if (!appId)
      throw new ApiProblem("unauthenticated", "Invalid API key", undefined, {
        headers: { "www-authenticate": "Bearer" },
      });
    return appId;
  }

  function authorize(keyAppId: string, appId: string): void {
    if (!deps.store.hasApp(appId)) throw notFound(`App '${appId}' not found`);
    if (appId !== keyAppId)
      throw new ApiProblem("unauthorized", `This API key does not give access to app '${appId}'`);
  }

  return { server, abortDelays: () => delays.abort() };
}

/** The answer an injected fault gives, with the documented error body of its status. */
const FAULT_PROBLEMS: Record<FaultStatus, [ApiErrorCode, string]> = {
  400: ["invalid_request", "Invalid request (injected fault)"],
  401: ["unauthenticated", "Invalid API key (injected fault)"],
  403: ["unauthorized", "This API key may not do this (injected fault)"],
  404: ["not_found", "Not found (injected fault)"],
  429: ["not_available", "Too many requests (injected fault)"],
  500: ["unknown_error", "Internal error (injected fault)"],
  503: ["not_available", "Service unavailable (injected fault)"],
};

function faultAnswer(answer: NonNullable<FaultDecision["answer"]>): Answer {
  const headers: Record<string, string> =
    answer.retryAfterSeconds === undefined ? {} : { "retry-after": String(answer.retryAfterSeconds) };
  const [code, message] = FAULT_PROBLEMS[answer.status];
  return problemAnswer(new ApiProblem(code, message, undefined, { status: answer.status, headers }));
}

/** Resolves when the client hangs up (its timeout) or the emulator closes. */
function hangUntilClosed(req: IncomingMessage, closing: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (closing.aborted || req.socket.destroyed) return resolve();
    req.socket.once("close", () => resolve());
    closing.addEventListener("abort", () => resolve(), { once: true });
  });
}

function parseJson(data: Buffer): unknown {
  const text = data.toString("utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "")
    throw new ApiProblem("invalid_request", "A JSON request body is required", { body: ["Required"] });
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiProblem("invalid_request", `Malformed JSON in the request body: ${(err as Error).message}`, {
      body: ["Malformed JSON"],
    });
  }
}

function unexpected(err: unknown): ApiProblem {
  return new ApiProblem(
    "unknown_error",
    `Unexpected error in the emulator: ${err instanceof Error ? err.message : String(err)}`,
  );
}

function withClose(answer: Answer, body: Body): Answer {
  return body.truncated ? { ...answer, headers: { ...answer.headers, connection: "close" } } : answer;
}

/** Sends a JSON answer unless the connection is gone; returns the status sent. */
function send(res: ServerResponse, answer: Answer): number {
  if (res.headersSent || res.destroyed) return answer.status;
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...answer.headers,
  });
  res.end(text);
  return answer.status;
}

/** The body size the request's Content-Length announces; 0 when it announces none (chunked, or no body). */
function announcedLength(req: IncomingMessage): number {
  const n = Number(req.headers["content-length"] ?? 0);
  return Number.isSafeInteger(n) ? n : 0;
}

/** Drops the body of a request already answered; past MAX_DRAINED_BYTES, hangs up. */
function discardBody(req: IncomingMessage): void {
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_DRAINED_BYTES) req.socket.destroy();
  });
  req.on("error", () => undefined);
}

/** Reads the whole body; past the limit it keeps reading but drops the bytes. Rejects if the client goes away. */
function readBody(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size > MAX_DRAINED_BYTES) {
        req.pause();
        resolve({ data: Buffer.alloc(0), size, truncated: true });
      }
    });
    req.on("end", () => resolve({ data: Buffer.concat(chunks), size, truncated: false }));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("request aborted"));
    });
  });
}
