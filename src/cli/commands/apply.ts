// reflag-sync apply: print the plan, confirm, apply it in the fewest requests, report what was done.
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { executeRequests } from "../../apply/execute.js";
import { changeDescription, describeGitCommit } from "../../apply/description.js";
import { UserError } from "../../errors.js";
import { changeCount, isEmptyPlan, planTotals, toRequests } from "../../plan/batches.js";
import { applyResultJson, planJson, renderApplyText, renderPlan } from "../../render/index.js";
import type { ApplyResult } from "../../apply/model.js";
import { parseCommandArgs } from "../args.js";
import type { CliIO, Command } from "../io.js";
import { useColor } from "../io.js";
import { CONNECTION_HELP, CONNECTION_OPTIONS, ENVIRONMENT_HELP, preparePlan } from "../pipeline.js";
import { startProgress } from "../progress.js";
import { parseOutput } from "./output.js";

const HELP = `Usage: reflag-sync apply [options]

Prints the plan, asks for confirmation on a terminal, then makes the Reflag app match the file.

Options:
${CONNECTION_HELP}
  -y, --yes              apply without asking (required when not on a terminal)
      --force            apply even when the plan has more changes than policy.maxChanges
      --change-description TEXT
                         audit text for the changes (default: the file's changeDescription,
                         plus the git commit when run in a git work tree)
  -o, --output FORMAT    text (default), json or markdown (the plan part)
  -h, --help             show this help

${ENVIRONMENT_HELP}
`;

export const applyCommand: Command = async (argv, io) => {
  const { values } = parseCommandArgs("apply", argv, {
    ...CONNECTION_OPTIONS,
    yes: { type: "boolean", short: "y" },
    force: { type: "boolean" },
    "change-description": { type: "string" },
    output: { type: "string", short: "o" },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const format = parseOutput(values.output);
  if (format === "json" && !values.yes) {
    // Like terraform's -json: a machine reads stdout, so nobody is there to answer a question.
    throw new UserError("RS_USAGE", "apply --output json needs --yes: nothing was read or applied");
  }
  const override = values["change-description"];
  if (override !== undefined && override.trim() === "") {
    throw new UserError(
      "RS_USAGE",
      "--change-description must not be empty: it is the audit text of every change",
    );
  }
  const color = useColor(io.stdout, io.env);
  const interrupt = new AbortController();
  const { desired, plan, client, batchSize } = await preparePlan(values, io, interrupt.signal);
  const json = format === "json";
  // One JSON document (plan and result) at the end; the other forms print the plan first.
  const writeJson = (result: ApplyResult | null) =>
    io.stdout.write(
      `${JSON.stringify({ plan: planJson(plan, { batchSize }), result: result && applyResultJson(result) }, null, 2)}\n`,
    );
  if (!json) io.stdout.write(renderPlan(plan, format, { color, batchSize }));
  if (isEmptyPlan(plan)) {
    if (json) writeJson(null);
    return 0;
  }

  const changes = changeCount(planTotals(plan, batchSize));
  if (changes > desired.policy.maxChanges && !values.force) {
    throw new UserError(
      "RS_REFUSED",
      `the plan has ${changes} changes, more than policy.maxChanges (${desired.policy.maxChanges}); nothing was applied`,
      ["Review the plan, then run again with --force, or raise policy.maxChanges in the file."],
    );
  }
  if (!values.yes) await confirm(io, plan.appName, plan.appId);

  const firstFile = desired.files[0];
  const commit = firstFile
    ? await describeGitCommit(
        dirname(resolve(io.cwd, firstFile)),
        desired.files.map((f) => resolve(io.cwd, f)),
      )
    : undefined;
  const progress = startProgress(io);
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      // A second signal: give up waiting and die of it, as if no handler were installed.
      process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
      process.kill(process.pid, signal);
      return;
    }
    interrupt.abort();
    io.stderr.write(
      "\nInterrupted: sending nothing more, waiting for requests in flight (again to quit now).\n",
    );
  };
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  const result = await executeRequests(client, plan.appId, toRequests(plan, batchSize), {
    changeDescription: changeDescription(override, desired.changeDescription, commit),
    ...(desired.notifications !== undefined ? { notifications: desired.notifications } : {}),
    onRequestDone: (_outcome, done, total) => progress.update("Applying", done, total),
    signal: interrupt.signal,
  }).finally(() => {
    progress.done();
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
  });

  if (json) {
    writeJson(result);
  } else {
    io.stdout.write(`\n${renderApplyText(result, { color })}`);
  }
  // 130: interrupted, as shells report a process stopped by Ctrl-C.
  return result.ok ? 0 : interrupt.signal.aborted ? 130 : 1;
};

/** Asks on the terminal; the question goes to stderr so that `apply | tee log` still asks. */
async function confirm(io: CliIO, appName: string, appId: string): Promise<void> {
  if (!io.stdin.isTTY) {
    throw new UserError(
      "RS_REFUSED",
      "not on a terminal: run with --yes to apply without confirmation; nothing was applied",
    );
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  const cancelled = () => new UserError("RS_REFUSED", "apply cancelled; nothing was applied");
  // Ctrl-C and Ctrl-D leave the cursor after the question: end that line first.
  const interrupted = () => {
    io.stderr.write("\n");
    return cancelled();
  };
  // The end of input (Ctrl-D) closes the interface without answering the question.
  const closed = new Promise<never>((_, reject) => rl.once("close", () => reject(interrupted())));
  closed.catch(() => undefined);
  try {
    const answer = await Promise.race([
      rl.question(`\nApply these changes to app ${appName} (${appId})? Only 'yes' is accepted: `),
      closed,
    ]);
    if (answer.trim() !== "yes") throw cancelled();
  } catch (err) {
    // Ctrl-C or Ctrl-D at the question is a no, not a crash.
    if (
      err instanceof Error &&
      (err.name === "AbortError" || (err as { code?: string }).code === "ABORT_ERR")
    ) {
      throw interrupted();
    }
    throw err;
  } finally {
    rl.close();
  }
}
