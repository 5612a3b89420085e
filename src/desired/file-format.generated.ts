// Generated from schemas/flags.reflag.schema.json by scripts/gen-types.mjs (npm run gen:types).
// Do not edit by hand: change the schema and regenerate.

/**
 * A channel that announces changes.
 */
export type Notification = "slack" | "linearComment";
/**
 * A company or user id (quote ids that look like numbers: "42"), or { id, until } for a target that lasts until a date.
 */
export type Target = string | TimedTarget;

/**
 * A reflag-sync flags file: the feature-flag targeting of one Reflag app, kept in git. Several files (-f repeated, or a directory) merge into one desired state.
 */
export interface FlagsFile {
  /**
   * The file format version. Always 1 for now; it lets the format evolve without guessing.
   */
  version: 1;
  /**
   * The Reflag app id that this file describes. Required in at least one file; files that give it must agree.
   */
  app?: string;
  /**
   * Audit text sent with every change reflag-sync makes (the CLI may override it).
   */
  changeDescription?: string;
  /**
   * Where Reflag announces the changes. [] announces nowhere; omit it to use the app's defaults.
   */
  notifications?: Notification[];
  policy?: Policy;
  /**
   * Short aliases for environments, used as keys under a flag's `targeting`: alias -> Reflag environment name or id.
   */
  environments?: {
    /**
     * The Reflag environment name or id that this alias stands for.
     */
    [k: string]: string | undefined;
  };
  /**
   * The managed flags, by flag key. Flags not listed here are left alone.
   */
  flags?: {
    [k: string]: Flag | undefined;
  };
  /**
   * Ignored by reflag-sync: a place to define YAML anchors (&name) that flags reuse below as aliases (*name), e.g. a shared list of companies.
   */
  anchors?:
    | {
        [k: string]: unknown | undefined;
      }
    | unknown[];
}
/**
 * How far reflag-sync may go. Defaults: prune true, maxChanges 500, maxRemovalShare 0.5.
 */
export interface Policy {
  /**
   * Remove live specific targets that the file does not list, in the environments a managed flag lists under `targeting` (nothing outside that scope). Default true.
   */
  prune?: boolean;
  /**
   * Refuse a plan with more target changes than this unless --force is given. Default 500.
   */
  maxChanges?: number;
  /**
   * Refuse a plan that, in any one environment, would remove more than this share of the live targets of the flags the file manages there (when that is more than 10 targets), unless --force is given. 0 refuses any such removal of more than 10 targets, 1 turns the check off. Default 0.5.
   */
  maxRemovalShare?: number;
}
/**
 * A managed flag. Fields that are given are enforced; omitted fields are left as they are live. A flag missing live is created (it then needs `name`).
 */
export interface Flag {
  /**
   * The flag's display name; needed to create a flag that does not exist yet.
   */
  name?: string;
  /**
   * The flag's description; null clears it.
   */
  description?: string | null;
  /**
   * The name of one of the app's stages.
   */
  stage?: string;
  /**
   * Whether the flag is archived.
   */
  archived?: boolean;
  /**
   * Specific targets by environment. Each environment listed here is authoritative for this flag; environments not listed are left alone. Keys: an alias from `environments`, a Reflag environment name, or an environment id.
   */
  targeting?: {
    [k: string]: EnvironmentTargeting | undefined;
  };
}
/**
 * The companies and users that get the flag in this environment. An omitted list means none.
 */
export interface EnvironmentTargeting {
  /**
   * Company ids that get the flag: plain ids, or { id, until } for a time-bound target.
   */
  companies?: Target[];
  /**
   * User ids that get the flag: plain ids, or { id, until } for a time-bound target.
   */
  users?: Target[];
}
/**
 * A target that lasts until a date or instant, then is no longer desired.
 */
export interface TimedTarget {
  /**
   * The company or user id.
   */
  id: string;
  /**
   * When the target ends: a date (2026-12-31, lasts through that whole UTC day) or a date-time (2026-12-31T18:00:00Z, UTC unless an offset like +02:00 is given). From then on it is treated as absent, so with policy.prune the next reconcile removes it.
   */
  until?: string;
}
