// Errors carry a stable code and say what happens next. Only src/cli/main.ts maps them to exit codes.

export type ErrorCode =
  | "RS_USAGE" // bad command-line flag or environment variable
  | "RS_INVALID_DESIRED" // the YAML failed to load or validate
  | "RS_PLAN_INVALID" // the file disagrees with the live app (unknown environment, stage, key format)
  | "RS_API" // the API answered with an error that retrying will not fix
  | "RS_API_TRANSIENT" // retries ran out on 429 / 5xx / network errors
  | "RS_APPLY_PARTIAL" // an apply stopped half-way
  | "RS_REFUSED" // the user declined, or a safety limit refused the plan
  | "RS_STALE_PLAN" // a saved plan whose basis moved in Reflag since it was made
  | "RS_SAVED_PLAN" // a saved plan file that cannot be used (not one, corrupt, newer format)
  | "RS_INTERNAL"; // a bug: please report it

/** A problem the user can fix; printed without a stack trace, exit 1. */
export class UserError extends Error {
  override readonly name: string = "UserError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** Stop with a given exit code after the command has printed what it needs to. */
export class ExitError extends Error {
  override readonly name = "ExitError";
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}
