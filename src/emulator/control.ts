// The emulator's own endpoints outside /api (no auth): health, request statistics, fault settings.
import { ApiProblem, methodNotAllowed, notFound, problemAnswer } from "./errors.js";
import type { FaultInjector, FaultOptions, ScriptedFault } from "./faults.js";
import { Router, splitPath } from "./router.js";
import type { StatsRecorder } from "./stats.js";
import { orThrow, validateFaultOptions } from "./validate.js";

interface ControlDeps {
  faults: FaultInjector;
  stats: StatsRecorder;
  seed: number;
}

interface ControlAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type ControlHandler = (deps: ControlDeps, body: string) => unknown;

const router = new Router<ControlHandler>([
  { method: "GET", template: "/_emulator/health", handler: () => ({ status: "ok" }) },
  { method: "GET", template: "/_emulator/stats", handler: (deps) => deps.stats.snapshot() },
  {
    method: "POST",
    template: "/_emulator/stats/reset",
    handler: (deps) => {
      deps.stats.reset();
      return deps.stats.snapshot();
    },
  },
  { method: "GET", template: "/_emulator/faults", handler: (deps) => faultsAsJson(deps.faults.current()) },
  {
    method: "PUT",
    template: "/_emulator/faults",
    handler: (deps, body) => {
      deps.faults.set(orThrow(validateFaultOptions(parseBody(body))), deps.seed);
      return faultsAsJson(deps.faults.current());
    },
  },
]);

export function controlAnswer(method: string, path: string, body: string, deps: ControlDeps): ControlAnswer {
  try {
    const match = router.match(method, splitPath(path));
    if (match.kind === "notFound") throw notFound(`No emulator endpoint ${path}`);
    if (match.kind === "methodNotAllowed") throw methodNotAllowed(method, path, match.allow);
    return { status: 200, body: match.route.handler(deps, body) };
  } catch (err) {
    return problemAnswer(err instanceof ApiProblem ? err : new ApiProblem("unknown_error", String(err)));
  }
}

function parseBody(text: string): unknown {
  try {
    return text.trim() === "" ? {} : (JSON.parse(text) as unknown);
  } catch (err) {
    throw new ApiProblem("invalid_request", `Malformed JSON: ${(err as Error).message}`, {
      body: ["Malformed JSON"],
    });
  }
}

/** RegExp paths do not survive JSON.stringify: they are shown as `pathPattern`. */
function faultsAsJson(options: FaultOptions): unknown {
  const script = (options.script ?? []).map(({ path, ...rest }: ScriptedFault) =>
    path instanceof RegExp
      ? { ...rest, pathPattern: path.source }
      : path === undefined
        ? rest
        : { ...rest, path },
  );
  return { ...options, script };
}
