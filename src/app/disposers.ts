/**
 * A stack of stops. Whatever a process starts registers how to stop it, right after starting it;
 * stopping runs those in reverse, so everything stops before what it uses (the lanes before the
 * database, the API before the inbox hub it feeds). A start that fails half-way disposes what it
 * had started, with the same stack.
 */
export type Stop = () => unknown;

export interface Disposers {
  /** Registers `stop`, to run before everything registered earlier. */
  defer(stop: Stop): void;
  /** True from the moment `dispose` is first called: long jobs check it to hand their work back. */
  readonly disposing: boolean;
  /**
   * Runs every stop, last registered first, one at a time, once. A stop that fails does not keep the
   * others from running; the first failure is thrown once all have run.
   */
  dispose(): Promise<void>;
}

export function createDisposers(): Disposers {
  const stops: Stop[] = [];
  let disposing: Promise<void> | undefined;
  let started = false;
  return {
    defer(stop) {
      stops.push(stop);
    },
    get disposing() {
      return started;
    },
    dispose() {
      started = true;
      disposing ??= (async () => {
        const failures: unknown[] = [];
        for (let stop = stops.pop(); stop; stop = stops.pop()) {
          try {
            await stop();
          } catch (err) {
            failures.push(err);
          }
        }
        if (failures.length > 0) throw failures[0];
      })();
      return disposing;
    },
  };
}
