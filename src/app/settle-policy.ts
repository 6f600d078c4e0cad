/**
 * What the worker does after each delivery attempt is recorded: one log line with the ids that find
 * it again (failures louder than successes), the attempt's metrics, and a device the provider says is
 * gone deactivated so no later notification tries it.
 */
import type { AttemptRecord, ClaimedDelivery } from '../domain/types.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { DeviceStore } from '../ports/preferences-store.ts';
import type { Settlement } from '../ports/store.ts';
import { deactivateGoneAddress } from './dead-addresses.ts';
import type { LogIds } from './work-loop.ts';

type LogFn = (fields: object, message: string) => void;
export interface WorkerLog {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export function settlePolicy(o: {
  log: WorkerLog;
  metrics: Pick<Metrics, 'deliverySettled'>;
  devices: Pick<DeviceStore, 'deactivate'>;
  onError(err: unknown, where: string, ids?: LogIds): void;
  now?: () => number;
}): (d: ClaimedDelivery, settlement: Settlement, attempt: AttemptRecord) => void {
  const now = o.now ?? Date.now;
  return (d, settlement, attempt) => {
    const level = settlement.status === 'sent' ? 'debug' : settlement.status === 'queued' ? 'info' : 'warn';
    o.log[level](
      {
        notificationId: d.notificationId,
        deliveryId: d.id,
        channel: d.channel,
        provider: attempt.provider,
        attempt: attempt.attempt,
        outcome: attempt.outcome,
        status: settlement.status,
        errorCode: attempt.errorCode,
      },
      'delivery attempt settled',
    );
    o.metrics.deliverySettled({
      channel: d.channel,
      provider: attempt.provider,
      status: settlement.status,
      outcome: attempt.outcome,
      attemptMs: attempt.durationMs,
      ...(settlement.status === 'sent' ? { queuedToSentMs: now() - d.createdAt.getTime() } : {}),
    });
    deactivateGoneAddress(o.devices, d, settlement).then(
      (done) => done && o.log.info({ deliveryId: d.id, device: d.target }, 'device deactivated'),
      (err: unknown) => o.onError(err, 'device deactivation'),
    );
  };
}
