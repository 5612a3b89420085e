import { UserError } from "../../errors.js";

export type OutputFormat = "text" | "json" | "markdown";

export function parseOutput(value: string | undefined): OutputFormat {
  if (value === undefined) return "text";
  if (value === "text" || value === "json" || value === "markdown") return value;
  throw new UserError("RS_USAGE", `--output: '${value}' is not one of text, json, markdown`);
}
