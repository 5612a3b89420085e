// reflag-sync apply: print the plan, confirm, apply it in the fewest requests, report what was done.
import { createInterface } from "node:readline/promises";
import type { ApplyResult } from "../../apply/model.js";
import { UserError } from "../../errors.js";
import type { Plan } from "../../plan/model.js";
import { reconcile } from "../../reconcile/index.js";
import { applyResultJson, planJson, renderApplyText, renderPlan } from "../../render/index.js";
import { parseCommandArgs } from "../args.js";
import type { CliIO, Command } from "../io.js";
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

const HELP = `Usage: reflag-sync apply [options]

Prints the plan, asks for confirmation on a terminal, then makes the Reflag app match the file.

Options:
${CONNECTION_HELP}
  -y, --yes              apply without asking (required when not on a terminal)
      --force            apply even when the plan breaks the file's policy (more changes than
                         policy.maxChanges, or removes more than policy.maxRemovalShare of an
                         environment's managed targets)
      --change-description TEXT
                         audit text for the changes (default: the file's changeDescription,
                         plus the git commit when run in a git work tree)
      --flag GLOB        apply only to the managed flags whose key matches (* and ?; repeatable)
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
    flag: { type: "string", multiple: true },
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
  const json = format === "json";
  const batchSize = batchSizeOf(values);
  const { desired, revision } = await loadOrExit(values.file, io);
  const interrupt = new AbortController();
  const connection = connectFrom(values, io, interrupt.signal);
  const printPlan = (plan: Plan) => {
    if (!json) io.stdout.write(renderPlan(plan, format, { color, batchSize }));
  };
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
  let progress = startProgress(io);
  const result = await reconcile({
    desired,
    revision,
    trigger: "command",
    connection,
    mode: "apply",
    batchSize,
    now: io.now,
    cwd: io.cwd,
    force: values.force === true,
    ...(values.flag ? { flags: values.flag } : {}),
    ...(override !== undefined ? { changeDescription: override } : {}),
    signal: interrupt.signal,
    onProgress: (phase, done, total) =>
      progress.update(phase === "read" ? "Reading targeting" : "Applying", done, total),
    beforeApply: async (plan) => {
      progress.done();
      printPlan(plan);
      if (!values.yes) await confirm(io, plan.appName, plan.appId);
      progress = startProgress(io);
      // From here on Ctrl-C stops sending and reports what was done, instead of killing the process.
      process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
    },
  }).finally(() => {
    progress.done();
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
  });
  // One JSON document (plan and result) at the end; the other forms print the plan first.
  const writeJson = (plan: Plan, applied: ApplyResult | null) =>
    io.stdout.write(
      `${JSON.stringify({ plan: planJson(plan, { batchSize }), result: applied && applyResultJson(applied) }, null, 2)}\n`,
    );
  if (!result.apply) {
    // Nothing was written: an empty plan, a refused one, or a run that stopped before planning.
    if (result.plan) printPlan(result.plan);
    throwIfStopped(result, io);
    if (json) writeJson(result.plan!, null);
    return 0;
  }
  if (json) {
    writeJson(result.plan!, result.apply);
  } else {
    io.stdout.write(`\n${renderApplyText(result.apply, { color })}`);
  }
  // 130: interrupted, as shells report a process stopped by Ctrl-C.
  return result.apply.ok ? 0 : result.outcome === "interrupted" ? 130 : 1;
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
