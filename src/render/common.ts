// What the text, JSON and Markdown renderers share: option checks, wording, grouping, escaping.
import { compare } from "../compare.js";
import type { ApplyResult, RequestStatus } from "../apply/model.js";
import type { WriteRequest } from "../plan/batches.js";
import type {
  ChangeOrigin,
  EnvironmentPlan,
  FieldChange,
  FieldName,
  FlagCreate,
  FlagUpdate,
  Plan,
  PlanTotals,
  TargetChange,
  TargetKind,
} from "../plan/model.js";

export function checkBatchSize(batchSize: number): void {
  // Same rule and message as toRequests: a bad size must fail before anything is printed.
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be >= 1, got ${batchSize}`);
}

export function checkPositive(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
}

export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function kindWord(kind: TargetKind, n: number): string {
  return kind === "company" ? (n === 1 ? "company" : "companies") : n === 1 ? "user" : "users";
}

/**
 * "1 flag to create, 3 to change, 2 targets to add, 1 to remove, in 2 environments (4 requests)."
 * The flags counted are the flags marked `+` and `~`.
 */
export function totalsSentence(t: PlanTotals): string {
  return (
    `${count(t.flagsToCreate, "flag", "flags")} to create, ${t.flagsToChange} to change, ` +
    `${count(t.targetsToAdd, "target", "targets")} to add, ${t.targetsToRemove} to remove, ` +
    `in ${count(t.environments, "environment", "environments")} (${count(t.requests, "request", "requests")}).`
  );
}

export const NO_CHANGES = "No changes. The Reflag app matches the file.";

/** Section headings of a plan labelled with --base. */
export const ORIGIN_HEADINGS: Record<ChangeOrigin, string> = {
  change: "From this change",
  drift: "Drift: changed outside git, undone by apply",
};

/**
 * The part of a labelled plan with one origin (unlabelled changes count as "change"), for
 * display only: an update keeps its whole PATCH body.
 */
export function planPart(plan: Plan, origin: ChangeOrigin): Plan {
  const has = (o: ChangeOrigin | undefined) => (o ?? "change") === origin;
  return {
    ...plan,
    creates: plan.creates.filter((c) => has(c.origin)),
    updates: plan.updates
      .map((u) => ({ ...u, changes: u.changes.filter((f) => has(f.origin)) }))
      .filter((u) => u.changes.length > 0),
    environments: plan.environments
      .map((env) => ({ ...env, changes: env.changes.filter((c) => has(c.origin)) }))
      .filter((env) => env.changes.length > 0),
  };
}

/** "against base origin/main (abc1234): 10 changes from this change, 3 reverting drift" */
export function baseSentence(plan: Plan, counts: { change: number; drift: number }): string | undefined {
  if (!plan.base) return undefined;
  const b = plan.base;
  const added = b.newFiles.length > 0 ? `; new since then: ${b.newFiles.join(", ")}` : "";
  return `against base ${b.ref} (${b.commit.slice(0, 12)}): ${count(counts.change, "change", "changes")} from this change, ${counts.drift} reverting drift${added}`;
}

/** Production environments first (a reviewer reads those most carefully), then the plan's order. */
export function productionFirst(environments: EnvironmentPlan[]): EnvironmentPlan[] {
  return [...environments.filter((e) => e.isProduction), ...environments.filter((e) => !e.isProduction)];
}

export interface FlagView {
  key: string;
  create?: FlagCreate;
  update?: FlagUpdate;
  /** In plan.environments order; only environments with changes to this flag. */
  environments: { env: EnvironmentPlan; changes: TargetChange[] }[];
}

/** The plan regrouped by flag, so that each flag is shown once with all its changes. */
export function flagViews(plan: Plan): FlagView[] {
  const views = new Map<string, FlagView>();
  const view = (key: string): FlagView => {
    let v = views.get(key);
    if (!v) views.set(key, (v = { key, environments: [] }));
    return v;
  };
  for (const create of plan.creates) view(create.key).create = create;
  for (const update of plan.updates) view(update.key).update = update;
  for (const env of plan.environments) {
    // One pass per environment: plans with thousands of targets stay linear.
    let current: { env: EnvironmentPlan; changes: TargetChange[] } | undefined;
    for (const change of env.changes) {
      if (current?.changes[0]?.flagKey !== change.flagKey) {
        const v = view(change.flagKey);
        current = v.environments.find((e) => e.env === env);
        if (!current) v.environments.push((current = { env, changes: [] }));
      }
      current.changes.push(change);
    }
  }
  return [...views.values()].sort((a, b) => compare(a.key, b.key));
}

export interface TargetGroup {
  op: "add" | "remove";
  kind: TargetKind;
  expired: boolean;
  changes: TargetChange[];
}

const GROUP_ORDER: readonly Omit<TargetGroup, "changes">[] = [
  { op: "add", kind: "company", expired: false },
  { op: "add", kind: "user", expired: false },
  { op: "remove", kind: "company", expired: false },
  { op: "remove", kind: "company", expired: true },
  { op: "remove", kind: "user", expired: false },
  { op: "remove", kind: "user", expired: true },
];

/** Adds before removes, companies before users, prunes before expiries; input order kept inside a group. */
export function groupTargets(changes: TargetChange[]): TargetGroup[] {
  const groups = GROUP_ORDER.map((g) => ({ ...g, changes: [] as TargetChange[] }));
  for (const c of changes) {
    const expired = c.op === "remove" && c.reason === "expired";
    groups.find((g) => g.op === c.op && g.kind === c.kind && g.expired === expired)!.changes.push(c);
  }
  return groups.filter((g) => g.changes.length > 0);
}

export function countOps(changes: TargetChange[]): { add: number; remove: number } {
  let add = 0;
  for (const c of changes) if (c.op === "add") add++;
  return { add, remove: changes.length - add };
}

/** How the metadata of a flag is described; each form says how a value is quoted. */
export interface ValueFormat {
  text: (field: FieldName, value: string) => string;
}

function value(v: string | boolean | null, field: FieldName, fmt: ValueFormat): string {
  if (v === null) return "(none)";
  return typeof v === "boolean" ? String(v) : fmt.text(field, v);
}

export function describeFieldChange(c: FieldChange, fmt: ValueFormat): string {
  if (c.to === null) return `${c.field} cleared`;
  return `${c.field} ${value(c.from, c.field, fmt)} → ${value(c.to, c.field, fmt)}`;
}

/** "create: name "A", stage Beta, archived true" or "name "A" → "B", description cleared"; "" for targets only. */
export function describeFlag(view: FlagView, fmt: ValueFormat): string {
  if (view.create) {
    const c = view.create;
    const parts = [`name ${fmt.text("name", c.name)}`];
    if (c.description !== undefined) parts.push(`description ${fmt.text("description", c.description)}`);
    if (c.stage) parts.push(`stage ${fmt.text("stage", c.stage.name)}`);
    // A flag created archived also has an update: it reads as part of the create.
    for (const f of view.update?.changes ?? []) parts.push(`${f.field} ${value(f.to, f.field, fmt)}`);
    return `create: ${parts.join(", ")}`;
  }
  return (view.update?.changes ?? []).map((c) => describeFieldChange(c, fmt)).join(", ");
}

// Characters that can move the cursor, recolour the terminal, break a line or reorder text
// (bidirectional controls): user data must never carry them into the output raw.
const UNSAFE_CHARS = /[\p{Cc}\p{Zl}\p{Zp}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const NEEDS_QUOTES = /[\s"\\\p{Cc}\p{Zl}\p{Zp}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

export function escapeControls(s: string): string {
  return s.replace(UNSAFE_CHARS, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, "0")}`);
}

