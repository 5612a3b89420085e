// Many reads under one limit, as workers that each take the next item.

/**
 * Runs `task` on every item, at most `limit` at once. As many workers as the limit, so that after
 * one task fails the others stop taking work instead of queueing every remaining request behind
 * it; the first failure is thrown once the tasks in flight have ended.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let failed = false;
  let next = 0;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
}
