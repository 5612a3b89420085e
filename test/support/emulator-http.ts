// Raw HTTP calls to a running emulator. node:http sends the path exactly as written (fetch would
// resolve "." and ".." segments), so tests can prove how the emulator splits and decodes paths.
import { request, type Agent, type IncomingHttpHeaders } from "node:http";
import type { RunningEmulator } from "../../src/emulator/index.js";

export interface HttpAnswer<T> {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or undefined for an empty body. */
  body: T;
  text: string;
}

export interface CallOptions {
  /** The Bearer key; default the emulator's demo key, null sends no Authorization header. */
  key?: string | null;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as it is (malformed JSON, oversized bodies). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** Default: a fresh connection per call (no keep-alive), so tests leave no sockets behind. */
  agent?: Agent | false;
}

type Target = Pick<RunningEmulator, "origin" | "apiKey">;

/** Calls `path` under the origin as it is ("/api/apps", "/_emulator/stats"). */
export function call<T = unknown>(
  emulator: Target,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<HttpAnswer<T>> {
  const key = options.key === undefined ? emulator.apiKey : options.key;
  const payload = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  const headers: Record<string, string | number> = { accept: "application/json", ...options.headers };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (payload !== undefined) {
    headers["content-type"] ??= "application/json";
    headers["content-length"] = Buffer.byteLength(payload);
  }
  const url = new URL(emulator.origin);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: (text ? JSON.parse(text) : undefined) as T,
              text,
            });
          } catch (err) {
            reject(
              new Error(`${method} ${path}: answer is not JSON (${String(err)}): ${text.slice(0, 200)}`),
            );
          }
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Calls an API path: `api(emu, "GET", "/apps")` requests /api/apps. */
export function api<T = unknown>(
  emulator: Target,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<HttpAnswer<T>> {
  return call<T>(emulator, method, `/api${path}`, options);
}

/** One path segment, encoded the way a client must (encodeURIComponent keeps "/", "?", "#", "%" inside). */
export const seg = (id: string): string => encodeURIComponent(id);
