// reflag-sync plan: read live state, print what apply would change. Sends only GET requests.
import { changeCount, isEmptyPlan, planTotals } from "../../plan/batches.js";
import { renderPlan } from "../../render/index.js";
import { parseCommandArgs } from "../args.js";
import type { Command } from "../io.js";
import { useColor } from "../io.js";
import { CONNECTION_HELP, CONNECTION_OPTIONS, ENVIRONMENT_HELP, preparePlan } from "../pipeline.js";
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
  const { plan, batchSize, desired } = await preparePlan(values, io);
  io.stdout.write(
    renderPlan(plan, format, {
      color: useColor(io.stdout, io.env),
      batchSize,
      showUnmanaged: values["show-unmanaged"] === true,
    }),
  );
  const changes = changeCount(planTotals(plan, batchSize));
  if (changes > desired.policy.maxChanges) {
    io.stderr.write(
      `warning: the plan has ${changes} changes, more than policy.maxChanges (${desired.policy.maxChanges}): apply will refuse it without --force\n`,
    );
  }
  if (values["detailed-exitcode"] && !isEmptyPlan(plan)) return 2;
  return 0;
};
