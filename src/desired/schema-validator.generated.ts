// Generated from schemas/flags.reflag.schema.json by scripts/gen-types.mjs (npm run gen:types).
// Do not edit by hand: change the schema and regenerate.
// @ts-nocheck
import runtime_ucs2length_module from "ajv/dist/runtime/ucs2length.js";
const runtime_ucs2length =
  typeof runtime_ucs2length_module === "function"
    ? { default: runtime_ucs2length_module }
    : runtime_ucs2length_module;
import runtime_equal_module from "ajv/dist/runtime/equal.js";
const runtime_equal =
  typeof runtime_equal_module === "function" ? { default: runtime_equal_module } : runtime_equal_module;
export const validate = validate10;
export default validate10;
const schema11 = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "FlagsFile",
  description:
    "A reflag-sync flags file: the feature-flag targeting of one Reflag app, kept in git. Several files (-f repeated, or a directory) merge into one desired state.",
  type: "object",
  additionalProperties: false,
  required: ["version"],
  properties: {
    version: {
      description: "The file format version. Always 1 for now; it lets the format evolve without guessing.",
      const: 1,
      examples: [1],
    },
    app: {
      description:
        "The Reflag app id that this file describes. Required in at least one file; files that give it must agree.",
      type: "string",
      examples: ["ap123456789"],
    },
    changeDescription: {
      description: "Audit text sent with every change reflag-sync makes (the CLI may override it).",
      type: "string",
      minLength: 1,
      examples: ["Synced from git"],
    },
    notifications: {
      description:
        "Where Reflag announces the changes. [] announces nowhere; omit it to use the app's defaults.",
      type: "array",
      uniqueItems: true,
      items: { $ref: "#/definitions/Notification" },
      examples: [[], ["slack"]],
    },
    policy: { $ref: "#/definitions/Policy" },
    environments: {
      description:
        "Short aliases for environments, used as keys under a flag's `targeting`: alias -> Reflag environment name or id.",
      type: "object",
      additionalProperties: {
        description: "The Reflag environment name or id that this alias stands for.",
        type: "string",
        examples: ["Production", "Staging"],
      },
      examples: [{ prod: "Production", staging: "Staging" }],
    },
    flags: {
      description: "The managed flags, by flag key. Flags not listed here are left alone.",
      type: "object",
      additionalProperties: { $ref: "#/definitions/Flag" },
      examples: [{ "new-checkout-flow": { name: "New checkout flow", stage: "Beta" } }],
    },
    anchors: {
      description:
        "Ignored by reflag-sync: a place to define YAML anchors (&name) that flags reuse below as aliases (*name), e.g. a shared list of companies.",
      type: ["object", "array"],
      additionalProperties: true,
      examples: [{ "beta-customers": ["acme-corp", "globex"] }],
    },
  },
  definitions: {
    Notification: {
      title: "Notification",
      description: "A channel that announces changes.",
      type: "string",
      enum: ["slack", "linearComment"],
    },
    Policy: {
      title: "Policy",
      description: "How far reflag-sync may go. Defaults: prune true, maxChanges 500, maxRemovalShare 0.5.",
      type: "object",
      additionalProperties: false,
      properties: {
        prune: {
          description:
            "Remove live specific targets that the file does not list, in the environments a managed flag lists under `targeting` (nothing outside that scope). Default true.",
          type: "boolean",
          examples: [true, false],
        },
        maxChanges: {
          description:
            "Refuse a plan with more target changes than this unless --force is given. Default 500.",
          type: "integer",
          minimum: 1,
          examples: [500],
        },
        maxRemovalShare: {
          description:
            "Refuse a plan that, in any one environment, would remove more than this share of the live targets of the flags the file manages there (when that is more than 10 targets), unless --force is given. 0 refuses any such removal of more than 10 targets, 1 turns the check off. Default 0.5.",
          type: "number",
          minimum: 0,
          maximum: 1,
          examples: [0.5, 0.8],
        },
      },
    },
    Flag: {
      title: "Flag",
      description:
        "A managed flag. Fields that are given are enforced; omitted fields are left as they are live. A flag missing live is created (it then needs `name`).",
      type: "object",
      additionalProperties: false,
      properties: {
        name: {
          description: "The flag's display name; needed to create a flag that does not exist yet.",
          type: "string",
          minLength: 1,
          examples: ["New checkout flow"],
        },
        description: {
          description: "The flag's description; null clears it.",
          type: ["string", "null"],
          examples: ["Redesigned checkout"],
        },
        stage: {
          description: "The name of one of the app's stages.",
          type: "string",
          minLength: 1,
          examples: ["In development", "Internal", "Beta", "General availability"],
        },
        archived: { description: "Whether the flag is archived.", type: "boolean", examples: [false, true] },
        targeting: {
          description:
            "Specific targets by environment. Each environment listed here is authoritative for this flag; environments not listed are left alone. Keys: an alias from `environments`, a Reflag environment name, or an environment id.",
          type: "object",
          additionalProperties: { $ref: "#/definitions/EnvironmentTargeting" },
          examples: [{ Production: { companies: ["acme-corp"], users: ["user-1"] } }],
        },
      },
    },
    EnvironmentTargeting: {
      title: "EnvironmentTargeting",
      description:
        "The companies and users that get the flag in this environment. An omitted list means none.",
      type: "object",
      additionalProperties: false,
      properties: {
        companies: {
          description: "Company ids that get the flag: plain ids, or { id, until } for a time-bound target.",
          type: "array",
          items: { $ref: "#/definitions/Target" },
          examples: [["acme-corp", { id: "globex", until: "2026-12-31" }]],
        },
        users: {
          description: "User ids that get the flag: plain ids, or { id, until } for a time-bound target.",
          type: "array",
          items: { $ref: "#/definitions/Target" },
          examples: [["user-1"]],
        },
      },
    },
    Target: {
      title: "Target",
      description:
        'A company or user id (quote ids that look like numbers: "42"), or { id, until } for a target that lasts until a date.',
      anyOf: [
        { description: "A company or user id.", type: "string", examples: ["acme-corp"] },
        { $ref: "#/definitions/TimedTarget" },
      ],
    },
    TimedTarget: {
      title: "TimedTarget",
      description: "A target that lasts until a date or instant, then is no longer desired.",
      type: "object",
      additionalProperties: false,
      required: ["id"],
      properties: {
        id: { description: "The company or user id.", type: "string", examples: ["acme-corp"] },
        until: {
          description:
            "When the target ends: a date (2026-12-31, lasts through that whole UTC day) or a date-time (2026-12-31T18:00:00Z, UTC unless an offset like +02:00 is given). From then on it is treated as absent, so with policy.prune the next reconcile removes it.",
          type: "string",
          pattern:
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?$",
          examples: ["2026-12-31", "2026-12-31T18:00:00Z", "2026-12-31T18:00:00+02:00"],
        },
      },
    },
  },
};
const schema12 = {
  title: "Notification",
  description: "A channel that announces changes.",
  type: "string",
  enum: ["slack", "linearComment"],
};
const schema13 = {
  title: "Policy",
  description: "How far reflag-sync may go. Defaults: prune true, maxChanges 500, maxRemovalShare 0.5.",
  type: "object",
  additionalProperties: false,
  properties: {
    prune: {
      description:
        "Remove live specific targets that the file does not list, in the environments a managed flag lists under `targeting` (nothing outside that scope). Default true.",
      type: "boolean",
      examples: [true, false],
    },
    maxChanges: {
      description: "Refuse a plan with more target changes than this unless --force is given. Default 500.",
      type: "integer",
      minimum: 1,
      examples: [500],
    },
    maxRemovalShare: {
      description:
        "Refuse a plan that, in any one environment, would remove more than this share of the live targets of the flags the file manages there (when that is more than 10 targets), unless --force is given. 0 refuses any such removal of more than 10 targets, 1 turns the check off. Default 0.5.",
      type: "number",
      minimum: 0,
      maximum: 1,
      examples: [0.5, 0.8],
    },
  },
};
const func2 = runtime_ucs2length.default;
const func0 = runtime_equal.default;
const schema14 = {
  title: "Flag",
  description:
    "A managed flag. Fields that are given are enforced; omitted fields are left as they are live. A flag missing live is created (it then needs `name`).",
  type: "object",
  additionalProperties: false,
  properties: {
    name: {
      description: "The flag's display name; needed to create a flag that does not exist yet.",
      type: "string",
      minLength: 1,
      examples: ["New checkout flow"],
    },
    description: {
      description: "The flag's description; null clears it.",
      type: ["string", "null"],
      examples: ["Redesigned checkout"],
    },
    stage: {
      description: "The name of one of the app's stages.",
      type: "string",
      minLength: 1,
      examples: ["In development", "Internal", "Beta", "General availability"],
    },
    archived: { description: "Whether the flag is archived.", type: "boolean", examples: [false, true] },
    targeting: {
      description:
        "Specific targets by environment. Each environment listed here is authoritative for this flag; environments not listed are left alone. Keys: an alias from `environments`, a Reflag environment name, or an environment id.",
      type: "object",
      additionalProperties: { $ref: "#/definitions/EnvironmentTargeting" },
      examples: [{ Production: { companies: ["acme-corp"], users: ["user-1"] } }],
    },
  },
};
const schema15 = {
  title: "EnvironmentTargeting",
  description: "The companies and users that get the flag in this environment. An omitted list means none.",
  type: "object",
  additionalProperties: false,
  properties: {
    companies: {
      description: "Company ids that get the flag: plain ids, or { id, until } for a time-bound target.",
      type: "array",
      items: { $ref: "#/definitions/Target" },
      examples: [["acme-corp", { id: "globex", until: "2026-12-31" }]],
    },
    users: {
      description: "User ids that get the flag: plain ids, or { id, until } for a time-bound target.",
      type: "array",
      items: { $ref: "#/definitions/Target" },
      examples: [["user-1"]],
    },
  },
};
const schema16 = {
  title: "Target",
  description:
    'A company or user id (quote ids that look like numbers: "42"), or { id, until } for a target that lasts until a date.',
  anyOf: [
    { description: "A company or user id.", type: "string", examples: ["acme-corp"] },
    { $ref: "#/definitions/TimedTarget" },
  ],
};
const schema17 = {
  title: "TimedTarget",
  description: "A target that lasts until a date or instant, then is no longer desired.",
  type: "object",
  additionalProperties: false,
  required: ["id"],
  properties: {
    id: { description: "The company or user id.", type: "string", examples: ["acme-corp"] },
    until: {
      description:
        "When the target ends: a date (2026-12-31, lasts through that whole UTC day) or a date-time (2026-12-31T18:00:00Z, UTC unless an offset like +02:00 is given). From then on it is treated as absent, so with policy.prune the next reconcile removes it.",
      type: "string",
      pattern:
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?$",
      examples: ["2026-12-31", "2026-12-31T18:00:00Z", "2026-12-31T18:00:00+02:00"],
    },
  },
};
const pattern0 = new RegExp(
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?$",
  "u",
);
function validate13(data, { instancePath = "", parentData, parentDataProperty, rootData = data } = {}) {
  let vErrors = null;
  let errors = 0;
  const _errs0 = errors;
  let valid0 = false;
  const _errs1 = errors;
  if (typeof data !== "string") {
    const err0 = {
      instancePath,
      schemaPath: "#/anyOf/0/type",
      keyword: "type",
      params: { type: "string" },
      message: "must be string",
      schema: schema16.anyOf[0].type,
      parentSchema: schema16.anyOf[0],
      data,
    };
    if (vErrors === null) {
      vErrors = [err0];
    } else {
      vErrors.push(err0);
    }
    errors++;
  }
  var _valid0 = _errs1 === errors;
  valid0 = valid0 || _valid0;
  if (!valid0) {
    const _errs3 = errors;
    if (data && typeof data == "object" && !Array.isArray(data)) {
      if (data.id === undefined) {
        const err1 = {
          instancePath,
          schemaPath: "#/definitions/TimedTarget/required",
          keyword: "required",
          params: { missingProperty: "id" },
          message: "must have required property '" + "id" + "'",
          schema: schema17.required,
          parentSchema: schema17,
          data,
        };
        if (vErrors === null) {
          vErrors = [err1];
        } else {
          vErrors.push(err1);
        }
        errors++;
      }
      for (const key0 in data) {
        if (!(key0 === "id" || key0 === "until")) {
          const err2 = {
            instancePath,
            schemaPath: "#/definitions/TimedTarget/additionalProperties",
            keyword: "additionalProperties",
            params: { additionalProperty: key0 },
            message: "must NOT have additional properties",
            schema: false,
            parentSchema: schema17,
            data,
          };
          if (vErrors === null) {
            vErrors = [err2];
          } else {
            vErrors.push(err2);
          }
          errors++;
        }
      }
      if (data.id !== undefined) {
        let data0 = data.id;
        if (typeof data0 !== "string") {
          const err3 = {
            instancePath: instancePath + "/id",
            schemaPath: "#/definitions/TimedTarget/properties/id/type",
            keyword: "type",
            params: { type: "string" },
            message: "must be string",
            schema: schema17.properties.id.type,
            parentSchema: schema17.properties.id,
            data: data0,
          };
          if (vErrors === null) {
            vErrors = [err3];
          } else {
            vErrors.push(err3);
          }
          errors++;
        }
      }
      if (data.until !== undefined) {
        let data1 = data.until;
        if (typeof data1 === "string") {
          if (!pattern0.test(data1)) {
            const err4 = {
              instancePath: instancePath + "/until",
              schemaPath: "#/definitions/TimedTarget/properties/until/pattern",
              keyword: "pattern",
              params: {
                pattern:
                  "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?$",
              },
              message:
                'must match pattern "' +
                "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?$" +
                '"',
              schema:
                "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?$",
              parentSchema: schema17.properties.until,
              data: data1,
            };
            if (vErrors === null) {
              vErrors = [err4];
            } else {
              vErrors.push(err4);
            }
            errors++;
          }
        } else {
          const err5 = {
            instancePath: instancePath + "/until",
            schemaPath: "#/definitions/TimedTarget/properties/until/type",
            keyword: "type",
            params: { type: "string" },
            message: "must be string",
            schema: schema17.properties.until.type,
            parentSchema: schema17.properties.until,
            data: data1,
          };
          if (vErrors === null) {
            vErrors = [err5];
          } else {
            vErrors.push(err5);
          }
          errors++;
        }
      }
    } else {
      const err6 = {
        instancePath,
        schemaPath: "#/definitions/TimedTarget/type",
        keyword: "type",
        params: { type: "object" },
        message: "must be object",
        schema: schema17.type,
        parentSchema: schema17,
        data,
      };
      if (vErrors === null) {
        vErrors = [err6];
      } else {
        vErrors.push(err6);
      }
      errors++;
    }
    var _valid0 = _errs3 === errors;
    valid0 = valid0 || _valid0;
  }
  if (!valid0) {
    const err7 = {
      instancePath,
      schemaPath: "#/anyOf",
      keyword: "anyOf",
      params: {},
      message: "must match a schema in anyOf",
      schema: schema16.anyOf,
      parentSchema: schema16,
      data,
    };
    if (vErrors === null) {
      vErrors = [err7];
    } else {
      vErrors.push(err7);
    }
    errors++;
  } else {
    errors = _errs0;
    if (vErrors !== null) {
      if (_errs0) {
        vErrors.length = _errs0;
      } else {
        vErrors = null;
      }
    }
  }
  validate13.errors = vErrors;
  return errors === 0;
}
function validate12(data, { instancePath = "", parentData, parentDataProperty, rootData = data } = {}) {
  let vErrors = null;
  let errors = 0;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    for (const key0 in data) {
      if (!(key0 === "companies" || key0 === "users")) {
        const err0 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema15,
          data,
        };
        if (vErrors === null) {
          vErrors = [err0];
        } else {
          vErrors.push(err0);
        }
        errors++;
      }
    }
    if (data.companies !== undefined) {
      let data0 = data.companies;
      if (Array.isArray(data0)) {
        const len0 = data0.length;
        for (let i0 = 0; i0 < len0; i0++) {
          if (
            !validate13(data0[i0], {
              instancePath: instancePath + "/companies/" + i0,
              parentData: data0,
              parentDataProperty: i0,
              rootData,
            })
          ) {
            vErrors = vErrors === null ? validate13.errors : vErrors.concat(validate13.errors);
            errors = vErrors.length;
          }
        }
      } else {
        const err1 = {
          instancePath: instancePath + "/companies",
          schemaPath: "#/properties/companies/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema15.properties.companies.type,
          parentSchema: schema15.properties.companies,
          data: data0,
        };
        if (vErrors === null) {
          vErrors = [err1];
        } else {
          vErrors.push(err1);
        }
        errors++;
      }
    }
    if (data.users !== undefined) {
      let data2 = data.users;
      if (Array.isArray(data2)) {
        const len1 = data2.length;
        for (let i1 = 0; i1 < len1; i1++) {
          if (
            !validate13(data2[i1], {
              instancePath: instancePath + "/users/" + i1,
              parentData: data2,
              parentDataProperty: i1,
              rootData,
            })
          ) {
            vErrors = vErrors === null ? validate13.errors : vErrors.concat(validate13.errors);
            errors = vErrors.length;
          }
        }
      } else {
        const err2 = {
          instancePath: instancePath + "/users",
          schemaPath: "#/properties/users/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema15.properties.users.type,
          parentSchema: schema15.properties.users,
          data: data2,
        };
        if (vErrors === null) {
          vErrors = [err2];
        } else {
          vErrors.push(err2);
        }
        errors++;
      }
    }
  } else {
    const err3 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema15.type,
      parentSchema: schema15,
      data,
    };
    if (vErrors === null) {
      vErrors = [err3];
    } else {
      vErrors.push(err3);
    }
    errors++;
  }
  validate12.errors = vErrors;
  return errors === 0;
}
function validate11(data, { instancePath = "", parentData, parentDataProperty, rootData = data } = {}) {
  let vErrors = null;
  let errors = 0;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    for (const key0 in data) {
      if (!(
        key0 === "name" ||
        key0 === "description" ||
        key0 === "stage" ||
        key0 === "archived" ||
        key0 === "targeting"
      )) {
        const err0 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema14,
          data,
        };
        if (vErrors === null) {
          vErrors = [err0];
        } else {
          vErrors.push(err0);
        }
        errors++;
      }
    }
    if (data.name !== undefined) {
      let data0 = data.name;
      if (typeof data0 === "string") {
        if (func2(data0) < 1) {
          const err1 = {
            instancePath: instancePath + "/name",
            schemaPath: "#/properties/name/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema14.properties.name,
            data: data0,
          };
          if (vErrors === null) {
            vErrors = [err1];
          } else {
            vErrors.push(err1);
          }
          errors++;
        }
      } else {
        const err2 = {
          instancePath: instancePath + "/name",
          schemaPath: "#/properties/name/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema14.properties.name.type,
          parentSchema: schema14.properties.name,
          data: data0,
        };
        if (vErrors === null) {
          vErrors = [err2];
        } else {
          vErrors.push(err2);
        }
        errors++;
      }
    }
    if (data.description !== undefined) {
      let data1 = data.description;
      if (typeof data1 !== "string" && data1 !== null) {
        const err3 = {
          instancePath: instancePath + "/description",
          schemaPath: "#/properties/description/type",
          keyword: "type",
          params: { type: schema14.properties.description.type },
          message: "must be string,null",
          schema: schema14.properties.description.type,
          parentSchema: schema14.properties.description,
          data: data1,
        };
        if (vErrors === null) {
          vErrors = [err3];
        } else {
          vErrors.push(err3);
        }
        errors++;
      }
    }
    if (data.stage !== undefined) {
      let data2 = data.stage;
      if (typeof data2 === "string") {
        if (func2(data2) < 1) {
          const err4 = {
            instancePath: instancePath + "/stage",
            schemaPath: "#/properties/stage/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema14.properties.stage,
            data: data2,
          };
          if (vErrors === null) {
            vErrors = [err4];
          } else {
            vErrors.push(err4);
          }
          errors++;
        }
      } else {
        const err5 = {
          instancePath: instancePath + "/stage",
          schemaPath: "#/properties/stage/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema14.properties.stage.type,
          parentSchema: schema14.properties.stage,
          data: data2,
        };
        if (vErrors === null) {
          vErrors = [err5];
        } else {
          vErrors.push(err5);
        }
        errors++;
      }
    }
    if (data.archived !== undefined) {
      let data3 = data.archived;
      if (typeof data3 !== "boolean") {
        const err6 = {
          instancePath: instancePath + "/archived",
          schemaPath: "#/properties/archived/type",
          keyword: "type",
          params: { type: "boolean" },
          message: "must be boolean",
          schema: schema14.properties.archived.type,
          parentSchema: schema14.properties.archived,
          data: data3,
        };
        if (vErrors === null) {
          vErrors = [err6];
        } else {
          vErrors.push(err6);
        }
        errors++;
      }
    }
    if (data.targeting !== undefined) {
      let data4 = data.targeting;
      if (data4 && typeof data4 == "object" && !Array.isArray(data4)) {
        for (const key1 in data4) {
          if (
            !validate12(data4[key1], {
              instancePath: instancePath + "/targeting/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),
              parentData: data4,
              parentDataProperty: key1,
              rootData,
            })
          ) {
            vErrors = vErrors === null ? validate12.errors : vErrors.concat(validate12.errors);
            errors = vErrors.length;
          }
        }
      } else {
        const err7 = {
          instancePath: instancePath + "/targeting",
          schemaPath: "#/properties/targeting/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema14.properties.targeting.type,
          parentSchema: schema14.properties.targeting,
          data: data4,
        };
        if (vErrors === null) {
          vErrors = [err7];
        } else {
          vErrors.push(err7);
        }
        errors++;
      }
    }
  } else {
    const err8 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema14.type,
      parentSchema: schema14,
      data,
    };
    if (vErrors === null) {
      vErrors = [err8];
    } else {
      vErrors.push(err8);
    }
    errors++;
  }
  validate11.errors = vErrors;
  return errors === 0;
}
function validate10(data, { instancePath = "", parentData, parentDataProperty, rootData = data } = {}) {
  let vErrors = null;
  let errors = 0;
  if (data && typeof data == "object" && !Array.isArray(data)) {
    if (data.version === undefined) {
      const err0 = {
        instancePath,
        schemaPath: "#/required",
        keyword: "required",
        params: { missingProperty: "version" },
        message: "must have required property '" + "version" + "'",
        schema: schema11.required,
        parentSchema: schema11,
        data,
      };
      if (vErrors === null) {
        vErrors = [err0];
      } else {
        vErrors.push(err0);
      }
      errors++;
    }
    for (const key0 in data) {
      if (!(
        key0 === "version" ||
        key0 === "app" ||
        key0 === "changeDescription" ||
        key0 === "notifications" ||
        key0 === "policy" ||
        key0 === "environments" ||
        key0 === "flags" ||
        key0 === "anchors"
      )) {
        const err1 = {
          instancePath,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key0 },
          message: "must NOT have additional properties",
          schema: false,
          parentSchema: schema11,
          data,
        };
        if (vErrors === null) {
          vErrors = [err1];
        } else {
          vErrors.push(err1);
        }
        errors++;
      }
    }
    if (data.version !== undefined) {
      let data0 = data.version;
      if (1 !== data0) {
        const err2 = {
          instancePath: instancePath + "/version",
          schemaPath: "#/properties/version/const",
          keyword: "const",
          params: { allowedValue: 1 },
          message: "must be equal to constant",
          schema: 1,
          parentSchema: schema11.properties.version,
          data: data0,
        };
        if (vErrors === null) {
          vErrors = [err2];
        } else {
          vErrors.push(err2);
        }
        errors++;
      }
    }
    if (data.app !== undefined) {
      let data1 = data.app;
      if (typeof data1 !== "string") {
        const err3 = {
          instancePath: instancePath + "/app",
          schemaPath: "#/properties/app/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema11.properties.app.type,
          parentSchema: schema11.properties.app,
          data: data1,
        };
        if (vErrors === null) {
          vErrors = [err3];
        } else {
          vErrors.push(err3);
        }
        errors++;
      }
    }
    if (data.changeDescription !== undefined) {
      let data2 = data.changeDescription;
      if (typeof data2 === "string") {
        if (func2(data2) < 1) {
          const err4 = {
            instancePath: instancePath + "/changeDescription",
            schemaPath: "#/properties/changeDescription/minLength",
            keyword: "minLength",
            params: { limit: 1 },
            message: "must NOT have fewer than 1 characters",
            schema: 1,
            parentSchema: schema11.properties.changeDescription,
            data: data2,
          };
          if (vErrors === null) {
            vErrors = [err4];
          } else {
            vErrors.push(err4);
          }
          errors++;
        }
      } else {
        const err5 = {
          instancePath: instancePath + "/changeDescription",
          schemaPath: "#/properties/changeDescription/type",
          keyword: "type",
          params: { type: "string" },
          message: "must be string",
          schema: schema11.properties.changeDescription.type,
          parentSchema: schema11.properties.changeDescription,
          data: data2,
        };
        if (vErrors === null) {
          vErrors = [err5];
        } else {
          vErrors.push(err5);
        }
        errors++;
      }
    }
    if (data.notifications !== undefined) {
      let data3 = data.notifications;
      if (Array.isArray(data3)) {
        const len0 = data3.length;
        for (let i0 = 0; i0 < len0; i0++) {
          let data4 = data3[i0];
          if (typeof data4 !== "string") {
            const err6 = {
              instancePath: instancePath + "/notifications/" + i0,
              schemaPath: "#/definitions/Notification/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema12.type,
              parentSchema: schema12,
              data: data4,
            };
            if (vErrors === null) {
              vErrors = [err6];
            } else {
              vErrors.push(err6);
            }
            errors++;
          }
          if (!(data4 === "slack" || data4 === "linearComment")) {
            const err7 = {
              instancePath: instancePath + "/notifications/" + i0,
              schemaPath: "#/definitions/Notification/enum",
              keyword: "enum",
              params: { allowedValues: schema12.enum },
              message: "must be equal to one of the allowed values",
              schema: schema12.enum,
              parentSchema: schema12,
              data: data4,
            };
            if (vErrors === null) {
              vErrors = [err7];
            } else {
              vErrors.push(err7);
            }
            errors++;
          }
        }
        let i1 = data3.length;
        let j0;
        if (i1 > 1) {
          outer0: for (; i1--;) {
            for (j0 = i1; j0--;) {
              if (func0(data3[i1], data3[j0])) {
                const err8 = {
                  instancePath: instancePath + "/notifications",
                  schemaPath: "#/properties/notifications/uniqueItems",
                  keyword: "uniqueItems",
                  params: { i: i1, j: j0 },
                  message: "must NOT have duplicate items (items ## " + j0 + " and " + i1 + " are identical)",
                  schema: true,
                  parentSchema: schema11.properties.notifications,
                  data: data3,
                };
                if (vErrors === null) {
                  vErrors = [err8];
                } else {
                  vErrors.push(err8);
                }
                errors++;
                break outer0;
              }
            }
          }
        }
      } else {
        const err9 = {
          instancePath: instancePath + "/notifications",
          schemaPath: "#/properties/notifications/type",
          keyword: "type",
          params: { type: "array" },
          message: "must be array",
          schema: schema11.properties.notifications.type,
          parentSchema: schema11.properties.notifications,
          data: data3,
        };
        if (vErrors === null) {
          vErrors = [err9];
        } else {
          vErrors.push(err9);
        }
        errors++;
      }
    }
    if (data.policy !== undefined) {
      let data5 = data.policy;
      if (data5 && typeof data5 == "object" && !Array.isArray(data5)) {
        for (const key1 in data5) {
          if (!(key1 === "prune" || key1 === "maxChanges" || key1 === "maxRemovalShare")) {
            const err10 = {
              instancePath: instancePath + "/policy",
              schemaPath: "#/definitions/Policy/additionalProperties",
              keyword: "additionalProperties",
              params: { additionalProperty: key1 },
              message: "must NOT have additional properties",
              schema: false,
              parentSchema: schema13,
              data: data5,
            };
            if (vErrors === null) {
              vErrors = [err10];
            } else {
              vErrors.push(err10);
            }
            errors++;
          }
        }
        if (data5.prune !== undefined) {
          let data6 = data5.prune;
          if (typeof data6 !== "boolean") {
            const err11 = {
              instancePath: instancePath + "/policy/prune",
              schemaPath: "#/definitions/Policy/properties/prune/type",
              keyword: "type",
              params: { type: "boolean" },
              message: "must be boolean",
              schema: schema13.properties.prune.type,
              parentSchema: schema13.properties.prune,
              data: data6,
            };
            if (vErrors === null) {
              vErrors = [err11];
            } else {
              vErrors.push(err11);
            }
            errors++;
          }
        }
        if (data5.maxChanges !== undefined) {
          let data7 = data5.maxChanges;
          if (!(typeof data7 == "number" && !(data7 % 1) && !isNaN(data7) && isFinite(data7))) {
            const err12 = {
              instancePath: instancePath + "/policy/maxChanges",
              schemaPath: "#/definitions/Policy/properties/maxChanges/type",
              keyword: "type",
              params: { type: "integer" },
              message: "must be integer",
              schema: schema13.properties.maxChanges.type,
              parentSchema: schema13.properties.maxChanges,
              data: data7,
            };
            if (vErrors === null) {
              vErrors = [err12];
            } else {
              vErrors.push(err12);
            }
            errors++;
          }
          if (typeof data7 == "number" && isFinite(data7)) {
            if (data7 < 1 || isNaN(data7)) {
              const err13 = {
                instancePath: instancePath + "/policy/maxChanges",
                schemaPath: "#/definitions/Policy/properties/maxChanges/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 1 },
                message: "must be >= 1",
                schema: 1,
                parentSchema: schema13.properties.maxChanges,
                data: data7,
              };
              if (vErrors === null) {
                vErrors = [err13];
              } else {
                vErrors.push(err13);
              }
              errors++;
            }
          }
        }
        if (data5.maxRemovalShare !== undefined) {
          let data8 = data5.maxRemovalShare;
          if (typeof data8 == "number" && isFinite(data8)) {
            if (data8 > 1 || isNaN(data8)) {
              const err14 = {
                instancePath: instancePath + "/policy/maxRemovalShare",
                schemaPath: "#/definitions/Policy/properties/maxRemovalShare/maximum",
                keyword: "maximum",
                params: { comparison: "<=", limit: 1 },
                message: "must be <= 1",
                schema: 1,
                parentSchema: schema13.properties.maxRemovalShare,
                data: data8,
              };
              if (vErrors === null) {
                vErrors = [err14];
              } else {
                vErrors.push(err14);
              }
              errors++;
            }
            if (data8 < 0 || isNaN(data8)) {
              const err15 = {
                instancePath: instancePath + "/policy/maxRemovalShare",
                schemaPath: "#/definitions/Policy/properties/maxRemovalShare/minimum",
                keyword: "minimum",
                params: { comparison: ">=", limit: 0 },
                message: "must be >= 0",
                schema: 0,
                parentSchema: schema13.properties.maxRemovalShare,
                data: data8,
              };
              if (vErrors === null) {
                vErrors = [err15];
              } else {
                vErrors.push(err15);
              }
              errors++;
            }
          } else {
            const err16 = {
              instancePath: instancePath + "/policy/maxRemovalShare",
              schemaPath: "#/definitions/Policy/properties/maxRemovalShare/type",
              keyword: "type",
              params: { type: "number" },
              message: "must be number",
              schema: schema13.properties.maxRemovalShare.type,
              parentSchema: schema13.properties.maxRemovalShare,
              data: data8,
            };
            if (vErrors === null) {
              vErrors = [err16];
            } else {
              vErrors.push(err16);
            }
            errors++;
          }
        }
      } else {
        const err17 = {
          instancePath: instancePath + "/policy",
          schemaPath: "#/definitions/Policy/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema13.type,
          parentSchema: schema13,
          data: data5,
        };
        if (vErrors === null) {
          vErrors = [err17];
        } else {
          vErrors.push(err17);
        }
        errors++;
      }
    }
    if (data.environments !== undefined) {
      let data9 = data.environments;
      if (data9 && typeof data9 == "object" && !Array.isArray(data9)) {
        for (const key2 in data9) {
          let data10 = data9[key2];
          if (typeof data10 !== "string") {
            const err18 = {
              instancePath: instancePath + "/environments/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),
              schemaPath: "#/properties/environments/additionalProperties/type",
              keyword: "type",
              params: { type: "string" },
              message: "must be string",
              schema: schema11.properties.environments.additionalProperties.type,
              parentSchema: schema11.properties.environments.additionalProperties,
              data: data10,
            };
            if (vErrors === null) {
              vErrors = [err18];
            } else {
              vErrors.push(err18);
            }
            errors++;
          }
        }
      } else {
        const err19 = {
          instancePath: instancePath + "/environments",
          schemaPath: "#/properties/environments/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema11.properties.environments.type,
          parentSchema: schema11.properties.environments,
          data: data9,
        };
        if (vErrors === null) {
          vErrors = [err19];
        } else {
          vErrors.push(err19);
        }
        errors++;
      }
    }
    if (data.flags !== undefined) {
      let data11 = data.flags;
      if (data11 && typeof data11 == "object" && !Array.isArray(data11)) {
        for (const key3 in data11) {
          if (
            !validate11(data11[key3], {
              instancePath: instancePath + "/flags/" + key3.replace(/~/g, "~0").replace(/\//g, "~1"),
              parentData: data11,
              parentDataProperty: key3,
              rootData,
            })
          ) {
            vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
            errors = vErrors.length;
          }
        }
      } else {
        const err20 = {
          instancePath: instancePath + "/flags",
          schemaPath: "#/properties/flags/type",
          keyword: "type",
          params: { type: "object" },
          message: "must be object",
          schema: schema11.properties.flags.type,
          parentSchema: schema11.properties.flags,
          data: data11,
        };
        if (vErrors === null) {
          vErrors = [err20];
        } else {
          vErrors.push(err20);
        }
        errors++;
      }
    }
    if (data.anchors !== undefined) {
      let data13 = data.anchors;
      if (!data13 || typeof data13 != "object") {
        const err21 = {
          instancePath: instancePath + "/anchors",
          schemaPath: "#/properties/anchors/type",
          keyword: "type",
          params: { type: schema11.properties.anchors.type },
          message: "must be object,array",
          schema: schema11.properties.anchors.type,
          parentSchema: schema11.properties.anchors,
          data: data13,
        };
        if (vErrors === null) {
          vErrors = [err21];
        } else {
          vErrors.push(err21);
        }
        errors++;
      }
    }
  } else {
    const err22 = {
      instancePath,
      schemaPath: "#/type",
      keyword: "type",
      params: { type: "object" },
      message: "must be object",
      schema: schema11.type,
      parentSchema: schema11,
      data,
    };
    if (vErrors === null) {
      vErrors = [err22];
    } else {
      vErrors.push(err22);
    }
    errors++;
  }
  validate10.errors = vErrors;
  return errors === 0;
}
