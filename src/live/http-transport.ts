// The client's HTTP exchange over node:http and node:https with kept-alive connections. Node's
// fetch (undici) costs about 1.1 ms of CPU per request in a short-lived process against 0.4 ms
// here: at 3,000 reads that was seconds of a plan. The client needs only this much of fetch.
import { Buffer } from "node:buffer";
import http from "node:http";
import type { IncomingMessage } from "node:http";
import https from "node:https";

export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
  /** Redirects are answers like any other, never followed. */
  redirect: "manual";
}

/** What the client sends requests with; fetch is one. Rejects on a network error or when `signal` aborts. */
export type Transport = (url: string, init: HttpRequestInit) => Promise<HttpAnswer>;

/** A transport with its own kept-alive connections (for one client). */
export function httpTransport(): Transport {
  const agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  // Parsing every request's URL costs as much as a tenth of the request: each origin is parsed once.
  const origins = new Map<string, { secure: boolean; hostname: string; port: string }>();
  const originOf = (origin: string): { secure: boolean; hostname: string; port: string } => {
    let known = origins.get(origin);
    if (!known) {
      const parsed = new URL(origin);
      known = {
        secure: parsed.protocol === "https:",
        hostname: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: parsed.port,
      };
      origins.set(origin, known);
    }
    return known;
  };
  return (url, init) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      // The client's paths are already encoded segment by segment (client-path.ts).
      const slash = url.indexOf("/", url.indexOf("//") + 2);
      const { secure, hostname, port } = originOf(slash < 0 ? url : url.slice(0, slash));
      const headers =
        init.body === undefined
          ? init.headers
          : { ...init.headers, "content-length": String(Buffer.byteLength(init.body)) };
      const options = {
        hostname,
        ...(port ? { port } : {}),
        path: slash < 0 ? "/" : url.slice(slash),
        method: init.method,
        headers,
        signal: init.signal,
        agent: secure ? agents.https : agents.http,
      };
      const request = secure
        ? https.request(options, (response) => resolve(answerOf(response)))
        : http.request(options, (response) => resolve(answerOf(response)));
      request.on("error", reject);
      request.end(init.body);
    });
}

function answerOf(response: IncomingMessage): HttpAnswer {
  const body = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => resolve(Buffer.concat(chunks)));
    response.on("error", reject);
    // A connection closed before the end of the body: the answer is cut short.
    response.on("close", () => {
      if (!response.complete) reject(new Error("the connection closed before the answer was complete"));
    });
  });
  // An answer whose body nobody reads (an abort while reading) must not be an unhandled rejection.
  body.catch(() => undefined);
  return {
    status: response.statusCode ?? 0,
    statusText: response.statusMessage ?? "",
    headers: {
      get(name) {
        const value = response.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    },
    text: async () => (await body).toString("utf8"),
    arrayBuffer: async () => {
      const bytes = await body;
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}
