// Pure renderings of the stored state as the API's answer shapes, and the orders lists are answered in.
import type {
  AppHeader,
  EntityFlag,
  EntityKind,
  Environment,
  EnvironmentHeader,
  FlagHeader,
  FlagOwner,
  Paginated,
  SortOrder,
} from "../api/types.js";
import { compare } from "../compare.js";
import { includesSorted } from "./sorted.js";
import type { StoredApp, StoredFlag, StoredTargeting } from "./state.js";
import type { PageQuery } from "./validate.js";

/** Every flag-list `sortBy` of the contract (the generated SDK's enum); the first is the default. */
export const FLAG_SORT_BYS = [
  "key",
  "name",
  "createdAt",
  "stage",
  "owner",
  "autoFeedbackSurveysEnabled",
  "rolledOutToEveryoneAt",
  "environmentStatus",
  "lastCheck",
  "lastTrack",
  "stale",
  "archivingChecks",
] as const;
export type FlagSortBy = (typeof FLAG_SORT_BYS)[number];
export const ENVIRONMENT_SORT_BYS = ["order", "name"] as const;
export type EnvironmentSortBy = (typeof ENVIRONMENT_SORT_BYS)[number];

export function appHeader(app: StoredApp): AppHeader {
  return {
    org: { ...app.org },
    id: app.id,
    name: app.name,
    demo: app.demo,
    flagKeyFormat: app.flagKeyFormat,
    environments: byOrder(app.environments).map(envHeader),
  };
}

export function flagHeader(app: StoredApp, f: StoredFlag): FlagHeader {
  const header: FlagHeader = {
    id: f.id,
    key: f.key,
    name: f.name,
    archived: f.archived,
    stale: f.stale,
    permanent: f.permanent,
    createdAt: f.createdAt,
    codeRefsCleanedUp: f.codeRefsCleanedUp,
    noRecentChecks: f.noRecentChecks,
  };
  if (f.description !== undefined) header.description = f.description;
  const stage = app.stages.find((s) => s.id === f.stageId);
  if (stage) header.stage = { ...stage };
  if (f.ownerUserId !== undefined) header.owner = owner(app, f.ownerUserId);
  if (f.rolledOutToEveryoneAt !== undefined) header.rolledOutToEveryoneAt = f.rolledOutToEveryoneAt;
  if (f.lastCheckAt !== undefined) header.lastCheckAt = f.lastCheckAt;
  if (f.lastTrackAt !== undefined) header.lastTrackAt = f.lastTrackAt;
  return header;
}

/** The API refuses unknown owners, but a hand-edited state file may name one: it renders, named by its id. */
function owner(app: StoredApp, userId: string): FlagOwner {
  const member = app.members.find((m) => m.id === userId);
  return member ? { ...member } : { id: userId, name: userId, email: "" };
}

export function envHeader(e: Environment): EnvironmentHeader {
  return {
    id: e.id,
    name: e.name,
    isProduction: e.isProduction,
    order: e.order,
    flagStateVersion: e.flagStateVersion,
  };
}

export function byOrder<T extends { order: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.order - b.order);
}

type SortValue = string | number | undefined;

/**
 * What each sortBy sorts on. The emulator holds no feedback surveys, environment status or
 * archiving checks: those values are equal for every flag, so the list comes in key order.
 */
const FLAG_SORT_VALUE: Record<FlagSortBy, (f: StoredFlag, app: StoredApp) => SortValue> = {
  key: (f) => f.key,
  name: (f) => f.name,
  createdAt: (f) => f.createdAt,
  stage: (f, app) => app.stages.find((s) => s.id === f.stageId)?.order,
  owner: (f, app) => (f.ownerUserId === undefined ? undefined : owner(app, f.ownerUserId).name),
  autoFeedbackSurveysEnabled: () => undefined,
  rolledOutToEveryoneAt: (f) => f.rolledOutToEveryoneAt,
  environmentStatus: () => undefined,
  lastCheck: (f) => f.lastCheckAt,
  lastTrack: (f) => f.lastTrackAt,
  stale: (f) => (f.stale ? 1 : 0),
  archivingChecks: () => undefined,
};

/** Absent values sort after present ones; numbers by value, strings in code-unit order. */
function compareSortValues(a: SortValue, b: SortValue): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return typeof a === "number" && typeof b === "number" ? a - b : compare(String(a), String(b));
}

/** Ties are broken by key, so every order is total and pages never overlap; desc is the exact reverse. */
export function sortFlags(app: StoredApp, page: PageQuery<FlagSortBy>): StoredFlag[] {
  const value = FLAG_SORT_VALUE[page.sortBy];
  const sorted = app.flags
    .map((f) => ({ f, v: value(f, app) }))
    .sort((a, b) => compareSortValues(a.v, b.v) || compare(a.f.key, b.f.key))
    .map(({ f }) => f);
  return page.sortOrder === "desc" ? sorted.reverse() : sorted;
}

export function paginate<F, T>(items: F[], page: PageQuery, render: (item: F) => T): Paginated<T> {
  const start = page.pageIndex * page.pageSize;
  return {
    data: items.slice(start, start + page.pageSize).map(render),
    totalCount: items.length,
    pageSize: page.pageSize,
    pageIndex: page.pageIndex,
    sortBy: page.sortBy,
    sortOrder: page.sortOrder,
  };
}

/** The emulator records no exposures or checks: those stay null or 0; value is the specific target. */
export function entityFlag(
  f: StoredFlag,
  t: StoredTargeting,
  kind: EntityKind,
  entityId: string,
): EntityFlag {
  const targeted = includesSorted(kind === "companies" ? t.companyIds : t.userIds, entityId);
  return {
    id: f.id,
    key: f.key,
    name: f.name,
    createdAt: f.createdAt,
    value: targeted,
    specificTargetValue: targeted ? true : null,
    firstExposureAt: null,
    lastExposureAt: null,
    lastCheckAt: f.lastCheckAt ?? null,
    exposureCount: 0,
    firstTrackAt: null,
    lastTrackAt: f.lastTrackAt ?? null,
    trackCount: 0,
  };
}

export function sortEnvironments(
  envs: Environment[],
  sortBy: EnvironmentSortBy,
  sortOrder: SortOrder,
): Environment[] {
  const sorted = [...envs].sort((a, b) =>
    sortBy === "name"
      ? compare(a.name, b.name) || a.order - b.order
      : a.order - b.order || compare(a.name, b.name),
  );
  return sortOrder === "desc" ? sorted.reverse() : sorted;
}
