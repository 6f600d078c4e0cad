/**
 * The worker's LISTEN router: each wake topic (ports/wake.ts) to the one loop it wakes. Payloads it
 * does not know (another process's topic, a newer version's) wake nothing: the loops poll anyway.
 */
import type { Channel } from '../domain/channels.ts';
import { laneTopic, type WakeTopic } from '../ports/wake.ts';

export interface Wakeable {
  wake(): void;
}

export interface WakeTargets {
  planner: Wakeable;
  events: Wakeable;
  statusWebhooks: Wakeable;
  lanes: ReadonlyMap<Channel, Wakeable>;
}

export function createWakeRouter(t: WakeTargets): (payload: string) => void {
  const routes = new Map<WakeTopic, Wakeable>([
    ['plan', t.planner],
    ['events', t.events],
    ['status-webhooks', t.statusWebhooks],
  ]);
  for (const [channel, lane] of t.lanes) routes.set(laneTopic(channel), lane);
  return (payload) => routes.get(payload as WakeTopic)?.wake();
}
