// The command-line entry: dispatch to a command, and the one place that maps errors to exit codes.
import { maxOf } from "../arrays.js";
import { ExitError, UserError } from "../errors.js";
import type { CliIO, Command } from "./io.js";
import { VERSION } from "./version.js";

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  validate: {
    summary: "check flag files offline (YAML, schema, rules)",
    load: async () => (await import("./commands/validate.js")).validateCommand,
  },
  plan: {
    summary: "show what apply would change in the Reflag app",
    load: async () => (await import("./commands/plan.js")).planCommand,
  },
  apply: {
    summary: "make the Reflag app match the flag files",
    load: async () => (await import("./commands/apply.js")).applyCommand,
  },
  watch: {
    summary: "the sync daemon: reconcile on start, on file changes and periodically",
    load: async () => (await import("./commands/watch.js")).watchCommand,
  },
  export: {
    summary: "write the app's live state as a flag file that plans clean",
    load: async () => (await import("./commands/export.js")).exportCommand,
  },
  describe: {
    summary: "show the app the API key reaches: environments, stages, flags",
    load: async () => (await import("./commands/describe.js")).describeCommand,
  },
  init: {
    summary: "write a starter flags.reflag.yaml (from the live app when a key is set)",
    load: async () => (await import("./commands/init.js")).initCommand,
  },
  schema: {
    summary: "print the JSON Schema of the flag file format",
    load: async () => (await import("./commands/schema.js")).schemaCommand,
  },
  emulator: {
    summary: "run a local Reflag Management API (for trying things and tests)",
    load: async () => (await import("./commands/emulator.js")).emulatorCommand,
  },
};

function usage(): string {
  const width = maxOf(
    Object.keys(COMMANDS).map((name) => name.length),
    0,
  );
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: reflag-sync <command> [options]",
    "",
    "Keeps the feature flag targeting of a Reflag app equal to a YAML file.",
    "",
    "Commands:",
    ...lines,
    "",
    "Environment: REFLAG_API_KEY (API key), REFLAG_API_URL (default https://app.reflag.com/api).",
    "Run 'reflag-sync <command> --help' for a command's options.",
    "",
  ].join("\n");
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.stdout.write(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`reflag-sync: unknown command '${name}'\n\n${usage()}`);
    return 1;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIO): number {
  if (err instanceof ExitError) return err.exitCode;
  if (err instanceof UserError || isUserFacing(err)) {
    const e = err as UserError;
    io.stderr.write(`error: ${e.message}\n`);
    for (const line of e.details ?? []) io.stderr.write(`  ${line}\n`);
    return 1;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr.write(
    `internal error: ${text}\nThis is a bug in reflag-sync; please report it with the command you ran.\n`,
  );
  return 1;
}

/** Errors from other modules (the API client's ApiError) that carry a user-facing message. */
function isUserFacing(err: unknown): boolean {
  return err instanceof Error && "userFacing" in err && (err as { userFacing?: boolean }).userFacing === true;
}
