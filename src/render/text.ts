// The plan and the apply result for a person at a terminal: terraform-like, aligned, optionally coloured.
import { maxOf, pushAll } from "../arrays.js";
import type { ApplyResult, RequestOutcome, VerifyResult } from "../apply/model.js";
import type { UpdateFlagBody } from "../api/types.js";
import { isEmptyPlan, planTotals, type WriteRequest } from "../plan/batches.js";
import type { Plan, TargetChange } from "../plan/model.js";
import { countOrigins } from "../plan/origin.js";
import {
  NO_CHANGES,
  ORIGIN_HEADINGS,
  baseSentence,
  checkBatchSize,
  checkPositive,
  count,
  countOps,
  tallyRequests,
  describeFlag,
  displayWidth,
  escapeControls,
  flagViews,
  groupTargets,
  kindWord,
  padEnd,
  planPart,
  quote,
  quoteIfNeeded,
  requestsWith,
  totalsSentence,
  type OutcomeCounts,
  type TargetGroup,
  type ValueFormat,
} from "./common.js";

export interface TextPlanOptions {
  color: boolean;
  batchSize: number;
  /** Above this many target changes on one flag/environment line, each kind is summarised. Default 10. */
  maxTargetsShown?: number;
  /** List live flags that the file does not manage. */
  showUnmanaged?: boolean;
}

export interface TextApplyOptions {
  color: boolean;
  /** As for the plan: per flag within a request. Default 10. */
  maxTargetsShown?: number;
}

const DEFAULT_MAX_TARGETS_SHOWN = 10;
/** Ids named in a summary ("acme-corp, globex, … and 118 more"). */
const SUMMARY_IDS = 2;
const ITEM_GAP = "   ";
/** Where a line of target changes wraps; a summary line never needs to. */
const WRAP_WIDTH = 100;

type Tone = "add" | "remove" | "change" | "muted";
type Paint = (tone: Tone, s: string) => string;

const ANSI: Record<Tone, string> = {
  add: "\x1b[32m",
  remove: "\x1b[31m",
  change: "\x1b[33m",
  muted: "\x1b[2m",
};

function painter(color: boolean): Paint {
  return color ? (tone, s) => `${ANSI[tone]}${s}\x1b[0m` : (_tone, s) => s;
}

const TEXT_VALUES: ValueFormat = {
  // Names and descriptions are prose, always quoted; a stage name reads better bare.
  text: (field, v) => (field === "stage" ? quoteIfNeeded(v) : quote(v)),
};

export function renderPlanText(plan: Plan, options: TextPlanOptions): string {
  checkBatchSize(options.batchSize);
  const maxShown = options.maxTargetsShown ?? DEFAULT_MAX_TARGETS_SHOWN;
  checkPositive("maxTargetsShown", maxShown);
  const paint = painter(options.color);

  const lines = [`app ${escapeControls(plan.appId)} (${escapeControls(plan.appName)})`];
  if (isEmptyPlan(plan)) lines.push(NO_CHANGES);
  const envWidth = maxOf(
    plan.environments.map((e) => displayWidth(escapeControls(e.envName))),
    0,
  );
  if (plan.base) {
    // Labelled against a base: the change under review first, then the drift the apply undoes.
    for (const origin of ["change", "drift"] as const) {
      const part = planPart(plan, origin);
      if (isEmptyPlan(part)) continue;
      lines.push(`${ORIGIN_HEADINGS[origin]}:`);
      pushAll(lines, flagLines(part, envWidth, maxShown, paint));
    }
  } else {
    pushAll(lines, flagLines(plan, envWidth, maxShown, paint));
  }
  if (options.showUnmanaged && plan.unmanaged.length > 0) pushAll(lines, unmanagedLines(plan.unmanaged));
  lines.push(`Plan: ${totalsSentence(planTotals(plan, options.batchSize))}`);
  const base = baseSentence(plan, countOrigins(plan));
  if (base) lines.push(`Labelled ${escapeControls(base)}.`);
  for (const w of plan.warnings ?? []) {
    lines.push(paint("change", `Warning: ${escapeControls(w.message)}`));
    for (const line of w.details ?? []) lines.push(`  ${escapeControls(line)}`);
  }
  return lines.join("\n") + "\n";
}

