// Rendering: pure functions from a plan or an apply result to the string a command prints.
import type { Plan } from "../plan/model.js";
import { renderPlanJson } from "./json.js";
import { renderPlanMarkdown } from "./markdown.js";
import { renderPlanText } from "./text.js";

export type PlanFormat = "text" | "json" | "markdown";

export interface RenderPlanOptions {
  /** Requests are counted (and, in JSON, listed) at this batch size. */
  batchSize: number;
  /** Text: ANSI colours. Default false: a caller turns them on only for a terminal without NO_COLOR. */
  color?: boolean;
  /** Text: target changes per flag/environment line before they are summarised. Default 10. */
  maxTargetsShown?: number;
  /** Markdown: the most characters of the document (default 65 000, under GitHub's comment limit). */
  maxLength?: number;
  /** Text: also list live flags that the file does not manage. */
  showUnmanaged?: boolean;
}

/** Every form ends with a newline and with the plan's totals, including the requests an apply makes. */
export function renderPlan(plan: Plan, format: PlanFormat, options: RenderPlanOptions): string {
  const { batchSize } = options;
  switch (format) {
    case "text":
      return renderPlanText(plan, {
        batchSize,
        color: options.color ?? false,
        maxTargetsShown: options.maxTargetsShown,
        showUnmanaged: options.showUnmanaged,
      });
    case "json":
      return renderPlanJson(plan, { batchSize });
    case "markdown":
      return renderPlanMarkdown(plan, { batchSize, maxLength: options.maxLength });
  }
}

export { renderPlanText, renderApplyText, renderVerifyText } from "./text.js";
export type { TextPlanOptions, TextApplyOptions } from "./text.js";
export {
  renderPlanJson,
  renderApplyJson,
  planJson,
  applyResultJson,
  verifyJson,
  JSON_FORMAT_VERSION,
} from "./json.js";
export type { JsonPlanOptions, PlanJson, ApplyResultJson } from "./json.js";
export { renderPlanMarkdown, DEFAULT_MARKDOWN_MAX_LENGTH } from "./markdown.js";
export type { MarkdownPlanOptions } from "./markdown.js";
