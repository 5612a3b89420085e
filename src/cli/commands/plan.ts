// reflag-sync plan: read live state, print what apply would change. Sends only GET requests.
import {
  loadBase,
  reconcile,
  savedPlanOf,
  type ReconcileInput,
  type ReconcileResult,
} from "../../reconcile/index.js";
import { renderPlan } from "../../render/index.js";
import { parseCommandArgs } from "../args.js";
import { resolve } from "node:path";
import { UserError } from "../../errors.js";
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
import { writeAtomically } from "../write-files.js";
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
      --out FILE         also save the plan to FILE, for 'reflag-sync apply FILE': it applies
                         exactly this plan, and refuses if the live state moved since
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
    out: { type: "string" },
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
  const run = {
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
  } satisfies ReconcileInput;
  const result = await reconcile(run).finally(() => progress.done());
  throwIfStopped(result, io);
  if (values.out !== undefined) await savePlan(values.out, result, run, io);
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

/** Writes the saved plan in one step (a reader never sees half a plan); an existing file is replaced. */
async function savePlan(
  path: string,
  result: ReconcileResult,
  run: ReconcileInput,
  io: CliIO,
): Promise<void> {
  const saved = await savedPlanOf(result, run);
  if (!saved) return;
  try {
    await writeAtomically(resolve(io.cwd, path), `${JSON.stringify(saved, null, 2)}\n`, true);
  } catch (err) {
    throw new UserError("RS_USAGE", `--out ${path}: cannot write the plan (${(err as Error).message})`);
  }
  io.stderr.write(`Saved the plan to ${path}: apply it with 'reflag-sync apply ${path}'.\n`);
}