function flagLines(plan: Plan, envWidth: number, maxShown: number, paint: Paint): string[] {
  const lines: string[] = [];
  for (const view of flagViews(plan)) {
    const head = view.create
      ? paint("add", `+ flag ${quoteIfNeeded(view.key)}`)
      : paint("change", `~ flag ${quoteIfNeeded(view.key)}`);
    const details = describeFlag(view, TEXT_VALUES);
    lines.push(`  ${head}${details ? `  ${details}` : ""}`);
    for (const { env, changes } of view.environments) {
      pushAll(
        lines,
        targetLines(
          `      ${padEnd(escapeControls(env.envName), envWidth)}${ITEM_GAP}`,
          changes,
          maxShown,
          paint,
        ),
      );
    }
  }
  return lines;
}

/** A count, then the keys several to a line: 206 keys on one line cannot be read. */
function unmanagedLines(keys: string[]): string[] {
  const lines = [`  ${count(keys.length, "live flag", "live flags")} not in the file, left alone:`];
  let line = "   ";
  for (const key of keys.map(quoteIfNeeded)) {
    if (line.length > 3 && displayWidth(line) + 1 + displayWidth(key) > WRAP_WIDTH) {
      lines.push(line);
      line = "   ";
    }
    line += ` ${key}`;
  }
  lines.push(line);
  return lines;
}

/**
 * The changes after `prefix`, wrapped under the first one past WRAP_WIDTH columns; past `maxShown`
 * changes, one summary line per group instead, so a 10 000-target sync stays readable.
 */
function targetLines(prefix: string, changes: TargetChange[], maxShown: number, paint: Paint): string[] {
  const indent = " ".repeat(displayWidth(prefix));
  if (changes.length > maxShown) {
    return groupTargets(changes).map((g, i) => (i === 0 ? prefix : indent) + summary(g, paint));
  }
  const lines: string[] = [];
  let line = prefix;
  let width = indent.length;
  let items = 0;
  for (const c of groupTargets(changes).flatMap((g) => g.changes)) {
    const text = itemText(c);
    const w = displayWidth(text);
    if (items > 0 && width + ITEM_GAP.length + w > WRAP_WIDTH) {
      lines.push(line);
      [line, width, items] = [indent, indent.length, 0];
    }
    const gap = items > 0 ? ITEM_GAP : "";
    line += gap + paint(c.op === "add" ? "add" : "remove", text);
    width += gap.length + w;
    items++;
  }
  lines.push(line);
  return lines;
}

function itemText(c: TargetChange): string {
  const sign = c.op === "add" ? "+" : "-";
  const why =
    c.reason === "expired"
      ? ` (expired${c.expiredAt !== undefined ? ` ${escapeControls(c.expiredAt)}` : ""})`
      : c.until !== undefined
        ? ` (until ${escapeControls(c.until)})`
        : "";
  return `${sign} ${c.kind} ${quoteIfNeeded(c.id)}${why}`;
}

/** "+ 120 companies (acme-corp, globex, … and 118 more)" */
function summary(g: TargetGroup, paint: Paint): string {
  const n = g.changes.length;
  const ids = g.changes.map((c) => quoteIfNeeded(c.id));
  // Naming all of three ids is shorter than "a, b, … and 1 more".
  const shown =
    n <= SUMMARY_IDS + 1
      ? ids.join(", ")
      : `${ids.slice(0, SUMMARY_IDS).join(", ")}, … and ${n - SUMMARY_IDS} more`;
  const sign = g.op === "add" ? "+" : "-";
  return paint(
    g.op === "add" ? "add" : "remove",
    `${sign} ${n} ${g.expired ? "expired " : ""}${kindWord(g.kind, n)} (${shown})`,
  );
}

