/**
 * Publishes this worker's circuit-breaker snapshot for GET /v1/providers: at once on every breaker
 * change, and every `everyMs` so readers can tell a live worker from a gone one. Stopping takes this
 * worker's rows with it.
 */
import type { ProviderStatusStore } from '../ports/provider-status.ts';
import type { ProviderHealth } from './provider-health.ts';
import type { WorkerLog } from './settle-policy.ts';

export function startProviderStatusPublisher(o: {
  owner: string;
  store: Pick<ProviderStatusStore, 'publish' | 'forget'>;
  health: Pick<ProviderHealth, 'snapshot' | 'onChange'>;
  log: Pick<WorkerLog, 'info'>;
  onError(err: unknown, where: string): void;
  everyMs?: number;
}): { stop(): Promise<void> } {
  const publish = () =>
    o.store.publish(o.owner, o.health.snapshot()).catch((err: unknown) => o.onError(err, 'provider status'));
  o.health.onChange(({ provider, scope, state }) => {
    o.log.info(
      { provider, serviceId: scope?.serviceId, host: scope?.host, state },
      'circuit breaker changed',
    );
    void publish();
  });
  const timer = setInterval(() => void publish(), o.everyMs ?? 2000);
  void publish();
  return {
    async stop() {
      clearInterval(timer);
      await o.store.forget(o.owner).catch(() => undefined);
    },
  };
}
