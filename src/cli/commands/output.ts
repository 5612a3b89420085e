import { UserError } from "../../errors.js";

export type OutputFormat = "text" | "json" | "markdown";

/** `--output`: one of `formats` (default all three); text when not given. */
export function parseOutput<F extends OutputFormat = OutputFormat>(
  value: string | undefined,
  formats: readonly F[] = ["text", "json", "markdown"] as F[],
): F | "text" {
  if (value === undefined) return "text";
  if ((formats as readonly string[]).includes(value)) return value as F;
  throw new UserError("RS_USAGE", `--output: '${value}' is not one of ${formats.join(", ")}`);
}
