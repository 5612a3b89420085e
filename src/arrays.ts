// Array helpers for data-sized arrays: push(...xs) and Math.max(...xs) put every element on the
// stack and throw a RangeError past about 100,000 elements.

/** Appends `items` to `target` in place; returns `target`. */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest of `values`, or `floor` when there is none larger. */
export function maxOf(values: Iterable<number>, floor: number): number {
  let max = floor;
  for (const value of values) if (value > max) max = value;
  return max;
}
