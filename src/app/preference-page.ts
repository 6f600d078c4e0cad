/**
 * The hosted preference page and one-click unsubscribe, as use cases: what the page shows for the
 * recipient a token names, and how a submitted form or an RFC 8058 POST changes their preferences.
 * The form only records what the recipient changed, so untouched rows keep following the service's
 * defaults instead of being frozen at today's values.
 */
import { CHANNELS, type Channel } from '../domain/channels.ts';
import type { LinkScope } from '../domain/link-tokens.ts';
import { channelOn, typeSwitch, type RecipientPreferences } from '../domain/preferences.ts';
import type { NotificationTypeStore, PreferenceStore } from '../ports/preferences-store.ts';
import type { ServiceStore } from '../ports/store.ts';

export interface PreferencePageDeps {
  services: ServiceStore;
  types: NotificationTypeStore;
  preferences: PreferenceStore;
}

/** Channels a person can switch; webhooks go to the service's systems, not to a person. */
export const PERSONAL_CHANNELS: readonly Channel[] = CHANNELS.filter((c) => c !== 'webhook');

export interface PageModel {
  serviceName: string;
  channels: { channel: Channel; on: boolean }[];
  types: {
    key: string;
    description: string;
    commercial: boolean;
    channels: { channel: Channel; on: boolean }[];
  }[];
  hasCommercial: boolean;
  subscribed: boolean;
}

export type PageForm = Record<string, string | string[] | undefined>;

export const channelField = (c: Channel) => `channel|${c}`;
export const typeField = (key: string, c: Channel) => `type|${key}|${c}`;

async function load(deps: PreferencePageDeps, scope: LinkScope) {
  const [service, prefs, defaults, types] = await Promise.all([
    deps.services.get(scope.serviceId),
    deps.preferences.get(scope.serviceId, scope.recipientId),
    deps.preferences.serviceDefaults(scope.serviceId),
    deps.types.list(scope.serviceId),
  ]);
  if (!service || !prefs) return null;
  return { service, prefs, defaults, types };
}

/** null when the recipient no longer exists (erased) or the service is gone. */
export async function pageModel(deps: PreferencePageDeps, scope: LinkScope): Promise<PageModel | null> {
  const loaded = await load(deps, scope);
  if (!loaded) return null;
  const { service, prefs, defaults, types } = loaded;
  return {
    serviceName: service.name,
    channels: PERSONAL_CHANNELS.map((channel) => ({ channel, on: channelOn(defaults, prefs, channel) })),
    types: types.map((t) => {
      const shown = t.defaultChannels.filter((c) => c !== 'webhook');
      return {
        key: t.key,
        description: t.description,
        commercial: t.kind === 'commercial',
        channels: (shown.length ? shown : PERSONAL_CHANNELS).map((channel) => ({
          channel,
          on: typeSwitch(defaults, prefs, t, channel)?.allowed ?? true,
        })),
      };
    }),
    hasCommercial: types.some((t) => t.kind === 'commercial'),
    subscribed: !prefs.unsubscribed,
  };
}

const checked = (form: PageForm, name: string) => {
  const v = form[name];
  return v !== undefined && v !== '';
};

/** Applies a submitted page: every box shown is read, and only changed ones are written. */
export async function savePageForm(
  deps: PreferencePageDeps,
  scope: LinkScope,
  form: PageForm,
): Promise<boolean> {
  const before = await pageModel(deps, scope);
  if (!before) return false;
  const saved = await deps.preferences.update(scope.serviceId, scope.recipientId, (current) => {
    const next: RecipientPreferences = structuredClone(current);
    for (const { channel, on } of before.channels) {
      const want = checked(form, channelField(channel));
      if (want !== on) next.channels = { ...next.channels, [channel]: want };
    }
    for (const t of before.types) {
      for (const { channel, on } of t.channels) {
        const want = checked(form, typeField(t.key, channel));
        if (want !== on) next.types = { ...next.types, [t.key]: { ...next.types?.[t.key], [channel]: want } };
      }
    }
    if (before.hasCommercial) next.unsubscribed = !checked(form, 'subscribed');
    return next;
  });
  return saved !== null;
}

/** RFC 8058: one POST, no login, no confirmation step; the recipient stops getting commercial messages. */
export async function unsubscribeOneClick(deps: PreferencePageDeps, scope: LinkScope): Promise<boolean> {
  const saved = await deps.preferences.update(scope.serviceId, scope.recipientId, (current) => ({
    ...current,
    unsubscribed: true,
  }));
  return saved !== null;
}
