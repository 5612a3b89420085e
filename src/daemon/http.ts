// The daemon's HTTP endpoints for probes and Prometheus: /healthz, /readyz, /metrics. Read-only,
// no authentication: bind it to a private interface or keep it inside the cluster.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { UserError } from "../errors.js";
import type { DaemonMetrics } from "./metrics.js";
import type { ReadyStatus } from "./state.js";

export interface ListenAddress {
  /** undefined: all interfaces. */
  host: string | undefined;
  port: number;
}

export interface HttpEndpoints {
  /** "127.0.0.1:9090", "[::]:9090": where it listens, with the real port when 0 was asked. */
  address: string;
  close(): Promise<void>;
}

export async function startHttp(
  listen: ListenAddress,
  deps: { status: () => ReadyStatus; metrics: DaemonMetrics },
): Promise<HttpEndpoints> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    const json = (status: number, body: unknown) =>
      send(status, "application/json; charset=utf-8", `${JSON.stringify(body)}\n`);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      json(405, { error: "method not allowed" });
      return;
    }
    switch (path) {
      case "/healthz":
        json(200, { status: "ok" });
        return;
      case "/readyz": {
        const status = deps.status();
        json(status.ready ? 200 : 503, status);
        return;
      }
      case "/metrics":
        deps.metrics.text().then(
          (text) => send(200, deps.metrics.contentType, text),
          (err: unknown) => json(500, { error: String(err) }),
        );
        return;
      default:
        json(404, { error: "not found", endpoints: ["/healthz", "/readyz", "/metrics"] });
    }
  });
  // Probes come every few seconds from one kubelet: short keep-alive, no slow clients held open.
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new UserError(
          "RS_USAGE",
          `--listen ${listen.host ?? ""}:${listen.port}: ${err.code === "EADDRINUSE" ? "the address is already in use" : err.code === "EADDRNOTAVAIL" ? "no such local address" : err.message}`,
        ),
      ),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    address:
      address.family === "IPv6"
        ? `[${address.address}]:${address.port}`
        : `${address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
