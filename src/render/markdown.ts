// The plan as GitHub-flavoured Markdown, for a pull-request comment or $GITHUB_STEP_SUMMARY:
// warnings first, production environments expanded, each flag's changes on one row, and the
// whole under a size limit (a GitHub comment holds at most 65 536 characters), saying what was cut.
import { isEmptyPlan, planTotals } from "../plan/batches.js";
import { countOrigins } from "../plan/origin.js";
import type { ChangeOrigin, EnvironmentPlan, Plan, TargetChange } from "../plan/model.js";
import {
  NO_CHANGES,
  ORIGIN_HEADINGS,
  baseSentence,
  checkBatchSize,
  checkPositive,
  count,
  countOps,
  describeFlag,
  escapeControls,
  flagViews,
  groupTargets,
  kindWord,
  planPart,
  productionFirst,
  totalsSentence,
  type TargetGroup,
  type ValueFormat,
} from "./common.js";

export interface MarkdownPlanOptions {
  batchSize: number;
  /**
   * The most characters the document may have. Default 65 000: under GitHub's 65 536 for a
   * comment, with room for a marker line that a workflow adds to find its comment again.
   */
  maxLength?: number;
  /** Ids named in a cell before "… and N more" (the full list follows the table). Default 10. */
  maxIdsShown?: number;
}

export const DEFAULT_MARKDOWN_MAX_LENGTH = 65_000;
const DEFAULT_MAX_IDS_SHOWN = 10;
/** Unmanaged keys named before "and N more". */
const UNMANAGED_SHOWN = 5;
/** Room kept for the closing lines (totals, cut note) while the body is filled. */
const CLOSING_RESERVE = 1_000;

// Numeric references, not backslashes: they work alike in table cells, text and inside <summary>,
// and a referenced character never opens a tag, a cell, emphasis or a code span.
const MARKDOWN_SPECIAL = /[&<>|`*_[\]\\~#@$]/g;

/** User data as inert Markdown text. */
function escapeMarkdown(s: string): string {
  return escapeControls(s).replace(MARKDOWN_SPECIAL, (ch) => `&#${ch.codePointAt(0)};`);
}

/** Ids and names in <code>: GitHub does not turn @name or #1 inside code into mentions or links. */
function code(s: string): string {
  return `<code>${escapeMarkdown(s)}</code>`;
}

const MARKDOWN_VALUES: ValueFormat = { text: (_field, v) => code(v) };

/** Appends blocks while they fit; counts what did not. */
class Budget {
  private readonly parts: string[] = [];
  private used = 0;
  cutTargets = 0;
  cutFlagRows = 0;
  cutLists = 0;

  constructor(private readonly limit: number) {}

  /** Adds `text` if it and `reserve` more characters still fit. */
  fits(text: string, reserve = 0): boolean {
    return this.used + text.length + 1 + reserve <= this.limit - CLOSING_RESERVE;
  }

  add(text: string): void {
    this.parts.push(text);
    this.used += text.length + 1;
  }

  tryAdd(text: string, reserve = 0): boolean {
    if (!this.fits(text, reserve)) return false;
    this.add(text);
    return true;
  }

  get cut(): boolean {
    return this.cutTargets + this.cutFlagRows + this.cutLists > 0;
  }

  text(): string {
    return this.parts.join("\n");
  }
}

