/**
 * undici, loaded the first time something is sent. It is over a hundred modules (about 30 MB of an
 * idle process), and a fresh embedded Herald with no webhook or HTTP provider configured never
 * sends anything through it.
 */
import type * as UndiciModule from 'undici';
import type { Agent } from 'undici';

type Undici = typeof UndiciModule;

let loading: Promise<Undici> | undefined;

export const undici = (): Promise<Undici> => (loading ??= import('undici'));

/** A keep-alive pool made on first use; `close` closes it only if it was made. */
export function lazyAgent(options: () => Agent.Options): {
  get(): Promise<Agent>;
  close(): Promise<void>;
} {
  let agent: Promise<Agent> | undefined;
  return {
    get: () => (agent ??= undici().then((u) => new u.Agent(options()))),
    async close() {
      if (agent) await (await agent).close();
    },
  };
}
