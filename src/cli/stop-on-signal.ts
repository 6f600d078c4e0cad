/**
 * How a process stops: the first SIGTERM or SIGINT starts a graceful stop (drain, then close). The
 * stop is bounded: if it has not finished `limitMs` after the signal, or a second signal comes, the
 * process exits with code 1 at once, as a supervisor's SIGKILL would. What was in flight then is
 * what a crash leaves: leased deliveries go back when their lease expires or their owner is seen dead,
 * and a request that got no answer is retried by its client with the same idempotency key.
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
      const timer = setTimeout(
        () => giveUp(`still stopping ${options.limitMs} ms after ${signal}`),
        options.limitMs,
      );
      // Only a stop that still has work holding the process open can outlive its limit.
      timer.unref();
      options.stop().then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err: unknown) => {
          clearTimeout(timer);
          write(`Error while stopping after ${signal}: ${String(err)}\n`);
          resolve();
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
