// Shared by the client's tests: an emulator per test, a fake clock, a tiny scripted HTTP server
// for answers the emulator never gives (non-JSON, broken pagination, redirects).
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect } from "vitest";
import type { EmulatorOptions, RunningEmulator } from "../src/emulator/index.js";
import { ApiError } from "../src/live/api-error.js";
import { ReflagClient } from "../src/live/client.js";
import type { ReflagClientOptions, RequestEvent } from "../src/live/client.js";
import { startTestEmulator } from "./support/emulator.js";

const running: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((close) => close()));
});

/** An emulator for this test, closed after it. */
export async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startTestEmulator(options);
  running.push(() => emu.close());
  return emu;
}

/** A client of `emu`'s demo app that records every attempt. */
export function clientOf(
  emu: { url: string; apiKey: string },
  options: Partial<ReflagClientOptions> = {},
): { client: ReflagClient; events: RequestEvent[] } {
  const events: RequestEvent[] = [];
  const client = new ReflagClient({
    baseUrl: emu.url,
    apiKey: emu.apiKey,
    onRequest: (e) => events.push(e),
    ...options,
  });
  return { client, events };
}

/** Time that only moves when the client sleeps: waits are recorded and take no real time. */
export function fakeClock(start = Date.parse("2026-03-03T09:00:00.000Z")): {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  sleeps: number[];
} {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

/** The ApiError a call rejects with. */
export async function apiErrorOf(call: Promise<unknown>): Promise<ApiError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A bare HTTP server on 127.0.0.1 answering with `handler`; `requests` lists "METHOD /path?query". */
export async function tinyServer(handler: Handler): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      requests.push(`${req.method} ${req.url}`);
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  running.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, requests };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}
