// Turning a route template and raw ids into a request path where every id stays inside its segment.

export type QueryValue = string | number | undefined;

/** Thrown for an id that no URL can carry as a path segment; the client turns it into an ApiError. */
export class UnsendableSegment extends Error {
  constructor(
    readonly param: string,
    readonly value: string,
  ) {
    super(`${param} ${JSON.stringify(value)} cannot be sent as a URL path segment`);
  }
}

/**
 * Fill "/apps/:appId/flags/:flagId" with encoded ids and append the query.
 * encodeURIComponent keeps "/", "?", "#", "%" and spaces inside the segment. "." and ".." have no
 * safe spelling: the WHATWG URL parser that fetch uses removes them as directory steps, and it
 * treats "%2E" and "%2E%2E" the same way, so the request would silently reach another resource.
 * Refuse them (and "") instead.
 */
export function buildPath(
  route: string,
  params: Record<string, string>,
  query: Record<string, QueryValue> = {},
): string {
  const path = route.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`buildPath: no value for :${name} in ${route}`);
    if (value === "" || value === "." || value === "..") throw new UnsendableSegment(name, value);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** The route with raw ids, for messages about a path that could not be built. */
export function describePath(route: string, params: Record<string, string>): string {
  return route.replace(/:([A-Za-z]+)/g, (match, name: string) => params[name] ?? match);
}
