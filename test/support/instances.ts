// One throwaway server per kind for a harness test file, all started together on first use.
// Not in a `before` hook: a failing hook reports the tests as "cancelled", and a missing
// prerequisite must read as a failure of the test that needed the server.

/** What {@link lazyInstances} hands out. */
export interface Instances<K extends string, S> {
  /** The server of `kind`; the first call starts every kind at once. */
  get(kind: K): Promise<S>;
  /** Stops every server that started. */
  stopAll(): Promise<void>;
}

/** Starts `start(options)` for every entry of `kinds` together, the first time one is needed. */
export function lazyInstances<K extends string, O, S extends { stop(): Promise<void> }>(
  kinds: Readonly<Record<K, O>>,
  start: (options: O) => Promise<S>,
): Instances<K, S> {
  const started: S[] = [];
  let all: Record<K, Promise<S>> | undefined;
  return {
    get(kind) {
      all ??= (() => {
        const promises = {} as Record<K, Promise<S>>;
        for (const name of Object.keys(kinds) as K[]) {
          promises[name] = start(kinds[name]).then((server) => {
            started.push(server);
            return server;
          });
          promises[name].catch(() => undefined); // reported by the test that awaits it
        }
        return promises;
      })();
      return all[kind];
    },
    async stopAll() {
      await Promise.all(started.map((server) => server.stop()));
    },
  };
}
