/**
 * What a provider is, in one module: its `type`, the channel it delivers on, the schema of its config
 * entry, the fields of that entry that are URLs, how to build its sender from an entry, and, when it
 * posts delivery receipts, how to verify and read them. Each provider's folder has a `provider.ts`
 * exporting one of these; providers.ts lists them all, and config, senders, services' own
 * credentials and receipt endpoints are derived from that list (see docs/providers.md).
 */
import { Type, type Static, type TObject } from 'typebox';
import type { Channel } from '../../domain/channels.ts';
import type { ReceiptEndpoint } from '../../ports/receipt-endpoint.ts';
import type { Sender } from '../../ports/sender.ts';

/** The parts of an entry's schema every provider type shares. */
export const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_-]+$' });
export const BaseUrl = Type.Optional(Type.String({ pattern: '^https?://' }));
export const Timeout = Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 }));
export const strict = { additionalProperties: false } as const;

/** Which of a type's URL fields services may set in their own credentials; none when absent. */
export const ServiceUrls = (fields: readonly [string, ...string[]]) =>
  Type.Optional(
    Type.Array(Type.Union(fields.map((f) => Type.Literal(f))), {
      maxItems: fields.length,
      uniqueItems: true,
    }),
  );

/** What building a sender may need beyond the entry itself. */
export interface SenderContext {
  /**
   * The entry came from a service's own credentials, not the operator's file: URLs in it may not
   * reach private addresses (net/ssrf-guard.ts) unless the operator allowed private URLs.
   */
  refusePrivate: boolean;
  /** `allowPrivateWebhookUrls`: URLs given per message (webhooks, Slack) may reach private addresses. */
  allowPrivateUrls: boolean;
  /** Where a provider posts receipts for provider `name`: `<publicUrl>/v1/receipts/<name>`, if set. */
  receiptUrl: (name: string) => string | undefined;
}

/** What checking an entry against the rest of the configuration may need. */
export interface CheckContext {
  publicUrl: string | undefined;
}

/** A service's own credentials for a provider, stored with `PUT /v1/providers/{name}/credentials`. */
export interface OwnCredentials {
  serviceId: string;
  type: string;
  credentials: Record<string, unknown>;
}

/** What building an entry's receipt endpoint may need beyond the entry itself. */
export interface ReceiptContext {
  /** `receipts.snsCertUrlPattern`: where SNS signing certificates may be fetched from. */
  snsCertUrlPattern: string;
  /**
   * The services holding a delivery that provider `name` sent under `messageId` (normally one), with
   * their own credentials for `name`: a provider signs a receipt with the account that sent the
   * message, which may be a service's. Absent when services cannot store credentials.
   */
  ownCredentials?: ((name: string, messageId: string) => Promise<OwnCredentials[]>) | undefined;
  now: () => number;
}

/** A provider that posts delivery receipts to `POST /v1/receipts/{name}`. */
export interface ReceiptRules<E> {
  /** The entry's endpoint; `undefined` when this entry takes none (SendGrid without its key). */
  endpoint(entry: E, context: ReceiptContext): ReceiptEndpoint | undefined;
}

/** A field of an entry, or a path into an object field (`serviceAccount/token_uri`). */
type FieldPath<E> = Extract<keyof E, string> | `${Extract<keyof E, string>}/${string}`;

/** Whether and how services may bring their own credentials for this provider. */
export interface ServiceCredentialRules<E> {
  /** Secrets the operator may read from a file but a service must give inline. */
  requiredSecrets?: readonly Extract<keyof E, string>[];
  /** Values a closed URL field may still hold: the provider's own public endpoint. */
  publicUrls?: Partial<Record<FieldPath<E>, readonly string[]>>;
}

export interface Provider<T extends string = string, S extends TObject = TObject> {
  /** The `type` of its config entries; unique across providers. */
  readonly type: T;
  readonly channel: Channel;
  /** The entry's schema (without the engine settings every provider takes: rateLimit, breaker). */
  readonly configSchema: S;
  /**
   * Where Herald, or the provider on Herald's behalf, sends: the fields a service may set only when
   * the operator opened them with `serviceUrls` (config-service-credentials.ts).
   */
  readonly urlFields: readonly FieldPath<Static<S>>[];
  /** Services may store their own credentials for it (`false`: SMTP and webhooks, the operator's own). */
  readonly serviceCredentials: ServiceCredentialRules<Static<S>> | false;
  /** What the schema cannot say (one field or another, a setting that needs publicUrl); null if fine. */
  check?(entry: Static<S>, context: CheckContext): string | null;
  create(entry: Static<S>, context: SenderContext): Sender;
  /** How its delivery receipts are authenticated and read, when it posts any. */
  readonly receipts?: ReceiptRules<Static<S>>;
}

/** Declares a provider, checking its parts against its own schema. */
export const defineProvider = <const T extends string, S extends TObject>(
  p: Provider<T, S>,
): Provider<T, S> => p;

/** Declares a provider only the operator configures: services may not bring credentials for it. */
export const operatorOnly = <const T extends string, S extends TObject>(
  p: Omit<Provider<T, S>, 'serviceCredentials'>,
): Provider<T, S> & { readonly serviceCredentials: false } => ({ ...p, serviceCredentials: false });
