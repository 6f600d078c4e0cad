/**
 * How a process stops: the first SIGTERM or SIGINT starts a graceful stop (drain, then close). The
 * stop is bounded: if it has not finished `limitMs` after the signal, or a second signal comes, the
 * process exits with code 1 at once, as a supervisor's SIGKILL would. What was in flight then is
 * what a crash leaves: leased deliveries go back when their lease expires or their owner is seen dead,
 * and a request that got no answer is retried by its client with the same idempotency key.
 * The limit also holds after a stop that finished: something it left open (a connection nobody
 * closes) would keep the process running for ever, so at the limit it exits 1, naming what is open.
 */
export interface StopOnSignalOptions {
  /** The graceful stop. */
  stop: () => Promise<void>;
  /** How long the graceful stop may take after the first signal. */
  limitMs: number;
  write?: (line: string) => void;
  exit?: (code: number) => void;
}

/** Resolves once the graceful stop has finished (or failed, which it reports). */
export function stopOnSignal(options: StopOnSignalOptions): Promise<void> {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  return new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      const giveUp = (why: string) => {
        write(`herald: ${why}; exiting without finishing the stop\n`);
        exit(1);
      };
      const again = (second: NodeJS.Signals) => giveUp(`${second} while stopping after ${signal}`);
      process.once('SIGTERM', again);
      process.once('SIGINT', again);
      let finished = false;
      const timer = setTimeout(
        () =>
          giveUp(
            finished
              ? `stopped, but still running ${options.limitMs} ms after ${signal}, held open by ` +
                  process.getActiveResourcesInfo().join(', ')
              : `still stopping ${options.limitMs} ms after ${signal}`,
          ),
        options.limitMs,
      );
      // Never kept: a process that has nothing else open exits at once, stopped or not.
      timer.unref();
      options.stop().then(
        () => {
          finished = true;
          resolve();
        },
        (err: unknown) => {
          finished = true;
          write(`Error while stopping after ${signal}: ${String(err)}\n`);
          resolve();
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
