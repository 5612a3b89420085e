// What a reviewer must see next to a plan, as data on the plan (every output form renders it):
// pure, from the plan itself. The file's policy limits add theirs (reconcile/policy).
import type { Plan, PlanWarning } from "./model.js";

/** The plan with `first` (policy breaches, ...) and then its own warnings. */
export function withWarnings(plan: Plan, first: readonly PlanWarning[]): Plan {
  const warnings = [...(plan.warnings ?? []), ...first, ...reviewWarnings(plan)];
  return { ...plan, warnings };
}

/** A partial plan (--flag), drift a labelled plan undoes (--base), expired targets it removes. */
export function reviewWarnings(plan: Plan): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  if (plan.partial) {
    const p = plan.partial;
    warnings.push({
      code: "partial",
      message: `partial plan: only the ${p.matched} of ${p.managed} managed flags that match ${p.patterns.map((g) => `'${g}'`).join(" or ")}; the other flags are neither planned nor applied`,
    });
  }
  const drift = driftSentence(plan);
  if (drift) warnings.push({ code: "drift", message: drift });
  let expired = 0;
  for (const env of plan.environments) for (const c of env.changes) if (c.reason === "expired") expired++;
  if (expired > 0) {
    warnings.push({
      code: "expired-targets",
      message: `${plural(expired, "time-bound target has", "time-bound targets have")} passed ${expired === 1 ? "its" : "their"} \`until\` and will be removed; delete ${expired === 1 ? "it" : "them"} from the file to keep it tidy`,
    });
  }
  return warnings;
}

/** "applying this will also remove 3 targets that were added outside git, …"; undefined without drift. */
function driftSentence(plan: Plan): string | undefined {
  let removed = 0;
  let added = 0;
  let fields = 0;
  for (const env of plan.environments) {
    for (const c of env.changes) {
      // An expired target is removed because time passed, not because of an edit: its own warning.
      if (c.origin !== "drift" || c.reason === "expired") continue;
      if (c.op === "add") added++;
      else removed++;
    }
  }
  const created = plan.creates.filter((c) => c.origin === "drift").length;
  for (const u of plan.updates) for (const f of u.changes) if (f.origin === "drift") fields++;
  const parts = [
    ...(removed > 0
      ? [
          `remove ${plural(removed, "target", "targets")} that ${removed === 1 ? "was" : "were"} added outside git`,
        ]
      : []),
    ...(added > 0
      ? [
          `add back ${plural(added, "target", "targets")} that ${added === 1 ? "was" : "were"} removed outside git`,
        ]
      : []),
    ...(created > 0 ? [`re-create ${plural(created, "flag", "flags")} deleted outside git`] : []),
    ...(fields > 0 ? [`reset ${plural(fields, "flag field", "flag fields")} edited outside git`] : []),
  ];
  if (parts.length === 0) return undefined;
  const last = parts.pop()!;
  return `applying this will also ${parts.length > 0 ? `${parts.join(", ")} and ${last}` : last}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
