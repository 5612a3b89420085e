// reflag-sync init: a starter flags.reflag.yaml, exported from the live app when a key is set.
import { dirname, resolve } from "node:path";
import { DEFAULT_FILE } from "../../desired/index.js";
import { starterFile } from "../../export/template.js";
import { parseCommandArgs } from "../args.js";
import type { Command } from "../io.js";
import { checkWritable, schemaRefFor, writeAtomically } from "../write-files.js";
import { CLIENT_HELP } from "../pipeline.js";
import { EXPORT_OPTIONS, runExport } from "./export.js";

const HELP = `Usage: reflag-sync init [options]

Writes a starter ${DEFAULT_FILE}: with an API key set, the live state of the app (as
\`reflag-sync export\` writes it); without, a commented template that validates. Its $schema line
points at the schema of the installed package, so editors complete and explain every key.

Options:
  -o, --out FILE         the file to write (default ${DEFAULT_FILE})
      --template         write the template even when an API key is set
      --flag GLOB        with a key: only flags whose key matches (repeatable)
      --env NAME         with a key: only this environment (repeatable)
      --aliases          with a key: short aliases for environments
      --app ID           with a key: the app (default: the one the key belongs to)
      --force            overwrite an existing file
${CLIENT_HELP}
  -h, --help             show this help

Environment: REFLAG_API_KEY or REFLAG_API_KEY_FILE (either: export the app), REFLAG_API_URL.
`;

export const initCommand: Command = async (argv, io) => {
  // Every export option but --split: init writes one file.
  const { split: _split, ...exportOptions } = EXPORT_OPTIONS;
  const { values } = parseCommandArgs("init", argv, { ...exportOptions, template: { type: "boolean" } });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const file = resolve(io.cwd, values.out ?? DEFAULT_FILE);
  const force = values.force === true;
  checkWritable(file, force);
  // Any way of giving a key means "export the app"; which one wins is the client's business.
  const hasKey =
    Boolean(io.env.REFLAG_API_KEY?.trim()) ||
    Boolean(io.env.REFLAG_API_KEY_FILE?.trim()) ||
    values["api-key-file"] !== undefined;
  if (hasKey && !values.template) {
    await runExport(values, io, file);
  } else {
    await writeAtomically(file, starterFile(values.schema ?? schemaRefFor(dirname(file))), force);
    io.stderr.write(
      `Wrote ${values.out ?? DEFAULT_FILE}: set its \`app\`, then run \`reflag-sync plan\` (REFLAG_API_KEY set).\n`,
    );
  }
  return 0;
};
