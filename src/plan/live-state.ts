// The live state the planner compares against: only what the managed scope needs.
import type { FlagHeader, FlagKeyFormat, StageHeader } from "../api/types.js";

export interface LiveEnvironment {
  id: string;
  name: string;
  /** From the environment's header; the Markdown plan shows production first. */
  isProduction?: boolean;
}

/** The app's shape, enough to resolve names in the file to ids. Never holds SDK keys. */
export interface LiveApp {
  id: string;
  name: string;
  flagKeyFormat: FlagKeyFormat;
  environments: LiveEnvironment[];
  stages: StageHeader[];
}

export interface LiveTargets {
  companies: string[];
  users: string[];
  /** The API's targeting version, for a saved plan's staleness check (optional for builders in tests). */
  version?: number;
}

export interface LiveState {
  app: LiveApp;
  /** Every flag of the app, all pages. */
  flags: FlagHeader[];
  /** Targeting of managed flags in managed environments, by targetingKey(flagKey, envId). */
  targeting: Map<string, LiveTargets>;
}

export function targetingKey(flagKey: string, envId: string): string {
  return `${flagKey}\u0000${envId}`;
}