export function renderApplyText(result: ApplyResult, options: TextApplyOptions): string {
  const maxShown = options.maxTargetsShown ?? DEFAULT_MAX_TARGETS_SHOWN;
  checkPositive("maxTargetsShown", maxShown);
  const paint = painter(options.color);
  const lines: string[] = [];
  for (const outcome of result.outcomes) {
    lines.push(outcomeLine(outcome, paint));
    if (outcome.request.kind === "targets")
      pushAll(lines, batchTargetLines(outcome.request.changes, maxShown, paint));
  }

  const applied = requestsWith(result, "applied");
  const notApplied = requestsWith(result, "failed", "not-sent");
  const unknown = requestsWith(result, "unknown");
  const total = result.outcomes.length;
  if (total === 0) lines.push("Nothing to apply.");
  else if (result.ok && notApplied.length === 0 && unknown.length === 0) {
    lines.push(
      `Apply complete: ${applied.length} of ${count(total, "request", "requests")} applied (${doneCounts(tallyRequests(applied))}).`,
    );
  } else {
    const failed = result.outcomes.some((o) => o.status === "failed" || o.status === "unknown");
    // Data-sized lists: appended, never spread as arguments.
    lines.push(
      "",
      // Without a failure the run was interrupted (a signal) before it sent everything.
      `Apply stopped ${failed ? "after a failure" : "before every request was sent"}. ` +
        `Applied: ${applied.length} of ${count(total, "request", "requests")} (${doneCounts(tallyRequests(applied))}).`,
    );
    pushAll(
      lines,
      result.outcomes
        .filter((o) => o.status === "applied")
        .map((o) => `  ${paint("add", "✓")} ${label(o.request, "done")}`),
    );
    if (unknown.length > 0) {
      lines.push(
        `Unknown: ${count(unknown.length, "request", "requests")} sent without an answer, so may or may not have been applied (${todoCounts(tallyRequests(unknown))}); \`reflag-sync plan\` shows which.`,
      );
      pushAll(
        lines,
        result.outcomes
          .filter((o) => o.status === "unknown")
          .map((o) => `  ${paint("change", "?")} no answer: ${label(o.request, "todo")}`),
      );
    }
    lines.push(
      `Not applied: ${count(notApplied.length, "request", "requests")} (${todoCounts(tallyRequests(notApplied))}).`,
    );
    pushAll(
      lines,
      result.outcomes
        .filter((o) => o.status === "failed" || o.status === "not-sent")
        .map((o) =>
          o.status === "failed"
            ? `  ${paint("remove", "✗")} failed: ${label(o.request, "todo")}`
            : `  ${paint("muted", "·")} not sent: ${label(o.request, "todo")}`,
        ),
    );
    lines.push("Run `reflag-sync apply` again to converge.");
  }
  return lines.join("\n") + "\n";
}

function outcomeLine(o: RequestOutcome, paint: Paint): string {
  switch (o.status) {
    case "applied":
      return `${paint("add", "✓")} ${label(o.request, "done")}`;
    case "failed": {
      const e = o.error;
      const why = e
        ? `${e.status !== undefined ? `${e.status} ` : ""}${escapeControls(e.code)}: ${escapeControls(e.message)}`
        : "unknown error";
      return `${paint("remove", "✗")} ${label(o.request, "todo")}: failed: ${why}`;
    }
    case "unknown": {
      const why = o.error
        ? `${escapeControls(o.error.code)}: ${escapeControls(o.error.message)}`
        : "no answer";
      return `${paint("change", "?")} ${label(o.request, "todo")}: no answer (${why}); it may or may not have been applied`;
    }
    case "not-sent":
      return `${paint("muted", "·")} not sent: ${label(o.request, "todo")}`;
  }
}

/** "created flag x" / "create flag x"; "Production batch 1/2: 3 targets (2 added, 1 removed)" / "(2 to add, 1 to remove)". */
function label(r: WriteRequest, tense: "done" | "todo"): string {
  const done = tense === "done";
  switch (r.kind) {
    case "createFlag":
      return `${done ? "created" : "create"} flag ${quoteIfNeeded(r.flagKey)}`;
    case "updateFlag":
      return `${done ? "updated" : "update"} flag ${quoteIfNeeded(r.flagKey)} (${updatedFields(r.body)})`;
    case "targets": {
      const ops = countOps(r.changes);
      const parts = [
        ...(ops.add > 0 ? [`${ops.add} ${done ? "added" : "to add"}`] : []),
        ...(ops.remove > 0 ? [`${ops.remove} ${done ? "removed" : "to remove"}`] : []),
      ];
      const part = r.part ? ` part ${r.part.index}/${r.part.of}` : "";
      return `${escapeControls(r.envName)} batch ${r.batch}/${r.batches}${part}: ${count(r.changes.length, "target", "targets")} (${parts.join(", ")})`;
    }
  }
}

