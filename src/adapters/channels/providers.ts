/**
 * Every provider Herald has, in one list. The config schema (config.ts), the senders, the rules for
 * services' own credentials (config-service-credentials.ts) and the receipt endpoints are derived
 * from it, so a provider is its folder's `provider.ts` plus one line here.
 */
import type { Static } from 'typebox';
import type { Channel } from '../../domain/channels.ts';
import type { ReceiptEndpoint } from '../../ports/receipt-endpoint.ts';
import type { Sender } from '../../ports/sender.ts';
import { apns } from './apns/provider.ts';
import { fcm } from './fcm/provider.ts';
import { plivo } from './plivo/provider.ts';
import type { Provider, ReceiptContext, SenderContext } from './provider.ts';
import { sendgrid } from './sendgrid/provider.ts';
import { ses } from './ses/provider.ts';
import { slack } from './slack/provider.ts';
import { smtp } from './smtp/provider.ts';
import { twilio } from './twilio/provider.ts';
import { vonage } from './vonage/provider.ts';
import { webhook } from './webhook/provider.ts';
import { webpush } from './webpush/provider.ts';

/** Providers by the key of `providers` their entries go under in the configuration. */
export const PROVIDERS = {
  email: [smtp, sendgrid, ses],
  sms: [twilio, vonage, plivo],
  push: [fcm, apns],
  web_push: [webpush],
  webhook: [webhook],
  // Slack incoming webhooks deliver on the webhook channel; kept under their own key.
  slack: [slack],
} as const;

export type ProviderKey = keyof typeof PROVIDERS;
export type AnyProvider = (typeof PROVIDERS)[ProviderKey][number];
export type ProviderType = AnyProvider['type'];
/** One provider entry of the configuration (without the engine settings). */
export type ProviderEntry = Static<AnyProvider['configSchema']>;

const ALL: readonly Provider[] = Object.values(PROVIDERS).flat();
const BY_TYPE: ReadonlyMap<string, Provider> = new Map(ALL.map((p) => [p.type, p]));
if (BY_TYPE.size !== ALL.length) throw new Error('Two providers share a type.');

/** The provider of an entry's `type`. */
export function providerOf(type: string): Provider | undefined {
  return BY_TYPE.get(type);
}

export const providerTypes = (): string[] => [...BY_TYPE.keys()];

/** What the configuration's `providers` holds, as far as the list reads it. */
export type ConfiguredProviders = {
  readonly [K in ProviderKey]?: readonly { name: string; type: string }[] | undefined;
};

/** Every configured entry with its provider and channel, in the configuration's (failover) order. */
export function configuredEntries<P extends ConfiguredProviders>(
  providers: P,
): { entry: NonNullable<P[ProviderKey]>[number]; provider: Provider; channel: Channel }[] {
  return (Object.keys(PROVIDERS) as ProviderKey[]).flatMap((key) =>
    (providers[key] ?? []).flatMap((entry: NonNullable<P[ProviderKey]>[number]) => {
      const provider = BY_TYPE.get(entry.type);
      return provider ? [{ entry, provider, channel: provider.channel }] : [];
    }),
  );
}

/** Builds the sender of one entry (from the config file, or from a service's own credentials). */
export function createSender(entry: { name: string; type: string }, context: SenderContext): Sender {
  const provider = BY_TYPE.get(entry.type);
  if (!provider) throw new Error(`No provider has type '${entry.type}'.`);
  return provider.create(entry, context);
}

/** The receipt endpoint of every configured entry whose provider posts receipts, by entry name. */
export function receiptEndpoints(
  providers: ConfiguredProviders,
  context: ReceiptContext,
): Map<string, ReceiptEndpoint> {
  const endpoints = new Map<string, ReceiptEndpoint>();
  for (const { entry, provider } of configuredEntries(providers)) {
    const endpoint = provider.receipts?.endpoint(entry, context);
    if (endpoint) endpoints.set(entry.name, endpoint);
  }
  return endpoints;
}
