// Builders for the pure planner's inputs: resolved desired state and live state, no I/O.
import type { FlagHeader } from "../../src/api/types.js";
import type { DesiredTarget } from "../../src/desired/model.js";
import { targetingKey, type LiveState } from "../../src/plan/live-state.js";
import type { ResolvedDesired, ResolvedFlag } from "../../src/plan/resolve.js";

export const AT = { file: "flags.reflag.yaml", line: 1, col: 1 };
export const ENVS = [
  { id: "enProd", name: "Production" },
  { id: "enStaging", name: "Staging" },
  { id: "enDev", name: "Development" },
];
export const STAGES = [
  { id: "stBeta", name: "Beta", color: "#00f", order: 1 },
  { id: "stGA", name: "General availability", color: "#0f0", order: 2 },
];

export type TargetSpec = string | { id: string; until: string };

export function targets(specs: TargetSpec[]): DesiredTarget[] {
  return specs.map((s) =>
    typeof s === "string" ? { id: s, at: AT } : { id: s.id, until: s.until, untilText: s.until, at: AT },
  );
}

export interface FlagSpec extends Omit<Partial<ResolvedFlag>, "targeting"> {
  key: string;
  targeting?: Record<string, { companies?: TargetSpec[]; users?: TargetSpec[] }>;
}

export function desired(flags: FlagSpec[], prune = true): ResolvedDesired {
  return {
    appId: "apTest",
    prune,
    flags: flags.map(({ targeting = {}, ...rest }) => ({
      at: AT,
      ...rest,
      targeting: Object.entries(targeting).map(([envId, t]) => ({
        envId,
        envName: ENVS.find((e) => e.id === envId)?.name ?? envId,
        companies: targets(t.companies ?? []),
        users: targets(t.users ?? []),
      })),
    })),
  };
}

export function flagHeader(key: string, extra: Partial<FlagHeader> = {}): FlagHeader {
  return {
    id: `fl_${key}`,
    key,
    name: key,
    archived: false,
    stale: false,
    permanent: false,
    codeRefsCleanedUp: false,
    noRecentChecks: false,
    ...extra,
  };
}

export interface LiveFlagSpec {
  header?: Partial<FlagHeader>;
  targeting?: Record<string, { companies?: string[]; users?: string[] }>;
}

export function live(flags: Record<string, LiveFlagSpec>): LiveState {
  const state: LiveState = {
    app: { id: "apTest", name: "Test", flagKeyFormat: "kebabCaseLower", environments: ENVS, stages: STAGES },
    flags: [],
    targeting: new Map(),
  };
  for (const [key, spec] of Object.entries(flags)) {
    state.flags.push(flagHeader(key, spec.header));
    for (const [envId, t] of Object.entries(spec.targeting ?? {})) {
      state.targeting.set(targetingKey(key, envId), { companies: t.companies ?? [], users: t.users ?? [] });
    }
  }
  return state;
}

/** The oracle of the property tests: active desired ids, plus (without prune) every live id. */
export function expectedAfterApply(
  desired: DesiredTarget[],
  live: string[],
  prune: boolean,
  now: Date,
): string[] {
  const active = (t: DesiredTarget) => t.until === undefined || Date.parse(t.until) > now.getTime();
  const wanted = new Set(desired.filter(active).map((t) => t.id));
  // Without prune nothing is removed, expired targets included.
  if (!prune) for (const id of live) wanted.add(id);
  return [...wanted].sort();
}