export function renderPlanMarkdown(plan: Plan, options: MarkdownPlanOptions): string {
  checkBatchSize(options.batchSize);
  const maxLength = options.maxLength ?? DEFAULT_MARKDOWN_MAX_LENGTH;
  checkPositive("maxLength", maxLength);
  const maxIds = options.maxIdsShown ?? DEFAULT_MAX_IDS_SHOWN;
  checkPositive("maxIdsShown", maxIds);
  const budget = new Budget(Math.max(maxLength, CLOSING_RESERVE * 3));
  const totals = `**Plan:** ${totalsSentence(planTotals(plan, options.batchSize))}`;

  budget.add(
    `### reflag-sync plan for app ${escapeMarkdown(plan.appName)} (${escapeMarkdown(plan.appId)})\n`,
  );
  const warnings = plan.warnings ?? [];
  if (warnings.length > 0) {
    // GitHub shows an alert block in colour; elsewhere it reads as a quote.
    const items = warnings.flatMap((w) => [
      `> - ${escapeMarkdown(w.message)}`,
      ...(w.details ?? []).map((line) => `>   - ${escapeMarkdown(line)}`),
    ]);
    budget.add(["> [!WARNING]", ...items, ""].join("\n"));
  }
  const base = baseSentence(plan, countOrigins(plan));
  if (base) budget.add(`Labelled ${escapeMarkdown(base)}.\n`);
  if (isEmptyPlan(plan)) budget.add(`${NO_CHANGES}\n`);
  if (plan.environments.length > 0) budget.add(`${summaryTable(productionFirst(plan.environments))}\n`);

  if (plan.base) {
    for (const origin of ["change", "drift"] as const) {
      const part = planPart(plan, origin);
      if (isEmptyPlan(part)) continue;
      budget.tryAdd(`#### ${ORIGIN_HEADINGS[origin]}\n`);
      if (origin === "drift") {
        const drift = warnings.find((w) => w.code === "drift");
        if (drift) budget.tryAdd(`> [!CAUTION]\n> ${escapeMarkdown(drift.message)}.\n`);
      }
      changesSection(part, budget, maxIds, origin);
    }
  } else {
    changesSection(plan, budget, maxIds, undefined);
  }
  if (plan.unmanaged.length > 0) unmanagedBlock(plan.unmanaged, budget);

  const closing = [totals];
  if (budget.cut) {
    const what = [
      ...(budget.cutTargets > 0 ? [`${count(budget.cutTargets, "target change", "target changes")}`] : []),
      ...(budget.cutFlagRows > 0 ? [`${count(budget.cutFlagRows, "flag change", "flag changes")}`] : []),
      ...(budget.cutLists > 0 ? [`${count(budget.cutLists, "full id list", "full id lists")}`] : []),
    ];
    closing.unshift(
      `**Cut to fit ${maxLength} characters:** ${what.join(", ")} not shown here. ` +
        "`reflag-sync plan --output json` lists every change.\n",
    );
  }
  return `${budget.text()}\n${closing.join("\n")}\n`;
}

function changesSection(plan: Plan, budget: Budget, maxIds: number, origin: ChangeOrigin | undefined): void {
  const flags = flagViews(plan).filter((v) => v.create || v.update);
  if (flags.length > 0) {
    const header = tableHeader(["Flag", "Change"]);
    if (budget.tryAdd(`${origin ? "**Flags**" : "#### Flags"}\n\n${header}`, 200)) {
      let shown = 0;
      for (const v of flags) {
        const what = v.create
          ? describeFlag(v, MARKDOWN_VALUES)
          : `update: ${describeFlag(v, MARKDOWN_VALUES)}`;
        if (!budget.tryAdd(row([code(v.key), what]))) break;
        shown++;
      }
      budget.cutFlagRows += flags.length - shown;
      budget.add("");
    } else {
      budget.cutFlagRows += flags.length;
    }
  }
  if (plan.environments.length > 0 && !origin) budget.tryAdd("#### Targets\n");
  for (const env of productionFirst(plan.environments)) environmentBlock(env, budget, maxIds);
}

/** One environment: expanded when production; a row per flag; full id lists after the table. */
function environmentBlock(env: EnvironmentPlan, budget: Budget, maxIds: number): void {
  const ops = countOps(env.changes);
  const production = env.isProduction ? " (production)" : "";
  const open = [
    `<details${env.isProduction ? " open" : ""}><summary><b>${escapeMarkdown(env.envName)}</b>${production}: ${ops.add} to add, ${ops.remove} to remove</summary>`,
    "",
    tableHeader(["Flag", "Add", "Remove"]),
  ].join("\n");
  const close = "</details>\n";
  if (!budget.tryAdd(open, close.length + 200)) {
    budget.cutTargets += env.changes.length;
    return;
  }
  const byFlag = changesByFlag(env.changes);
  const lists: { title: string; group: TargetGroup }[] = [];
  let index = 0;
  for (const [flagKey, changes] of byFlag) {
    const groups = groupTargets(changes);
    const cell = (op: "add" | "remove") =>
      groups
        .filter((g) => g.op === op)
        .map((g) => groupCell(g, maxIds))
        .join("<br>") || "";
    if (!budget.tryAdd(row([code(flagKey), cell("add"), cell("remove")]), close.length)) break;
    index++;
    for (const g of groups) {
      if (g.changes.length > maxIds) lists.push({ title: listTitle(flagKey, env, g), group: g });
    }
  }
  for (const [, changes] of [...byFlag].slice(index)) budget.cutTargets += changes.length;
  budget.add("");
  for (const { title, group } of lists) {
    const block = [
      `<details><summary>${title}</summary>`,
      "",
      `<pre>${group.changes.map((c) => escapeHtml(c.id)).join("\n")}</pre>`,
      "",
      "</details>\n",
    ].join("\n");
    if (!budget.tryAdd(block, close.length)) budget.cutLists++;
  }
  budget.add(close);
}

