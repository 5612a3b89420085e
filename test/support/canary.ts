// The suite's canary secrets. Every emulator the tests start answers to CANARY_API_KEY and hands
// out SDK keys carrying CANARY_MARK, so a secret that reaches an output, a log, a written file or a
// snapshot is found by assertNoSecret, which says where without printing the secret.

/** In every canary value: finding it anywhere is a leak (a cut-short key too). */
export const CANARY_MARK = "rs-canary";
/** The API key of the demo app in every test emulator. */
export const CANARY_API_KEY = "rs-canary-key-5e1f0c9b7a2d4863";
/** The API key of the emulator's second app (cross-app cases). */
export const CANARY_OTHER_API_KEY = "rs-canary-other-key-93c0d2a1e7";
/** Inside every SDK key a test emulator gives out: `sec_production_rs-canary-sdk-<hex>`. */
export const CANARY_SDK_MARK = `${CANARY_MARK}-sdk-`;

/**
 * The shape of the SDK keys the emulator makes for itself (`pub_staging_<24 hex>`,
 * `sec_staging_<48 hex>`): an emulator not started by the test support (a child process, the demo)
 * still cannot leak its SDK keys unseen.
 */
const EMULATOR_SDK_KEY = /\b(?:pub|sec)_[a-z]+_(?:[0-9a-f]{48}|[0-9a-f]{24})\b/;

let checks = 0;

/** How many times assertNoSecret ran in this test file: proves the helpers call it. */
export function secretChecks(): number {
  return checks;
}

/** What a secret looks like, and how to name it in a failure without printing it. */
const DETECTORS: Array<{
  what: string;
  find: (text: string) => { index: number; length: number } | undefined;
}> = [
  {
    what: "a canary secret (test API key or SDK key)",
    find: (text) => {
      const index = text.indexOf(CANARY_MARK);
      return index < 0 ? undefined : { index, length: CANARY_MARK.length };
    },
  },
  {
    what: "an emulator SDK key",
    find: (text) => {
      const m = EMULATOR_SDK_KEY.exec(text);
      return m ? { index: m.index, length: m[0].length } : undefined;
    },
  },
];

/** Where a secret is in `text`, or undefined. */
export function findSecret(text: string): { what: string; line: number; column: number } | undefined {
  for (const detector of DETECTORS) {
    const found = detector.find(text);
    if (!found) continue;
    const before = text.slice(0, found.index);
    const line = before.split("\n").length;
    return { what: detector.what, line, column: found.index - before.lastIndexOf("\n") };
  }
  return undefined;
}

/**
 * Throws when `text` holds a canary secret: the message names `where`, the line and column, and
 * the secret's line with every secret masked, never the secret itself.
 */
export function assertNoSecret(text: string, where: string): void {
  checks++;
  const found = findSecret(text);
  if (!found) return;
  const context = mask(text.split("\n")[found.line - 1] ?? "").slice(0, 300);
  throw new Error(
    `Secret leak: ${found.what} appeared in ${where} at line ${found.line}, column ${found.column}: ${context}`,
  );
}

/** The text with every secret replaced by «SECRET». */
export function mask(text: string): string {
  return text
    .replace(new RegExp(`${CANARY_MARK}[\\w-]*`, "g"), "«SECRET»")
    .replace(new RegExp(EMULATOR_SDK_KEY.source, "g"), "«SECRET»");
}