export function quote(s: string): string {
  return `"${escapeControls(s.replace(/[\\"]/g, "\\$&"))}"`;
}

/** Ids print bare unless a space, quote or control character would make them ambiguous. */
export function quoteIfNeeded(s: string): string {
  return s === "" || NEEDS_QUOTES.test(s) ? quote(s) : s;
}

export function displayWidth(s: string): number {
  return [...s].length;
}

export function padEnd(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - displayWidth(s)));
}

export interface OutcomeCounts {
  requests: number;
  created: number;
  updated: number;
  added: number;
  removed: number;
}

/** What a set of requests does: for "Applied: …" and "Not applied: …". */
export function tallyRequests(requests: WriteRequest[]): OutcomeCounts {
  const counts: OutcomeCounts = { requests: requests.length, created: 0, updated: 0, added: 0, removed: 0 };
  for (const r of requests) {
    if (r.kind === "createFlag") counts.created++;
    else if (r.kind === "updateFlag") counts.updated++;
    else {
      const ops = countOps(r.changes);
      counts.added += ops.add;
      counts.removed += ops.remove;
    }
  }
  return counts;
}

export function requestsWith(result: ApplyResult, ...statuses: RequestStatus[]): WriteRequest[] {
  return result.outcomes.filter((o) => statuses.includes(o.status)).map((o) => o.request);
}