/** "companies <code>a</code>, <code>b</code>" or "120 companies: <code>a</code>, … and 110 more" */
function groupCell(g: TargetGroup, maxIds: number): string {
  const n = g.changes.length;
  const shown = g.changes.slice(0, maxIds).map(idCell);
  // Each id says when it expired; the count form says it once more for the ids it leaves out.
  return n > maxIds
    ? `${n} ${g.expired ? "expired " : ""}${kindWord(g.kind, n)}: ${shown.join(", ")}, … and ${n - maxIds} more`
    : `${kindWord(g.kind, n)} ${shown.join(", ")}`;
}

function idCell(c: TargetChange): string {
  const note =
    c.op === "add"
      ? c.until !== undefined
        ? ` (until ${escapeMarkdown(c.until)})`
        : ""
      : c.reason === "expired" && c.expiredAt !== undefined
        ? ` (expired ${escapeMarkdown(c.expiredAt)})`
        : "";
  return `${code(c.id)}${note}`;
}

function listTitle(flagKey: string, env: EnvironmentPlan, g: TargetGroup): string {
  const verb = g.op === "add" ? "to add to" : "to remove from";
  return `All ${g.changes.length} ${g.expired ? "expired " : ""}${kindWord(g.kind, g.changes.length)} ${verb} ${code(flagKey)} in ${escapeMarkdown(env.envName)}`;
}

function changesByFlag(changes: TargetChange[]): Map<string, TargetChange[]> {
  const byFlag = new Map<string, TargetChange[]>();
  for (const c of changes) {
    const list = byFlag.get(c.flagKey);
    if (list) list.push(c);
    else byFlag.set(c.flagKey, [c]);
  }
  return byFlag;
}

function unmanagedBlock(keys: string[], budget: Budget): void {
  const first = keys.slice(0, UNMANAGED_SHOWN).map(code).join(", ");
  const more = keys.length > UNMANAGED_SHOWN ? ` and ${keys.length - UNMANAGED_SHOWN} more` : "";
  const line = `${count(keys.length, "live flag", "live flags")} not in the file, left alone: ${first}${more}.\n`;
  if (!budget.tryAdd(line)) {
    budget.cutLists++;
    return;
  }
  if (keys.length <= UNMANAGED_SHOWN) return;
  const list = [
    `<details><summary>All ${keys.length} unmanaged flags</summary>`,
    "",
    `<pre>${keys.map(escapeHtml).join("\n")}</pre>`,
    "",
    "</details>\n",
  ].join("\n");
  if (!budget.tryAdd(list)) budget.cutLists++;
}

function summaryTable(environments: EnvironmentPlan[]): string {
  const rows = environments.map((env) => {
    const n = { "add company": 0, "remove company": 0, "add user": 0, "remove user": 0 };
    for (const c of env.changes) n[`${c.op} ${c.kind}`]++;
    return [
      `${escapeMarkdown(env.envName)}${env.isProduction ? " (production)" : ""}`,
      n["add company"],
      n["remove company"],
      n["add user"],
      n["remove user"],
    ].map(String);
  });
  return [
    tableHeader(
      ["Environment", "+ companies", "- companies", "+ users", "- users"],
      ["---", "---:", "---:", "---:", "---:"],
    ),
    ...rows.map(row),
  ].join("\n");
}

/** Inside <pre> Markdown is not read, so only HTML's own characters need escaping. */
function escapeHtml(s: string): string {
  return escapeControls(s).replace(/[&<>]/g, (ch) => `&#${ch.codePointAt(0)};`);
}

function tableHeader(header: string[], align: string[] = header.map(() => "---")): string {
  return `${row(header)}\n${row(align)}`;
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}
