// The naive baseline: the sync script a user would write from Reflag's docs, with plain fetch.
// Reads one after another; then one per-entity PATCH per target change, 8 in flight. It is given
// the desired state in memory (no YAML parsing), which only flatters it.
import { performance } from "node:perf_hooks";
import { ENVIRONMENTS, flagKey, targetsOf } from "./scenarios.mjs";

const IN_FLIGHT = 8;

export async function naiveSync({ url, apiKey, appId, size }) {
  let reads = 0;
  let writes = 0;
  const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
  const call = async (method, path, body) => {
    const res = await globalThis.fetch(`${url}${path}`, {
      method,
      headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const get = (path) => {
    reads += 1;
    return call("GET", path);
  };

  const start = performance.now();
  const app = await get(`/apps/${appId}`);
  const liveFlags = new Set();
  for (let page = 0; ; page++) {
    const answer = await get(`/apps/${appId}/flags?pageIndex=${page}&pageSize=100`);
    for (const flag of answer.data) liveFlags.add(flag.key);
    if (liveFlags.size >= answer.totalCount || answer.data.length === 0) break;
  }

  const changes = [];
  for (let f = 0; f < size.flags; f++) {
    const key = flagKey(f);
    if (!liveFlags.has(key)) throw new Error(`flag ${key} is missing`);
    for (let e = 0; e < size.envs; e++) {
      const env = app.environments.find((x) => x.name === ENVIRONMENTS[e].name);
      const live = await get(`/apps/${appId}/flags/${key}/targeting/${env.id}`);
      const { desired } = targetsOf(size, f, e);
      for (const kind of ["companies", "users"]) {
        const have = new Set(
          live.specificTargets?.true?.[kind === "companies" ? "companyIds" : "userIds"] ?? [],
        );
        const want = new Set(desired[kind]);
        for (const id of want) if (!have.has(id)) changes.push({ key, envId: env.id, kind, id, value: true });
        for (const id of have) if (!want.has(id)) changes.push({ key, envId: env.id, kind, id, value: null });
      }
    }
  }

  const readPhaseMs = performance.now() - start;
  let next = 0;
  const worker = async () => {
    while (next < changes.length) {
      const c = changes[next++];
      writes += 1;
      await call("PATCH", `/apps/${appId}/envs/${c.envId}/${c.kind}/${encodeURIComponent(c.id)}/flags`, {
        updates: [{ flagKey: c.key, specificTargetValue: c.value }],
        changeDescription: "naive sync",
      });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { reads, writes, readPhaseMs, writePhaseMs: performance.now() - start - readPhaseMs };
}
