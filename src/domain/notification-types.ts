/**
 * What a service says about each kind of message it sends. `commercial` types (newsletters, offers)
 * obey one-click unsubscribe and carry List-Unsubscribe in email; `transactional` ones (receipts,
 * password resets) are what the recipient asked for and keep going after an unsubscribe.
 */
import type { Channel } from './channels.ts';
import type { TypeKind } from './preferences.ts';
import type { Step } from './workflow-steps.ts';

export interface NotificationTypeDef {
  key: string;
  description: string;
  category: string | null;
  kind: TypeKind;
  /** Used when a notification names no channels. */
  defaultChannels: Channel[];
  /** A message older than this is no longer worth sending (the in-app inbox drops it too). */
  ttlSeconds: number | null;
  /** A Liquid template over the data; notifications with the same rendered key replace each other in the inbox. */
  collapseKey: string | null;
  /** Open pixel and click redirects in HTML email; null or absent: on for commercial types, off for transactional. */
  tracking?: TrackingSetting | null;
  /** Workflow steps run for each recipient before the channels send (domain/workflow-steps.ts). */
  steps?: Step[] | null;
}

export interface TrackingSetting {
  opens: boolean;
  clicks: boolean;
}

/** Transactional mail (receipts, password resets) is not tracked unless the service asks for it. */
export function trackingFor(t: Pick<NotificationTypeDef, 'kind' | 'tracking'>): TrackingSetting {
  if (t.tracking) return t.tracking;
  const on = t.kind === 'commercial';
  return { opens: on, clicks: on };
}

export type NotificationTypeInput = Omit<NotificationTypeDef, 'key'>;

export const DEFAULT_TYPE: Omit<NotificationTypeDef, 'key'> = {
  description: '',
  category: null,
  kind: 'transactional',
  defaultChannels: [],
  ttlSeconds: null,
  collapseKey: null,
  tracking: null,
  steps: null,
};
