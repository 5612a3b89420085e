// Sorted string lists: target ids are kept in code-unit order (plan's `compare`, the order of the
// lists in the state file), so membership is a binary search.
import { compare } from "../compare.js";

function lowerBound(list: string[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as string) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function includesSorted(list: string[], id: string): boolean {
  return list[lowerBound(list, id)] === id;
}

export function insertSorted(list: string[], id: string): void {
  const i = lowerBound(list, id);
  if (list[i] !== id) list.splice(i, 0, id);
}

export function removeSorted(list: string[], id: string): void {
  const i = lowerBound(list, id);
  if (list[i] === id) list.splice(i, 1);
}

/** A new sorted list without duplicates. */
export function sortedSet(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(compare);
}
