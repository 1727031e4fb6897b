// A bounded worker pool that stops taking new items once its signal aborts; items already started finish
// (or observe the signal themselves).

/** Run `fn` over `items` with at most `jobs` running. Resolves when all started items have settled. */
export async function runPool<T>(items: readonly T[], jobs: number, fn: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}
