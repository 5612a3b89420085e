// The plan as GitHub-flavoured Markdown, for a pull-request comment or $GITHUB_STEP_SUMMARY.
import { pushAll } from "../arrays.js";
import { isEmptyPlan, planTotals } from "../plan/batches.js";
import type { EnvironmentPlan, Plan, TargetChange } from "../plan/model.js";
import {
  NO_CHANGES,
  checkBatchSize,
  checkPositive,
  countOps,
  describeFlag,
  escapeControls,
  flagViews,
  totalsSentence,
  type ValueFormat,
} from "./common.js";

export interface MarkdownPlanOptions {
  batchSize: number;
  /**
   * Rows listed per environment before "… and N more". Default 200: a GitHub comment holds at
   * most 65 536 characters, and the JSON form has every change.
   */
  maxTargetRows?: number;
}

const DEFAULT_MAX_TARGET_ROWS = 200;

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

export function renderPlanMarkdown(plan: Plan, options: MarkdownPlanOptions): string {
  checkBatchSize(options.batchSize);
  const maxRows = options.maxTargetRows ?? DEFAULT_MAX_TARGET_ROWS;
  checkPositive("maxTargetRows", maxRows);
  const blocks = [
    `### reflag-sync plan for app ${escapeMarkdown(plan.appName)} (${escapeMarkdown(plan.appId)})`,
  ];
  if (isEmptyPlan(plan)) blocks.push(NO_CHANGES);
  if (plan.environments.length > 0) blocks.push(summaryTable(plan.environments));

  const flags = flagViews(plan).filter((v) => v.create || v.update);
  if (flags.length > 0) {
    blocks.push(
      "#### Flags",
      table(
        ["Flag", "Change"],
        flags.map((v) => [
          code(v.key),
          v.create ? describeFlag(v, MARKDOWN_VALUES) : `update: ${describeFlag(v, MARKDOWN_VALUES)}`,
        ]),
      ),
    );
  }

  if (plan.environments.length > 0) {
    blocks.push("#### Targets");
    pushAll(
      blocks,
      plan.environments.map((env) => environmentDetails(env, maxRows)),
    );
  }
  blocks.push(`**Plan:** ${totalsSentence(planTotals(plan, options.batchSize))}`);
  return blocks.join("\n\n") + "\n";
}

function summaryTable(environments: EnvironmentPlan[]): string {
  const rows = environments.map((env) => {
    const n = { "add company": 0, "remove company": 0, "add user": 0, "remove user": 0 };
    for (const c of env.changes) n[`${c.op} ${c.kind}`]++;
    return [
      escapeMarkdown(env.envName),
      n["add company"],
      n["remove company"],
      n["add user"],
      n["remove user"],
    ].map(String);
  });
  return table(["Environment", "+ companies", "- companies", "+ users", "- users"], rows, [
    "---",
    "---:",
    "---:",
    "---:",
    "---:",
  ]);
}

function environmentDetails(env: EnvironmentPlan, maxRows: number): string {
  const ops = countOps(env.changes);
  const heading = `${escapeMarkdown(env.envName)}: ${ops.add} to add, ${ops.remove} to remove`;
  const shown = env.changes.slice(0, maxRows);
  const hidden = env.changes.length - shown.length;
  return [
    // The blank lines let GitHub render the Markdown table inside the HTML block.
    `<details><summary>${heading}</summary>`,
    "",
    table(["Flag", "Change", "Target"], shown.map(targetRow)),
    ...(hidden > 0
      ? ["", `… and ${hidden} more (\`reflag-sync plan --output json\` lists every change).`]
      : []),
    "",
    "</details>",
  ].join("\n");
}

function targetRow(c: TargetChange): string[] {
  const change =
    c.op === "add"
      ? c.until !== undefined
        ? `add (until ${escapeMarkdown(c.until)})`
        : "add"
      : c.reason === "expired"
        ? `remove (expired${c.expiredAt !== undefined ? ` ${escapeMarkdown(c.expiredAt)}` : ""})`
        : "remove";
  return [code(c.flagKey), change, `${c.kind} ${code(c.id)}`];
}

function table(header: string[], rows: string[][], align: string[] = header.map(() => "---")): string {
  return [header, align, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
