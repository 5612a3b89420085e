// reflag-sync describe: the app the API key reaches, with the environment and stage names a flag
// file may use. Sends only GET requests; never shows SDK keys.
import { describeApp, describeText } from "../../export/describe.js";
import { resolveAppId, snapshotApp } from "../../export/snapshot.js";
import { parseCommandArgs } from "../args.js";
import type { Command } from "../io.js";
import { parseOutput } from "./output.js";
import { CLIENT_HELP, CLIENT_OPTIONS, ENVIRONMENT_HELP, connectFrom } from "../pipeline.js";
import { explainAppErrors } from "./app-errors.js";

const HELP = `Usage: reflag-sync describe [options]

Shows the Reflag app the API key reaches: its id, name and flag key format, its environments
(name, id, production or not), its stages and how many flags it has.

Options:
  -o, --output FORMAT    text (default) or json
      --app ID           the app (default: the one the API key belongs to)
${CLIENT_HELP}
  -h, --help             show this help

${ENVIRONMENT_HELP}
`;

export const describeCommand: Command = async (argv, io) => {
  const { values } = parseCommandArgs("describe", argv, {
    output: { type: "string", short: "o" },
    app: { type: "string" },
    ...CLIENT_OPTIONS,
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const output = parseOutput(values.output, ["text", "json"]);
  const { client } = connectFrom(values, io);
  const read = async () => {
    const appId = await resolveAppId(client, values.app);
    const [app, flags] = await Promise.all([client.getApp(appId), client.listFlags(appId)]);
    return describeApp(snapshotApp(app), flags);
  };
  const description = await explainAppErrors(read(), values.app);
  io.stdout.write(
    output === "json" ? `${JSON.stringify(description, null, 2)}\n` : describeText(description),
  );
  return 0;
};