/** The PATCH body by field name: the plan printed above showed the values. */
function updatedFields(body: UpdateFlagBody): string {
  const fields: string[] = [];
  if (body.name !== undefined) fields.push("name");
  if (body.description !== undefined)
    fields.push(body.description === null ? "description cleared" : "description");
  if (body.stageId !== undefined) fields.push("stage");
  if (body.ownerUserId !== undefined) fields.push(body.ownerUserId === null ? "owner cleared" : "owner");
  if (body.permanent !== undefined) fields.push(`permanent ${body.permanent}`);
  if (body.secret !== undefined) fields.push(`secret ${body.secret}`);
  if (body.isArchived !== undefined) fields.push(body.isArchived ? "archived" : "unarchived");
  return fields.join(", ");
}

/** Under a batch: one line per flag, its targets as in the plan. */
function batchTargetLines(changes: TargetChange[], maxShown: number, paint: Paint): string[] {
  const byFlag = new Map<string, TargetChange[]>();
  for (const c of changes) {
    const list = byFlag.get(c.flagKey);
    if (list) list.push(c);
    else byFlag.set(c.flagKey, [c]);
  }
  const keys = [...byFlag.keys()].map(quoteIfNeeded);
  const width = maxOf(keys.map(displayWidth), 0);
  return [...byFlag.values()].flatMap((list, i) =>
    targetLines(`    ${padEnd(keys[i]!, width)}${ITEM_GAP}`, list, maxShown, paint),
  );
}

function doneCounts(c: OutcomeCounts): string {
  return describeCounts(c, ["created", "updated", "added", "removed"]);
}

function todoCounts(c: OutcomeCounts): string {
  return describeCounts(c, ["to create", "to update", "to add", "to remove"]);
}

function describeCounts(c: OutcomeCounts, words: [string, string, string, string]): string {
  const parts: string[] = [];
  if (c.created > 0) parts.push(`${count(c.created, "flag", "flags")} ${words[0]}`);
  if (c.updated > 0) parts.push(`${count(c.updated, "flag", "flags")} ${words[1]}`);
  const targets = c.added + c.removed;
  if (c.removed === 0 && targets > 0) parts.push(`${count(targets, "target", "targets")} ${words[2]}`);
  else if (c.added === 0 && targets > 0) parts.push(`${count(targets, "target", "targets")} ${words[3]}`);
  else if (targets > 0)
    parts.push(`${count(targets, "target", "targets")}: ${c.added} ${words[2]}, ${c.removed} ${words[3]}`);
  return parts.length > 0 ? parts.join("; ") : "nothing";
}

/** After the apply report: whether the targeting written reads back as planned. */
export function renderVerifyText(verify: VerifyResult, maxShown = 20): string {
  const read = `${count(verify.targetings, "targeting", "targetings")} re-read`;
  if (verify.error) {
    return `Verification failed: ${verify.error.message} (the changes above were applied; run plan to check).\n`;
  }
  if (verify.mismatches.length === 0) {
    return `Verified: ${count(verify.checked, "target change", "target changes")} read back as planned (${read}).\n`;
  }
  const lines = [
    `Verification: ${count(verify.mismatches.length, "target is", "targets are")} not as planned after the apply (${read}): another writer changed ${verify.mismatches.length === 1 ? "it" : "them"}, or the change was lost. Run plan to see the live state.`,
    ...verify.mismatches
      .slice(0, maxShown)
      .map(
        (m) =>
          `  ${m.envName}  ${m.flagKey}  ${m.kind} ${m.id}: expected ${m.expected}, is ${m.expected === "present" ? "absent" : "present"}`,
      ),
  ];
  if (verify.mismatches.length > maxShown) lines.push(`  … and ${verify.mismatches.length - maxShown} more`);
  return `${lines.join("\n")}\n`;
}
