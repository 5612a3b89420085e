// What a 401, 403 or 404 on the app means to the user of export, describe and init.
import { UserError } from "../../errors.js";
import { ApiError } from "../../live/api-error.js";

/** 404/403 on the app almost always means a wrong --app or a key of another app. */
export async function explainAppErrors<T>(request: Promise<T>, appOption: string | undefined): Promise<T> {
  try {
    return await request;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 401) {
      throw new UserError("RS_API", "the Reflag API refused the API key (401)", [
        err.message,
        "Check REFLAG_API_KEY: it must be a Management API key (Reflag: app settings -> API keys).",
      ]);
    }
    if ((err.status === 404 || err.status === 403) && appOption !== undefined) {
      throw new UserError(
        "RS_API",
        `app '${appOption}' ${err.status === 404 ? "was not found" : "is not accessible"} with this API key`,
        [err.message, "Check --app, or leave it out to use the app the key belongs to."],
      );
    }
    throw err;
  }
}
