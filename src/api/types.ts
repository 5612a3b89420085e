// The Reflag Management API's request and answer shapes, written once for the client and the
// emulator. Source: shared/reflag-management-api.md ([doc] unless marked otherwise).

export type SortOrder = "asc" | "desc";

/** Company and user ids, flag keys: the Reflag CLI schema's limit. */
export const MAX_ID_LENGTH = 256;

export interface Paginated<T> {
  data: T[];
  totalCount: number;
  pageSize: number;
  pageIndex: number;
  sortBy?: string;
  sortOrder?: SortOrder;
}

export interface OrgHeader {
  id: string;
  name: string;
}

export interface EnvironmentHeader {
  id: string;
  name: string;
  isProduction: boolean;
  order: number;
  /** Incremented whenever flag state in the environment changes. */
  flagStateVersion: number;
}

/** Secrets: never log, print or snapshot these. */
export interface SdkAccess {
  publishableKey: string;
  secretKey: string;
}

export interface Environment extends EnvironmentHeader {
  sdkAccess: SdkAccess;
}

export interface StageHeader {
  id: string;
  name: string;
  color: string;
  order: number;
}

export interface SegmentHeader {
  id: string;
  name: string;
  type: "all" | "custom";
}

export const FLAG_KEY_FORMATS = [
  "custom",
  "pascalCase",
  "camelCase",
  "snakeCaseUpper",
  "snakeCaseLower",
  "kebabCaseUpper",
  "kebabCaseLower",
] as const;
export type FlagKeyFormat = (typeof FLAG_KEY_FORMATS)[number];

export interface AppHeader {
  org: OrgHeader;
  id: string;
  name: string;
  demo: boolean;
  flagKeyFormat: FlagKeyFormat;
  environments: EnvironmentHeader[];
}

export interface App extends Omit<AppHeader, "environments"> {
  environments: Environment[];
  stages: StageHeader[];
  segments: SegmentHeader[];
}

/** An app as the client hands it on: its environments without their SDK secrets. */
export type PublicApp = Omit<App, "environments"> & { environments: EnvironmentHeader[] };

export interface EnvironmentList {
  data: EnvironmentHeader[];
  sortBy: "name" | "order";
  sortOrder: SortOrder;
}

export interface FlagOwner {
  id: string;
  name: string;
  email: string;
  avatarUrl?: string;
}

export interface FlagHeader {
  id: string;
  key: string;
  name: string;
  description?: string;
  stage?: StageHeader;
  owner?: FlagOwner;
  archived: boolean;
  stale: boolean;
  permanent: boolean;
  createdAt?: string;
  rolledOutToEveryoneAt?: string;
  codeRefsCleanedUp: boolean;
  lastCheckAt?: string;
  noRecentChecks: boolean;
  lastTrackAt?: string;
}

export interface CreateFlagBody {
  key: string;
  name: string;
  /** null: no description. */
  description?: string | null;
  stageId?: string;
  /** null: no owner. */
  ownerUserId?: string | null;
  permanent?: boolean;
  secret?: boolean;
}

export interface UpdateFlagBody {
  name?: string;
  /** null clears it. */
  description?: string | null;
  /** null clears it. */
  ownerUserId?: string | null;
  permanent?: boolean;
  secret?: boolean;
  isArchived?: boolean;
  stageId?: string;
}

export interface FlagAnswer {
  flag: FlagHeader;
}

export interface TargetIds {
  companyIds: string[];
  userIds: string[];
}

export interface FlagTargeting {
  flagKey: string;
  version: number;
  updatedAt: string;
  /** Flag value -> targets explicitly given it. Only "true" exists today; it may be absent. */
  specificTargets: { true?: TargetIds };
}

/** Where a change is announced: [] nowhere, omitted = the app's defaults. [inferred] */
export type Notification = "slack" | "linearComment";

/** value true adds the target, null removes it [inferred]; exactly one of companyId / userId. */
export type SpecificTargetUpdate =
  | { flagKey: string; value: true | null; companyId: string; userId?: never }
  | { flagKey: string; value: true | null; userId: string; companyId?: never };

export interface SpecificTargetsBody {
  updates: SpecificTargetUpdate[];
  changeDescription?: string;
  notifications?: Notification[];
}

export interface EntityFlag {
  id: string;
  key: string;
  name: string;
  createdAt: string | null;
  value: boolean;
  specificTargetValue: true | null;
  firstExposureAt: string | null;
  lastExposureAt: string | null;
  lastCheckAt: string | null;
  exposureCount: number;
  firstTrackAt: string | null;
  lastTrackAt: string | null;
  trackCount: number;
}

export interface EntityFlagsBody {
  updates: Array<{ flagKey: string; specificTargetValue: true | null }>;
  changeDescription?: string;
  notifications?: Notification[];
}

export const API_ERROR_CODES = [
  "invalid_request",
  "not_found",
  "not_possible",
  "not_allowed",
  "not_available",
  "unknown_error",
  "unauthorized",
  "unauthenticated",
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** The body of every non-2xx answer. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
  issues?: Record<string, string[]>;
}

export type EntityKind = "companies" | "users";
