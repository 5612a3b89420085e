// reflag-sync validate: check flag files offline (YAML, schema, rules) and say what is wrong where.
import { countTargets, DEFAULT_FILE, DEFAULT_WARN_EXPIRING_MS, loadDesired } from "../../desired/index.js";
import { formatDiagnostic } from "../../desired/model.js";
import type { Diagnostic } from "../../desired/model.js";
import { parseCommandArgs, parseDuration } from "../args.js";
import type { Command } from "../io.js";
import { parseOutput } from "./output.js";
import { useColor } from "../io.js";
import { count } from "../../render/common.js";

const HELP = `Usage: reflag-sync validate [-f FILE|DIR]... [options]

Checks flag files offline: YAML syntax, the JSON Schema (schemas/flags.reflag.schema.json) and
semantic rules. Exits 0 when valid (warnings allowed), 1 otherwise. Contacts no API.

Options:
  -f, --file PATH          flag file, or a directory of *.yaml / *.yml files (not recursive);
                           repeatable; default ${DEFAULT_FILE}
  -o, --output FORMAT      text (default) or json: {"valid", "diagnostics": [{file, line, col,
                           severity, code, message}]} on stdout
      --warn-expiring DUR  warn about time-bound targets that expire within DUR (default 7d; 0 off)
  -h, --help               show this help
`;

export const validateCommand: Command = async (argv, io) => {
  const { values } = parseCommandArgs("validate", argv, {
    file: { type: "string", short: "f", multiple: true },
    output: { type: "string", short: "o" },
    "warn-expiring": { type: "string" },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const output = parseOutput(values.output, ["text", "json"]);
  const warnExpiringMs =
    values["warn-expiring"] === undefined
      ? DEFAULT_WARN_EXPIRING_MS
      : parseDuration("--warn-expiring", values["warn-expiring"]);
  const files = values.file ?? [];
  const { state, diagnostics } = await loadDesired(files, { cwd: io.cwd, now: io.now(), warnExpiringMs });

  if (output === "json") {
    const report = { valid: state !== undefined, diagnostics: diagnostics.map(toJson) };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return state ? 0 : 1;
  }
  const color = useColor(io.stderr, io.env);
  for (const d of diagnostics) io.stderr.write(`${paint(formatDiagnostic(d), d, color)}\n`);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const counts = [
    count(errors, "error", "errors"),
    ...(warnings > 0 ? [count(warnings, "warning", "warnings")] : []),
  ].join(", ");
  if (!state) {
    io.stderr.write(`invalid: ${counts} in ${(files.length > 0 ? files : [DEFAULT_FILE]).join(", ")}\n`);
    return 1;
  }
  const summary = `${count(state.flags.length, "flag", "flags")}, ${count(countTargets(state), "target", "targets")}`;
  const noted = warnings > 0 ? ` (${count(warnings, "warning", "warnings")})` : "";
  io.stdout.write(`ok: ${state.files.join(", ")}: ${summary}${noted}\n`);
  return 0;
};

/** The documented JSON shape, field by field: `related` stays out of it. */
function toJson(d: Diagnostic): Pick<Diagnostic, "file" | "line" | "col" | "severity" | "code" | "message"> {
  return { file: d.file, line: d.line, col: d.col, severity: d.severity, code: d.code, message: d.message };
}

function paint(line: string, d: Diagnostic, color: boolean): string {
  if (!color) return line;
  const code = d.severity === "error" ? 31 : 33;
  return line.replace(`: ${d.severity}: `, `: \u001b[${code}m${d.severity}\u001b[0m: `);
}
