// The daemon's log: pino JSON lines, secrets redacted by field name and scrubbed by value, and a
// short one-line form for people watching a terminal.
import { pino, type Logger } from "pino";

export type { Logger };
export type LogFormat = "json" | "pretty";

export interface LoggerOptions {
  /** Where lines go; written synchronously so that nothing is lost when the process exits. */
  write: (line: string) => void;
  format: LogFormat;
  /** Exact values that must never be written (the API key): replaced wherever they appear. */
  secrets: string[];
  level?: string;
  /** Injected clock for the `time` field. */
  now?: () => Date;
  color?: boolean;
}

export const REDACTED = "[REDACTED]";

/** Field names that hold credentials, wherever they sit in a logged object (up to two levels down). */
const SECRET_FIELDS = [
  "apiKey",
  "authorization",
  "Authorization",
  "sdkAccess",
  "secretKey",
  "publishableKey",
];
const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);
const SECRET_FIELD_SET = new Set(SECRET_FIELDS);

/**
 * The same fields deeper down (an API answer logged whole: app.environments[i].sdkAccess), where
 * pino's paths do not reach. Copies only plain objects and arrays; errors and the like are kept.
 */
function redactDeep(value: unknown, depth: number): unknown {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELD_SET.has(k) ? REDACTED : redactDeep(v, depth + 1);
  }
  return out;
}

export function createLogger(options: LoggerOptions): Logger {
  // Keys shorter than 4 characters would scrub ordinary words; such keys are refused upstream anyway.
  const secrets = options.secrets.filter((s) => s.length >= 4);
  const scrub = (line: string): string => {
    let out = line;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
  const format = options.format === "pretty" ? prettyLine(options.color === true) : (line: string) => line;
  const now = options.now ?? (() => new Date());
  return pino(
    {
      level: options.level ?? "info",
      base: undefined,
      messageKey: "msg",
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      timestamp: () => `,"time":"${now().toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactDeep(object, 0) as Record<string, unknown>,
      },
    },
    { write: (line: string) => options.write(format(scrub(line))) },
  );
}

const LEVEL_COLORS: Record<string, string> = {
  error: "31",
  fatal: "31",
  warn: "33",
  info: "32",
  debug: "90",
};

/** "08:15:02 INFO  reconcile trigger=file outcome=applied changes=3": one JSON line -> one text line. */
export function prettyLine(color: boolean): (line: string) => string {
  return (line) => {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return line;
    }
    const { time, level, msg, ...rest } = record;
    const label = String(level ?? "info");
    const paint = (text: string) => (color ? `\x1b[${LEVEL_COLORS[label] ?? "0"}m${text}\x1b[0m` : text);
    const clock = typeof time === "string" ? time.slice(11, 19) : "";
    const fields = Object.entries(flatten(rest))
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    return `${clock} ${paint(label.toUpperCase().padEnd(5))} ${String(msg ?? "")}${fields ? ` ${fields}` : ""}\n`;
  };
}

/**
 * { counts: { add: 1, remove: 0 } } -> { "counts.add": "1" }: nested zeros left out; a short list
 * inline, a long one (diagnostics) a line each.
 */
function flatten(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const stack: [string, unknown][] = Object.entries(record);
  while (stack.length > 0) {
    const [key, value] = stack.shift()!;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (v !== 0) stack.push([`${key}.${k}`, v]);
    } else if (Array.isArray(value)) {
      const items = value.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
      const inline = items.join(",");
      out[key] = inline.length <= 60 ? inline : items.map((v) => `\n    ${v}`).join("");
    } else {
      out[key] = typeof value === "string" && /\s/.test(value) ? JSON.stringify(value) : String(value);
    }
  }
  return out;
}
