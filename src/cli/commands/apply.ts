// reflag-sync apply: print the plan, confirm, apply it in the fewest requests, report what was done.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { ApplyResult } from "../../apply/model.js";
import { UserError } from "../../errors.js";
import type { Plan } from "../../plan/model.js";
import { applySavedPlan, parseSavedPlan, reconcile, type SavedPlan } from "../../reconcile/index.js";
import {
  applyResultJson,
  planJson,
  renderApplyText,
  renderPlan,
  renderVerifyText,
  verifyJson,
} from "../../render/index.js";
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
       reflag-sync apply [options] PLAN

Prints the plan, asks for confirmation on a terminal, then makes the Reflag app match the file.
With PLAN (saved by 'plan --out PLAN'), applies exactly that plan: it re-reads the targeting and
flags the plan was made from and refuses, sending nothing, if any moved since.

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
      --no-verify        do not re-read the targeting written to check it is as planned
  -h, --help             show this help

${ENVIRONMENT_HELP}
`;

export const applyCommand: Command = async (argv, io) => {
  const { values, positionals } = parseCommandArgs(
    "apply",
    argv,
    {
      ...CONNECTION_OPTIONS,
      yes: { type: "boolean", short: "y" },
      force: { type: "boolean" },
      "change-description": { type: "string" },
      output: { type: "string", short: "o" },
      "no-verify": { type: "boolean" },
      flag: { type: "string", multiple: true },
    },
    true,
  );
  const savedPath = savedPlanArgument(positionals, values);
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
  const saved = savedPath === undefined ? undefined : await readSavedPlan(savedPath, io);
  const batchSize = saved ? saved.batchSize : batchSizeOf(values);
  const loaded = saved ? undefined : await loadOrExit(values.file, io);
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
  const common = {
    connection,
    now: io.now,
    force: values.force === true,
    verify: values["no-verify"] !== true,
    signal: interrupt.signal,
    onProgress: (phase: "read" | "apply", done: number, total: number) =>
      progress.update(phase === "read" ? "Reading targeting" : "Applying", done, total),
    beforeApply: async (plan: Plan) => {
      progress.done();
      printPlan(plan);
      if (!values.yes) await confirm(io, plan.appName, plan.appId);
      progress = startProgress(io);
      // From here on Ctrl-C stops sending and reports what was done, instead of killing the process.
      process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
    },
  };
  const running = saved
    ? applySavedPlan({ ...common, saved, path: savedPath! })
    : reconcile({
        ...common,
        desired: loaded!.desired,
        revision: loaded!.revision,
        trigger: "command",
        mode: "apply",
        batchSize,
        cwd: io.cwd,
        ...(override !== undefined ? { changeDescription: override } : {}),
        ...(values.flag ? { flags: values.flag } : {}),
      });
  const result = await running.finally(() => {
    progress.done();
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
  });
  // One JSON document (plan and result) at the end; the other forms print the plan first.
  const writeJson = (plan: Plan, applied: ApplyResult | null) =>
    io.stdout.write(
      `${JSON.stringify(
        {
          plan: planJson(plan, { batchSize }),
          result: applied && applyResultJson(applied),
          ...(result.verify ? { verify: verifyJson(result.verify) } : {}),
        },
        null,
        2,
      )}\n`,
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
    if (result.verify) io.stdout.write(renderVerifyText(result.verify));
  }
  // 130: interrupted, as shells report a process stopped by Ctrl-C.
  if (result.outcome === "interrupted") return 130;
  // The live state is not what was asked for: as much a failure as a request that failed.
  const verified = !result.verify || (result.verify.mismatches.length === 0 && !result.verify.error);
  return result.apply.ok && verified ? 0 : 1;
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

/** The saved plan given instead of -f, if any; the options a saved plan fixes are refused with it. */
function savedPlanArgument(
  positionals: string[],
  values: { file?: string[]; "batch-size"?: string; "change-description"?: string; flag?: string[] },
): string | undefined {
  if (positionals.length === 0) return undefined;
  if (positionals.length > 1) {
    throw new UserError(
      "RS_USAGE",
      `apply takes one saved plan, not ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const fixed = [
    values.file !== undefined && "-f (the plan was made from its files)",
    values["batch-size"] !== undefined && "--batch-size (the plan keeps its own)",
    values["change-description"] !== undefined && "--change-description (the plan keeps its audit text)",
    values.flag !== undefined && "--flag (the plan was made for its flags)",
  ].filter((f): f is string => typeof f === "string");
  if (fixed.length > 0) {
    throw new UserError(
      "RS_USAGE",
      `apply ${positionals[0]}: a saved plan cannot be combined with ${fixed.join(", ")}`,
    );
  }
  return positionals[0];
}

async function readSavedPlan(path: string, io: CliIO): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, path), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (err as Error).message;
    throw new UserError("RS_SAVED_PLAN", `cannot read the saved plan ${path}: ${why}; nothing was applied`);
  }
  return parseSavedPlan(text, path);
}
