// The API client of one process, with a tally of the requests it sends: each run's result record
// counts its own requests as the difference of two snapshots.
import { ReflagClient, type ReflagClientOptions, type RequestEvent } from "../live/client.js";
import type { RequestCounts } from "./result.js";

export interface Connection {
  client: ReflagClient;
  /** Totals since connect(): take two snapshots and subtract. */
  requests(): RequestCounts;
}

export function connect(options: ReflagClientOptions): Connection {
  const totals: RequestCounts = { reads: 0, writes: 0, retries: 0 };
  const onRequest = (event: RequestEvent) => {
    if (event.method === "GET") totals.reads++;
    else totals.writes++;
    if (event.retryInMs !== undefined) totals.retries++;
    options.onRequest?.(event);
  };
  return { client: new ReflagClient({ ...options, onRequest }), requests: () => ({ ...totals }) };
}

export function requestsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  return {
    reads: after.reads - before.reads,
    writes: after.writes - before.writes,
    retries: after.retries - before.retries,
  };
}
