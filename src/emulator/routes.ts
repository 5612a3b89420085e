// The API's endpoints: each one reads its path, query and body, calls the store, and names its answer.
import type { EntityKind } from "../api/types.js";
import type { Route } from "./router.js";
import type { EmulatorStore } from "./store.js";
import { ENVIRONMENT_SORT_BYS, FLAG_SORT_BYS } from "./views.js";
import { orThrow, validateEntityId, validatePageQuery, validateSortQuery } from "./validate.js";

export interface ApiRequest {
  /** Percent-decoded path parameters. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The app the API key belongs to (the server has checked that it may access params.appId). */
  keyAppId: string;
  /** The parsed JSON body; throws the 400 for a missing or malformed one. */
  body(): unknown;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export type ApiHandler = (store: EmulatorStore, req: ApiRequest) => ApiAnswer;

const ok = (body: unknown): ApiAnswer => ({ status: 200, body });

const param = (req: ApiRequest, name: string): string => req.params[name] ?? "";

function entityRoutes(kind: EntityKind, idParam: "companyId" | "userId"): Array<Route<ApiHandler>> {
  const template = `/apps/:appId/envs/:envId/${kind}/:${idParam}/flags`;
  const entityId = (req: ApiRequest): string => orThrow(validateEntityId(param(req, idParam), idParam));
  return [
    {
      method: "GET",
      template,
      handler: (store, req) => {
        const page = orThrow(validatePageQuery(req.query, FLAG_SORT_BYS));
        return ok(store.listEntityFlags(param(req, "appId"), param(req, "envId"), kind, entityId(req), page));
      },
    },
    {
      method: "PATCH",
      template,
      handler: (store, req) => {
        // Checked before the write, so that a bad query cannot follow an applied change.
        const page = orThrow(validatePageQuery(req.query, FLAG_SORT_BYS));
        const [appId, envId, id] = [param(req, "appId"), param(req, "envId"), entityId(req)];
        store.patchEntityFlags(appId, envId, kind, id, req.body());
        return ok(store.listEntityFlags(appId, envId, kind, id, page));
      },
    },
  ];
}

export const API_ROUTES: Array<Route<ApiHandler>> = [
  {
    method: "GET",
    template: "/apps",
    handler: (store, req) => ok(store.listApps(req.keyAppId, req.query.get("orgId") ?? undefined)),
  },
  {
    method: "GET",
    template: "/apps/:appId",
    handler: (store, req) => ok(store.getApp(param(req, "appId"))),
  },
  {
    method: "GET",
    template: "/apps/:appId/environments",
    handler: (store, req) =>
      ok(
        store.listEnvironments(
          param(req, "appId"),
          orThrow(validateSortQuery(req.query, ENVIRONMENT_SORT_BYS)),
        ),
      ),
  },
  {
    method: "GET",
    template: "/apps/:appId/environments/:envId",
    handler: (store, req) => ok(store.getEnvironment(param(req, "appId"), param(req, "envId"))),
  },
  {
    method: "GET",
    template: "/apps/:appId/flags",
    handler: (store, req) =>
      ok(store.listFlags(param(req, "appId"), orThrow(validatePageQuery(req.query, FLAG_SORT_BYS)))),
  },
  {
    method: "POST",
    template: "/apps/:appId/flags",
    handler: (store, req) => ({
      status: 201,
      body: { flag: store.createFlag(param(req, "appId"), req.body()) },
    }),
  },
  {
    method: "PATCH",
    template: "/apps/:appId/flags/:flagId",
    handler: (store, req) =>
      ok({ flag: store.updateFlag(param(req, "appId"), param(req, "flagId"), req.body()) }),
  },
  {
    method: "PATCH",
    template: "/apps/:appId/flags/specific-targets/:envId",
    handler: (store, req) =>
      ok(store.patchSpecificTargets(param(req, "appId"), param(req, "envId"), req.body())),
  },
  {
    method: "GET",
    template: "/apps/:appId/flags/:flagKey/targeting/:envId",
    handler: (store, req) =>
      ok(store.getTargeting(param(req, "appId"), param(req, "flagKey"), param(req, "envId"))),
  },
  ...entityRoutes("companies", "companyId"),
  ...entityRoutes("users", "userId"),
];
