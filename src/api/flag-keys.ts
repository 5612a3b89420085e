// The flag key formats an app can require of new keys (AppHeader.flagKeyFormat): one rule for the
// planner, which refuses to plan an uncreatable flag, and the emulator, which refuses to create it.
import { MAX_ID_LENGTH, type FlagKeyFormat } from "./types.js";

const KEY_FORMATS: Record<FlagKeyFormat, { pattern: RegExp; example: string }> = {
  custom: { pattern: /^\S(?:.*\S)?$/s, example: "any text without surrounding spaces" },
  pascalCase: { pattern: /^[A-Z][a-zA-Z0-9]*$/, example: "NewCheckoutFlow" },
  camelCase: { pattern: /^[a-z][a-zA-Z0-9]*$/, example: "newCheckoutFlow" },
  snakeCaseUpper: { pattern: /^[A-Z0-9]+(?:_[A-Z0-9]+)*$/, example: "NEW_CHECKOUT_FLOW" },
  snakeCaseLower: { pattern: /^[a-z0-9]+(?:_[a-z0-9]+)*$/, example: "new_checkout_flow" },
  kebabCaseUpper: { pattern: /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/, example: "NEW-CHECKOUT-FLOW" },
  kebabCaseLower: { pattern: /^[a-z0-9]+(?:-[a-z0-9]+)*$/, example: "new-checkout-flow" },
};

/** An unknown format (a newer API) is treated as custom. */
export function matchesKeyFormat(key: string, format: FlagKeyFormat): boolean {
  const rule = KEY_FORMATS[format] ?? KEY_FORMATS.custom;
  return key.length <= MAX_ID_LENGTH && rule.pattern.test(key);
}

export function keyFormatExample(format: FlagKeyFormat): string {
  return (KEY_FORMATS[format] ?? KEY_FORMATS.custom).example;
}
