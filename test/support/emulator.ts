// The one way tests start an in-process emulator: on a free loopback port, with canary secrets
// (the demo app answers to CANARY_API_KEY, the second app to CANARY_OTHER_API_KEY, and every SDK
// key carries CANARY_SDK_MARK), so assertNoSecret can tell a leak from ordinary output.
import { createHash } from "node:crypto";
import {
  OTHER_APP_ID,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../src/emulator/index.js";
import type { EmulatorStore } from "../../src/emulator/store.js";
import { CANARY_API_KEY, CANARY_OTHER_API_KEY, CANARY_SDK_MARK } from "./canary.js";

/** startEmulator with the canary key unless `options.apiKey` names another. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator({ port: 0, apiKey: CANARY_API_KEY, ...options });
  markSecrets(emulator.store);
  return emulator;
}

/**
 * Canary SDK keys of the emulator's shape (`sec_<env>_...`), and the second app's canary key. Set
 * in memory without a save: a state file keeps what it had, and every start marks them again.
 */
function markSecrets(store: EmulatorStore): void {
  for (const app of store.state.apps) {
    if (app.id === OTHER_APP_ID && !app.apiKeys.includes(CANARY_API_KEY)) {
      app.apiKeys = [CANARY_OTHER_API_KEY];
    }
    for (const env of app.environments) {
      const slug = env.name.toLowerCase().replace(/[^a-z]/g, "") || "env";
      const tag = createHash("sha256").update(`${app.id}/${env.id}`).digest("hex");
      env.sdkAccess = {
        publishableKey: `pub_${slug}_${CANARY_SDK_MARK}${tag.slice(0, 12)}`,
        secretKey: `sec_${slug}_${CANARY_SDK_MARK}${tag.slice(12, 36)}`,
      };
    }
  }
}
