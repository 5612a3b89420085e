// Matches raw request paths against route templates ("/apps/:appId/flags"); literal segments beat parameters.
import { ApiProblem } from "./errors.js";

export interface Route<H> {
  method: string;
  /** "/apps/:appId/flags/:flagId" */
  template: string;
  handler: H;
}

export type RouteMatch<H> =
  | { kind: "found"; route: Route<H>; params: Record<string, string> }
  | { kind: "methodNotAllowed"; template: string; allow: string[] }
  | { kind: "notFound" };

/**
 * Splits the raw path on "/" first, then percent-decodes each segment, so that an encoded "/", "?",
 * "#" or "%" stays inside its segment; "." and ".." are kept as they are, never resolved.
 */
export function splitPath(rawPath: string): string[] {
  return rawPath
    .replace(/^\//, "")
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new ApiProblem("invalid_request", `Invalid percent-encoding in path segment '${segment}'`);
      }
    });
}

/** Splits a raw request target (origin-form or absolute-form) into path and query string. */
export function splitTarget(target: string): { path: string; query: string } {
  const originForm = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "");
  const q = originForm.indexOf("?");
  return q < 0
    ? { path: originForm, query: "" }
    : { path: originForm.slice(0, q), query: originForm.slice(q + 1) };
}

interface CompiledRoute<H> {
  route: Route<H>;
  /** A literal string, or null for a parameter at that position. */
  parts: Array<{ literal: string } | { param: string }>;
  /** "1" per literal and "0" per parameter segment: compares as a string, higher is more specific. */
  rank: string;
}

export class Router<H> {
  private readonly routes: CompiledRoute<H>[];

  constructor(routes: Array<Route<H>>) {
    this.routes = routes.map((route) => {
      const parts = route.template
        .replace(/^\//, "")
        .split("/")
        .map((s) => (s.startsWith(":") ? { param: s.slice(1) } : { literal: s }));
      return { route, parts, rank: parts.map((p) => ("literal" in p ? "1" : "0")).join("") };
    });
  }

  match(method: string, segments: string[]): RouteMatch<H> {
    const candidates = this.routes
      .map((r) => ({ r, params: matchParts(r.parts, segments) }))
      .filter((c): c is { r: CompiledRoute<H>; params: Record<string, string> } => c.params !== undefined)
      .sort((a, b) => (a.r.rank < b.r.rank ? 1 : a.r.rank > b.r.rank ? -1 : 0));
    const first = candidates[0];
    if (!first) return { kind: "notFound" };
    const wanted = method === "HEAD" ? "GET" : method;
    // Only routes as specific as the best one count: a literal "specific-targets" is never a flag id.
    const best = candidates.filter((c) => c.r.rank === first.r.rank);
    const hit = best.find((c) => c.r.route.method === wanted);
    if (hit) return { kind: "found", route: hit.r.route, params: hit.params };
    return {
      kind: "methodNotAllowed",
      template: first.r.route.template,
      allow: [...new Set(best.map((c) => c.r.route.method))],
    };
  }
}

function matchParts(
  parts: CompiledRoute<unknown>["parts"],
  segments: string[],
): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] as string;
    if ("literal" in part) {
      if (part.literal !== segment) return undefined;
    } else {
      // An empty segment ("flags//targeting") names nothing: no route.
      if (segment === "") return undefined;
      params[part.param] = segment;
    }
  }
  return params;
}
