// The container and the deployment example, without Docker: the Dockerfile's command and health
// check run as they would in the image, and the Kubernetes manifests and the Grafana dashboard are
// checked against what the daemon really serves.
import { execFile } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runCli, writeFiles } from "./support/cli.js";
import { daemonHarness, isReconcile, spawnDaemon } from "./support/daemon.js";
import { darkMode, liveCompanies } from "./support/daemon-files.js";

const ROOT = resolve(import.meta.dirname, "..");
const K8S = join(ROOT, "examples", "kubernetes");
const run = promisify(execFile);

const h = daemonHarness();

/** The JSON-array form of a Dockerfile instruction (continuation lines joined). */
function instruction(dockerfile: string, name: string): string[] {
  const text = dockerfile.replace(/\\\n\s*/g, " ");
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in the Dockerfile`);
  const json = line.slice(line.indexOf("["));
  return JSON.parse(json) as string[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe("container", () => {
  it("builds in two stages, installs production dependencies only, runs as a non-root user, needs no curl", async () => {
    const dockerfile = await readFile(join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/dist/);
    const user = /^USER (\d+)(?::(\d+))?$/m.exec(dockerfile);
    expect(Number(user?.[1])).toBeGreaterThan(0);
    const instructions = dockerfile.replace(/^#.*$/gm, "");
    expect(instructions).not.toMatch(/curl|wget/);
    expect([...instruction(dockerfile, "ENTRYPOINT"), ...instruction(dockerfile, "CMD")].slice(0, 3)).toEqual(
      ["node", "dist/cli.js", "watch"],
    );
  });

  it("runs the image's command and health check as they are (mount and port replaced)", async () => {
    const dockerfile = await readFile(join(ROOT, "Dockerfile"), "utf8");
    const port = await freePort();
    const mount = await writeFiles({ "flags.yaml": darkMode(["acme-corp", "globex"]) });
    const command = [...instruction(dockerfile, "ENTRYPOINT"), ...instruction(dockerfile, "CMD")]
      .slice(1)
      .map((arg) => (arg === "/config" ? mount : arg === ":9090" ? `127.0.0.1:${port}` : arg));
    const d = await spawnDaemon([], {
      cwd: ROOT,
      command,
      env: { REFLAG_API_URL: h.emulator.url, REFLAG_API_KEY: h.emulator.apiKey },
    });
    try {
      await d.waitFor((l) => isReconcile(l));
      expect(liveCompanies(h.emulator)).toEqual(["acme-corp", "globex"]);
      const healthcheck = instruction(dockerfile, "HEALTHCHECK").map((arg) =>
        arg.replace("9090", String(port)),
      );
      expect(healthcheck[0]).toBe("node");
      await expect(run(process.execPath, healthcheck.slice(1))).resolves.toBeDefined();
      d.kill("SIGTERM");
      expect((await d.exited).code).toBe(0);
      // Once the daemon is gone the health check fails.
      await expect(run(process.execPath, healthcheck.slice(1))).rejects.toThrow();
    } finally {
      d.kill("SIGKILL");
    }
  });
});

describe("Kubernetes example", () => {
  async function manifests(): Promise<Record<string, unknown>[]> {
    const docs: Record<string, unknown>[] = [];
    for (const name of (await readdir(K8S)).filter((n) => n.endsWith(".yaml")).sort()) {
      for (const doc of parseAllDocuments(await readFile(join(K8S, name), "utf8"))) {
        expect(doc.errors, name).toEqual([]);
        docs.push(doc.toJS() as Record<string, unknown>);
      }
    }
    return docs;
  }

  it("is complete: one replica, Recreate, git-sync on a shared volume, the key from a Secret, probes, a restrictive securityContext, a metrics Service", async () => {
    const docs = await manifests();
    const kinds = docs.map((d) => d.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["Kustomization", "Deployment", "Service", "ServiceAccount"]),
    );
    const kustomization = docs.find((d) => d.kind === "Kustomization") as { resources: string[] };
    for (const file of kustomization.resources) expect((await readdir(K8S)).includes(file), file).toBe(true);

    const deployment = docs.find((d) => d.kind === "Deployment") as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe("Recreate");
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    const [daemon, sidecar] = pod.containers;
    expect(sidecar.image).toMatch(/git-sync/);
    const shared = (c: { volumeMounts: { name: string }[] }) => c.volumeMounts.map((m) => m.name);
    expect(shared(daemon).filter((n: string) => shared(sidecar).includes(n))).not.toEqual([]);
    for (const c of pod.containers) {
      expect(c.securityContext, c.name).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      expect(c.resources.limits.memory, c.name).toBeDefined();
    }
    expect(
      daemon.env.find((e: { name: string }) => e.name === "REFLAG_API_KEY").valueFrom.secretKeyRef,
    ).toBeDefined();
    expect(daemon.livenessProbe.httpGet.path).toBe("/healthz");
    expect(daemon.readinessProbe.httpGet.path).toBe("/readyz");
    const service = docs.find((d) => d.kind === "Service") as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(service.spec.ports[0].targetPort).toBe(daemon.ports[0].name);

    // Every option the example passes is one the daemon knows.
    expect(daemon.args[0]).toBe("watch");
    const help = (await runCli(["watch", "--help"])).stdout;
    for (const arg of daemon.args.slice(1)) expect(help, arg).toContain(`${arg.split("=")[0]} `);
  });

  it("has a Grafana dashboard whose queries use only metrics the daemon serves", async () => {
    const dashboard = JSON.parse(await readFile(join(K8S, "grafana-dashboard.json"), "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const d = await h.start(darkMode(["globex"]));
    await d.waitFor((l) => isReconcile(l));
    const served = new Set(
      [...(await d.get("/metrics")).text.matchAll(/^# TYPE (\S+) (\S+)/gm)].map((m) => m[1]),
    );
    const used = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) => [...t.expr.matchAll(/\breflag_sync_[a-z_]+/g)].map((m) => m[0])),
    );
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(served, name).toContain(name.replace(/_(bucket|sum|count)$/, ""));
  });
});
