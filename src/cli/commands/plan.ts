// reflag-sync plan: read live state, print what apply would change. Sends only GET requests.
import { reconcile } from "../../reconcile/index.js";
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
      --detailed-exitcode  exit 0 when there are no changes, 2 when there are, 1 on error
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
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const format = parseOutput(values.output);
  const batchSize = batchSizeOf(values);
  const { desired, revision } = await loadOrExit(values.file, io);
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
  for (const warning of result.warnings) {
    io.stderr.write(`warning: ${warning.message}\n`);
    for (const line of warning.details ?? []) io.stderr.write(`  ${line}\n`);
  }
  if (values["detailed-exitcode"] && result.outcome !== "in-sync") return 2;
  return 0;
};
