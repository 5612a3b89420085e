// Thin wrapper over node:util parseArgs that turns its TypeErrors into usage errors.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserError } from "../errors.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export function parseCommandArgs<O extends OptionSpec>(
  command: string,
  argv: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals,
      strict: true,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UserError("RS_USAGE", `${command}: ${message}`, [
      `Run 'reflag-sync ${command} --help' for usage.`,
    ]);
  }
}

/** "30s", "5m", "2h", "7d" or plain milliseconds -> milliseconds. */
export function parseDuration(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match)
    throw new UserError("RS_USAGE", `${flag}: '${value}' is not a duration (use e.g. 30s, 5m, 2h, 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? "ms"] ?? 1;
  return Number(match[1]) * unit;
}

export function parsePositiveInt(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UserError("RS_USAGE", `${flag}: '${value}' must be a whole number from 1 to ${max}`);
  }
  return Number(value);
}
