// reflag-sync export: write the live state of the app as flag files that `plan` reports as no change.
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../../errors.js";
import { EXPORT_MARKER, exportFile, exportSplit, type ExportOptions } from "../../export/document.js";
import { readSnapshot, resolveAppId, type Snapshot } from "../../export/snapshot.js";
import { flagMatcher } from "../../flag-glob.js";
import { parseCommandArgs, type OptionSpec } from "../args.js";
import type { CliIO, Command } from "../io.js";
import { CLIENT_HELP, CLIENT_OPTIONS, ENVIRONMENT_HELP, connectFrom } from "../pipeline.js";
import { startProgress } from "../progress.js";
import {
  ensureDir,
  checkWritable,
  removeStale,
  schemaRefFor,
  writeAtomically,
  yamlFilesIn,
} from "../write-files.js";
import { explainAppErrors } from "./app-errors.js";

const HELP = `Usage: reflag-sync export [-o FILE | --split DIR] [options]

Writes the live state of the Reflag app as a flag file: flags sorted by key, their targeting in
every environment, and their name, description, stage and archived state. \`plan\` on the result
reports no change, so committing it brings those flags under management. The same live state
always gives the same bytes. SDK keys are never written.

Options:
  -o, --out FILE         write to FILE (default: standard output)
      --split DIR        write DIR/_app.yaml (settings) and one file per flag group (keys that
                         share a first word); \`-f DIR\` reads them as one desired state
      --env NAME         only this environment, by name or id (repeatable; default: all)
      --flag GLOB        only flags whose key matches; * any characters, ? one (repeatable)
      --aliases          short aliases for environments (prod: Production) as targeting keys
      --no-metadata      targeting only: no name, description, stage or archived
      --timestamp        say in the header when the file was made (then every export differs)
      --schema REF       what the $schema line points at (default: the installed package's schema)
      --app ID           the app (default: the one the API key belongs to)
      --force            overwrite existing files
${CLIENT_HELP}
  -h, --help             show this help

${ENVIRONMENT_HELP}
`;

export const EXPORT_OPTIONS = {
  out: { type: "string", short: "o" },
  split: { type: "string" },
  env: { type: "string", multiple: true },
  flag: { type: "string", multiple: true },
  aliases: { type: "boolean" },
  "no-metadata": { type: "boolean" },
  timestamp: { type: "boolean" },
  schema: { type: "string" },
  app: { type: "string" },
  force: { type: "boolean" },
  ...CLIENT_OPTIONS,
} satisfies OptionSpec;

export type ExportValues = ReturnType<typeof parseCommandArgs<typeof EXPORT_OPTIONS>>["values"];

export const exportCommand: Command = async (argv, io) => {
  const { values } = parseCommandArgs("export", argv, EXPORT_OPTIONS);
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.out !== undefined && values.split !== undefined) {
    throw new UserError("RS_USAGE", "export: give -o FILE or --split DIR, not both");
  }
  await runExport(values, io, values.out === undefined ? undefined : resolve(io.cwd, values.out));
  return 0;
};

/** Export as the options say; `file`: where the single file goes (absent: stdout, unless --split). */
export async function runExport(values: ExportValues, io: CliIO, file: string | undefined): Promise<void> {
  const split = values.split === undefined ? undefined : resolve(io.cwd, values.split);
  const force = values.force === true;
  // Refused before any request: an existing file is a mistake found without the network.
  if (file !== undefined) checkWritable(file, force);
  if (split !== undefined) await refuseSplitDir(split, force);

  const snapshot = await readLive(values, io);
  const options: ExportOptions = {
    aliases: values.aliases === true,
    metadata: values["no-metadata"] !== true,
    schemaRef: values.schema ?? schemaRefFor(split ?? (file === undefined ? io.cwd : dirname(file))),
    command: describeCommand(values, split),
    ...(values.timestamp ? { exportedAt: io.now().toISOString() } : {}),
  };
  const flags = `${snapshot.flags.length} of ${snapshot.flagCount} flags`;
  const envs = `${snapshot.environments.length} environment${snapshot.environments.length === 1 ? "" : "s"}`;
  if (split !== undefined) {
    const files = exportSplit(snapshot, options);
    await ensureDir(split);
    const written = new Set(files.map((f) => join(split, f.name)));
    for (const f of files) await writeAtomically(join(split, f.name), f.text, force);
    // Files of an earlier export that this one no longer writes would define their flags twice.
    await removeStale(split, written, EXPORT_MARKER);
    io.stderr.write(
      `Exported ${flags} in ${envs} of app ${snapshot.app.id} to ${files.length} files in ${values.split}\n`,
    );
    return;
  }
  const text = exportFile(snapshot, options);
  if (file === undefined) {
    io.stdout.write(text);
    return;
  }
  await writeAtomically(file, text, force);
  io.stderr.write(
    `Exported ${flags} in ${envs} of app ${snapshot.app.id} to ${values.out ?? basename(file)}\n`,
  );
}

async function refuseSplitDir(dir: string, force: boolean): Promise<void> {
  const existing = await yamlFilesIn(dir);
  if (existing.length === 0 || force) return;
  throw new UserError(
    "RS_USAGE",
    `${dir} already holds flag files (${existing.map((f) => basename(f)).join(", ")}): nothing was written (--force replaces them)`,
  );
}

async function readLive(values: ExportValues, io: CliIO): Promise<Snapshot> {
  const { client } = connectFrom(values, io);
  const appId = await explainAppErrors(resolveAppId(client, values.app), values.app);
  const globs = values.flag ?? [];
  const progress = startProgress(io);
  let snapshot: Snapshot;
  try {
    snapshot = await explainAppErrors(
      readSnapshot(
        client,
        appId,
        { environments: values.env ?? [], flag: flagMatcher(globs) },
        (done, total) => progress.update("Reading targeting", done, total),
      ),
      values.app,
    );
  } finally {
    progress.done();
  }
  const unreadable = snapshot.flags.filter((f) => f.targetingUnreadable).map((f) => JSON.stringify(f.key));
  if (unreadable.length > 0) {
    io.stderr.write(
      `warning: the targeting of flag ${unreadable.join(", ")} cannot be read (a key of "." or ".." cannot be sent in a URL path): exported without targeting, so it stays unmanaged\n`,
    );
  }
  if (globs.length > 0 && snapshot.flags.length === 0) {
    throw new UserError(
      "RS_USAGE",
      `no flag of app ${appId} matches ${globs.map((g) => `--flag '${g}'`).join(" ")}: nothing was written`,
      ["Globs match whole keys and are case-sensitive: `checkout-*`, `*-beta`."],
    );
  }
  return snapshot;
}

/** The command that made the file, for its header: the options that decide its content (not where it went). */
function describeCommand(values: ExportValues, split: string | undefined): string {
  const words = ["reflag-sync export"];
  if (split !== undefined) words.push("--split DIR");
  if (values.app !== undefined) words.push(`--app ${quoteWord(values.app)}`);
  for (const env of values.env ?? []) words.push(`--env ${quoteWord(env)}`);
  for (const glob of values.flag ?? []) words.push(`--flag ${quoteWord(glob)}`);
  if (values.aliases) words.push("--aliases");
  if (values["no-metadata"]) words.push("--no-metadata");
  return words.join(" ");
}

function quoteWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
