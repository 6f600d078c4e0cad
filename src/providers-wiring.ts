/**
 * Providers from configuration: the sender chain of each channel, the receipt routes, and the list of
 * configured providers with their channels (for breakers, rate limits and GET /v1/providers).
 */
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { CHANNELS, type Channel } from './domain/channels.ts';
import type { Sender } from './ports/sender.ts';
import type { Database } from './adapters/store/connect.ts';
import { kyselyOutbox } from './adapters/store/kysely-outbox.ts';
import {
  configuredEntries,
  createSender,
  receiptEndpoints,
  type ProviderEntry,
} from './adapters/channels/providers.ts';
import { createCaptureSender } from './adapters/channels/capture/capture-sender.ts';
import { createInAppSender } from './adapters/channels/in-app/in-app-sender.ts';
import { kyselyReceiptStore } from './adapters/store/kysely-receipts.ts';
import { captureMany, type CapturedMessage } from './adapters/store/kysely-capture-many.ts';
import { checkWebhookUrl } from './adapters/net/ssrf-guard.ts';
import { inboxDeliverer, type InboxDeps } from './app/inbox.ts';
import { withServiceCredentials } from './app/service-credentials.ts';
import { createBatcher } from './app/batcher.ts';
import { isCredentialType, serviceEntry, storedCredentialsProblem } from './config-service-credentials.ts';
import type { ProviderCredentialStore } from './ports/provider-credentials.ts';
import type { ReceiptRoutesDeps } from './http/routes/receipts.ts';
import type { RateLimitSetting } from './domain/rate-slices.ts';
import type { BreakerPolicy } from './domain/circuit-breaker.ts';
import { ownCredentials } from './app/receipt-accounts.ts';

/** One provider entry (from the config file, or built from a service's own credentials). */
export function senderFromConfig(config: Config, entry: ProviderEntry, fromService = false): Sender {
  // A service's own credentials may name URLs (a regional base URL, say): those may not reach the
  // operator's network. The operator's own configuration is trusted to point where it likes.
  return createSender(entry, {
    refusePrivate: fromService && !config.allowPrivateWebhookUrls,
    allowPrivateUrls: config.allowPrivateWebhookUrls,
    receiptUrl: (name) => receiptUrl(config, name),
  });
}

export function buildSenders(
  config: Config,
  db: Database,
  logger: Logger,
  inbox: InboxDeps,
  credentials?: ProviderCredentialStore,
): Map<Channel, Sender[]> {
  // Messages a lane captures at once (embedded mode, no provider) are written in one statement.
  const captures = createBatcher({
    run: (ms: readonly CapturedMessage[]) => captureMany(db.db, ms),
    concurrency: 1,
  });
  const outbox = {
    ...kyselyOutbox(db.db),
    capture: (serviceId: string, m: Omit<CapturedMessage, 'serviceId'>) =>
      captures.submit({ serviceId, ...m }),
  };
  const senders = new Map<Channel, Sender[]>();
  for (const channel of CHANNELS) senders.set(channel, []);
  // In-app needs no outside provider in either mode: Herald's own inbox is the destination.
  senders.get('in_app')?.push(createInAppSender(inboxDeliverer(inbox)));
  for (const { entry: p, channel } of configuredEntries(config.providers)) {
    {
      if (p.type === 'slack') warnIfRefused(config, p.name, p.baseUrl, logger);
      const configured = senderFromConfig(config, p);
      // Services may bring their own credentials for a configured provider (SMTP and webhook excepted);
      // a service's sender is built from them alone (config-service-credentials.ts).
      const sender =
        credentials && isCredentialType(p.type)
          ? withServiceCredentials({
              sender: configured,
              type: p.type,
              lookup: (serviceId, name) => credentials.get(serviceId, name),
              check: (own) => storedCredentialsProblem(p, own),
              build: (_type, _name, own) =>
                senderFromConfig(config, serviceEntry(p, own) as ProviderEntry, true),
            })
          : configured;
      senders.get(channel)?.push(sender);
    }
  }
  for (const channel of CHANNELS) {
    const chain = senders.get(channel) ?? [];
    if (chain.length === 0 && db.kind === 'pglite') chain.push(createCaptureSender(channel, outbox));
    logger.info(
      { channel, providers: chain.map((s) => s.name) },
      chain.length ? 'channel ready' : 'channel not configured',
    );
  }
  return senders;
}

/**
 * A Slack base URL in the config file that the SSRF guard will refuse: every send to it fails, so say
 * so at start. Only a warning — the guard itself acts at send time, where DNS may answer differently.
 */
function warnIfRefused(config: Config, provider: string, baseUrl: string | undefined, logger: Logger): void {
  if (!baseUrl || config.allowPrivateWebhookUrls) return;
  void checkWebhookUrl(baseUrl, false).then((problem) => {
    if (problem)
      logger.warn(
        { provider, host: URL.parse(baseUrl)?.host, problem },
        'Slack baseUrl fails the private-address check, so sends to it will be refused (allowPrivateWebhookUrls lifts this)',
      );
  });
}

/** Where a provider posts its delivery receipts (see http/routes/receipts.ts). */
function receiptUrl(config: Config, provider: string): string | undefined {
  return config.publicUrl ? `${config.publicUrl.replace(/\/$/, '')}/v1/receipts/${provider}` : undefined;
}

/** Providers that post receipts to Herald, by name, with what authenticates them. */
export function receiptRoutes(
  config: Config,
  db: Database,
  credentials?: ProviderCredentialStore,
): ReceiptRoutesDeps | undefined {
  const receipts = kyselyReceiptStore(db.db);
  const endpoints = receiptEndpoints(config.providers, {
    snsCertUrlPattern: config.receipts.snsCertUrlPattern,
    ownCredentials: credentials ? ownCredentials(receipts, credentials) : undefined,
    now: Date.now,
  });
  if (endpoints.size === 0) return undefined;
  return { receipts, endpoints, publicUrl: config.publicUrl };
}

export interface ProviderEngineSettings {
  name: string;
  channel: Channel;
  rateLimit?: RateLimitSetting | undefined;
  breaker?: Partial<BreakerPolicy> | undefined;
}

/** Every configured provider with its channel, for breakers, rate limits and GET /v1/providers. */
export function configuredProviders(config: Config): ProviderEngineSettings[] {
  return configuredEntries(config.providers).map(({ entry, channel }) => ({ ...entry, channel }));
}
