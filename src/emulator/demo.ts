// The built-in demo state: the Acme app the emulator starts with when it has no state file yet.
import { randomBytes } from "node:crypto";
import type { Environment, StageHeader } from "../api/types.js";
import { STATE_FORMAT, type EmulatorState, type StoredFlag, type StoredTargeting } from "./state.js";

export const DEMO_APP_ID = "apDemoApp01";
export const DEMO_API_KEY = "demo-api-key";
export const OTHER_APP_ID = "apOtherApp02";
export const OTHER_API_KEY = "other-api-key";

// Fixed instants keep the demo state (and snapshots of it) reproducible.
const CREATED = "2026-01-05T10:00:00.000Z";
const TARGETED = "2026-02-10T09:30:00.000Z";

const ENVIRONMENTS: Array<[id: string, name: string, isProduction: boolean]> = [
  ["enProduction", "Production", true],
  ["enStaging", "Staging", false],
  ["enDevelopment", "Development", false],
];

const STAGES: StageHeader[] = [
  { id: "stDev", name: "In development", color: "#6b7280", order: 0 },
  { id: "stInternal", name: "Internal", color: "#8b5cf6", order: 1 },
  { id: "stBeta", name: "Beta", color: "#f59e0b", order: 2 },
  { id: "stGA", name: "General availability", color: "#10b981", order: 3 },
];

/** Fresh sdk keys per state: they stand for secrets, so no two demo states share them. */
function sdkAccess(envSlug: string): Environment["sdkAccess"] {
  return {
    publishableKey: `pub_${envSlug}_${randomBytes(12).toString("hex")}`,
    secretKey: `sec_${envSlug}_${randomBytes(24).toString("hex")}`,
  };
}

function environment(id: string, name: string, isProduction: boolean, order: number): Environment {
  return { id, name, isProduction, order, flagStateVersion: 1, sdkAccess: sdkAccess(name.toLowerCase()) };
}

type Targets = Record<string, { companyIds?: string[]; userIds?: string[]; version?: number }>;

function flag(
  id: string,
  key: string,
  name: string,
  stageId: string,
  envIds: string[],
  targets: Targets = {},
  archived = false,
): StoredFlag {
  const targeting: Record<string, StoredTargeting> = {};
  for (const envId of envIds) {
    const t = targets[envId];
    targeting[envId] = {
      version: t?.version ?? 1,
      updatedAt: t ? TARGETED : CREATED,
      companyIds: [...(t?.companyIds ?? [])].sort(),
      userIds: [...(t?.userIds ?? [])].sort(),
    };
  }
  return {
    id,
    key,
    name,
    stageId,
    ownerUserId: "usAlice",
    archived,
    stale: false,
    permanent: false,
    secret: false,
    createdAt: CREATED,
    codeRefsCleanedUp: false,
    noRecentChecks: false,
    targeting,
  };
}

export function demoState(): EmulatorState {
  const envs = ENVIRONMENTS.map(([id, name, isProduction], order) =>
    environment(id, name, isProduction, order),
  );
  const envIds = envs.map((e) => e.id);
  const org = { id: "orAcme", name: "Acme" };
  const members = [
    { id: "usAlice", name: "Alice Anders", email: "alice@acme.example" },
    { id: "usBob", name: "Bob Berg", email: "bob@acme.example" },
  ];
  return {
    format: STATE_FORMAT,
    version: 1,
    nextId: 1,
    apps: [
      {
        org,
        id: DEMO_APP_ID,
        name: "Acme (demo)",
        demo: true,
        flagKeyFormat: "kebabCaseLower",
        apiKeys: [DEMO_API_KEY],
        environments: envs,
        stages: STAGES.map((s) => ({ ...s })),
        segments: [
          { id: "sgAll", name: "All companies", type: "all" },
          { id: "sgBetaTesters", name: "Beta testers", type: "custom" },
          { id: "sgEnterprise", name: "Enterprise customers", type: "custom" },
        ],
        members,
        flags: [
          flag("flNewCheckout01", "new-checkout-flow", "New checkout flow", "stInternal", envIds, {
            enProduction: { companyIds: ["acme-corp", "initech"], userIds: ["user-9"], version: 3 },
            enStaging: { companyIds: ["acme-corp"], version: 2 },
          }),
          flag("flDarkMode02", "dark-mode", "Dark mode", "stBeta", envIds, {
            enProduction: { companyIds: ["globex"], version: 2 },
          }),
          flag("flLegacyExport03", "legacy-export", "Legacy export", "stGA", envIds),
          flag("flAiAssistant04", "ai-assistant", "AI assistant", "stDev", envIds, {
            enStaging: { userIds: ["user-1", "user-2"], version: 2 },
          }),
          flag("flSearchV205", "search-v2", "Search v2", "stBeta", envIds, {}, true),
        ],
        audit: [],
      },
      {
        org,
        id: OTHER_APP_ID,
        name: "Other app",
        demo: false,
        flagKeyFormat: "camelCase",
        apiKeys: [OTHER_API_KEY],
        environments: [environment("enOtherProduction", "Production", true, 0)],
        stages: STAGES.map((s) => ({ ...s })),
        segments: [{ id: "sgOtherAll", name: "All companies", type: "all" }],
        members,
        flags: [flag("flOtherFlag01", "otherFlag", "Other flag", "stBeta", ["enOtherProduction"])],
        audit: [],
      },
    ],
  };
}
