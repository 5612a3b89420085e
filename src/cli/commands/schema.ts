// reflag-sync schema: print the flag file format's JSON Schema, for editors and other tools.
import { readFile } from "node:fs/promises";
import { SCHEMA_URL } from "../../desired/schema.js";
import { parseCommandArgs } from "../args.js";
import type { Command } from "../io.js";

const HELP = `Usage: reflag-sync schema

Prints the JSON Schema of flag files (draft-07) on standard output, e.g. for an editor:
  reflag-sync schema > flags.reflag.schema.json
The same file ships in the package: node_modules/reflag-sync/schemas/flags.reflag.schema.json.

Options:
  -h, --help   show this help
`;

export const schemaCommand: Command = async (argv, io) => {
  const { values } = parseCommandArgs("schema", argv, {});
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  io.stdout.write(await readFile(SCHEMA_URL, "utf8"));
  return 0;
};
