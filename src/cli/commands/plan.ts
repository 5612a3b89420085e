// reflag-sync plan: read live state, print what apply would change. Sends only GET requests.
import { loadBase, reconcile } from "../../reconcile/index.js";
import { UserError } from "../../errors.js";
import { renderPlan } from "../../render/index.js";
import { parseCommandArgs } from "../args.js";
import type { Command } from "../io.js";
import { useColor } from "../io.js";
import {
  batchSizeOf,
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  connectFrom,
  ENVIRONMENT_HELP,
  loadOrExit,
  throwIfStopped,
} from "../pipeline.js";
import { startProgress } from "../progress.js";
import { parseOutput } from "./output.js";

const HELP = `Usage: reflag-sync plan [options]

Shows what apply would change in the Reflag app, without changing anything.

Options:
${CONNECTION_HELP}
  -o, --output FORMAT    text (default), json or markdown
      --detailed-exitcode
                         exit 0 when there are no changes, 2 when there are, 1 on error
      --flag GLOB        plan only the managed flags whose key matches (* and ?; repeatable)
      --base REF         label each change: from the files' change since git revision REF, or
                         reverting drift (base and files agree; live state changed outside git)
      --base-file PATH   with --base: read PATH at REF instead of the -f paths (repeatable)
      --show-unmanaged   also list live flags that the file does not manage (text)
  -h, --help             show this help

${ENVIRONMENT_HELP}
`;

export const planCommand: Command = async (argv, io) => {
  const { values } = parseCommandArgs("plan", argv, {
    ...CONNECTION_OPTIONS,
    output: { type: "string", short: "o" },
    "detailed-exitcode": { type: "boolean" },
    "show-unmanaged": { type: "boolean" },
    flag: { type: "string", multiple: true },
    base: { type: "string" },
    "base-file": { type: "string", multiple: true },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const format = parseOutput(values.output);
  const batchSize = batchSizeOf(values);
  if (values["base-file"] && values.base === undefined) {
    throw new UserError("RS_USAGE", "--base-file needs --base REF: the revision to read it at");
  }
  const { desired, revision } = await loadOrExit(values.file, io);
  const base =
    values.base === undefined
      ? undefined
      : await loadBase(values.base, values["base-file"] ?? desired.files, { cwd: io.cwd, now: io.now() });
  const progress = startProgress(io);
  const result = await reconcile({
    desired,
    revision,
    trigger: "command",
    connection: connectFrom(values, io),
    mode: "plan",
    batchSize,
    now: io.now,
    cwd: io.cwd,
    onProgress: (_phase, done, total) => progress.update("Reading targeting", done, total),
    ...(values.flag ? { flags: values.flag } : {}),
    ...(base ? { base } : {}),
  }).finally(() => progress.done());
  throwIfStopped(result, io);
  const plan = result.plan!;
  io.stdout.write(
    renderPlan(plan, format, {
      color: useColor(io.stdout, io.env),
      batchSize,
      showUnmanaged: values["show-unmanaged"] === true,
    }),
  );
  // The text form shows the warnings itself; beside a document on stdout, a person still sees them.
  if (format !== "text") {
    for (const warning of plan.warnings ?? []) {
      io.stderr.write(`warning: ${warning.message}\n`);
      for (const line of warning.details ?? []) io.stderr.write(`  ${line}\n`);
    }
  }
  if (values["detailed-exitcode"] && result.outcome !== "in-sync") return 2;
  return 0;
};
