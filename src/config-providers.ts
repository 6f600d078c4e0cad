/**
 * Provider entries of the configuration, one schema per provider type. Each channel takes a list, in
 * failover order; `type` says which provider an entry is. Kept apart from config.ts so the schemas of
 * every provider sit together and the main config stays short.
 */
import { Type, type Static } from 'typebox';

const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_-]+$' });
const BaseUrl = Type.Optional(Type.String({ pattern: '^https?://' }));
const Timeout = Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 }));
const strict = { additionalProperties: false } as const;

/**
 * The URL fields of each provider type: where Herald, or the provider on Herald's behalf, sends. A
 * service's own credentials may set only those its operator opened with `serviceUrls` (see
 * config-service-credentials.ts); the operator's own entry may set any of them.
 */
export const URL_FIELDS = {
  sendgrid: ['baseUrl'],
  ses: ['baseUrl'],
  twilio: ['baseUrl'],
  vonage: ['baseUrl', 'callbackUrl'],
  fcm: ['baseUrl', 'tokenUrl', 'serviceAccount/token_uri'],
  apns: ['baseUrl'],
  webpush: [],
  slack: ['baseUrl'],
} as const satisfies Record<string, readonly string[]>;

/** Which of a type's URL fields services may set in their own credentials; none when absent. */
const ServiceUrls = (fields: readonly [string, ...string[]]) =>
  Type.Optional(
    Type.Array(Type.Union(fields.map((f) => Type.Literal(f))), {
      maxItems: fields.length,
      uniqueItems: true,
    }),
  );

export const SendGridConfig = Type.Object(
  {
    name: Name,
    type: Type.Literal('sendgrid'),
    apiKey: Type.String({ minLength: 1 }),
    from: Type.String({ minLength: 3 }),
    /** The Event Webhook's verification key (base64 DER, from SendGrid's Mail Settings). */
    webhookPublicKey: Type.Optional(Type.String({ minLength: 16 })),
    baseUrl: BaseUrl,
    serviceUrls: ServiceUrls(URL_FIELDS.sendgrid),
    timeoutMs: Timeout,
  },
  strict,
);

export const SesConfig = Type.Object(
  {
    name: Name,
    type: Type.Literal('ses'),
    region: Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' }),
    accessKeyId: Type.String({ minLength: 1 }),
    secretAccessKey: Type.String({ minLength: 1 }),
    sessionToken: Type.Optional(Type.String()),
    from: Type.String({ minLength: 3 }),
    configurationSet: Type.Optional(Type.String()),
    /** SNS topics allowed to post events for this provider; none when absent (any AWS account can sign SNS). */
    snsTopicArns: Type.Optional(Type.Array(Type.String({ pattern: '^arn:' }))),
    baseUrl: BaseUrl,
    serviceUrls: ServiceUrls(URL_FIELDS.ses),
    timeoutMs: Timeout,
  },
  strict,
);

export const TwilioConfig = Type.Object(
  {
    name: Name,
    type: Type.Literal('twilio'),
    accountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }),
    authToken: Type.String({ minLength: 1 }),
    from: Type.Optional(Type.String({ minLength: 1 })),
    messagingServiceSid: Type.Optional(Type.String({ pattern: '^MG[0-9a-fA-F]{32}$' })),
    /** Ask Twilio for status callbacks at `<publicUrl>/v1/receipts/<name>` (needs publicUrl). */
    statusCallbacks: Type.Optional(Type.Boolean()),
    baseUrl: BaseUrl,
    serviceUrls: ServiceUrls(URL_FIELDS.twilio),
    timeoutMs: Timeout,
  },
  strict,
);

export const VonageConfig = Type.Object(
  {
    name: Name,
    type: Type.Literal('vonage'),
    apiKey: Type.String({ minLength: 1 }),
    apiSecret: Type.String({ minLength: 1 }),
    from: Type.String({ minLength: 1 }),
    callbackUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    baseUrl: BaseUrl,
    serviceUrls: ServiceUrls(URL_FIELDS.vonage),
    timeoutMs: Timeout,
  },
  strict,
);

export const FcmConfig = Type.Object(
  {
    name: Name,
    type: Type.Literal('fcm'),
    /** The service account JSON key as Google issues it (or its path in `serviceAccountFile`). */
    serviceAccount: Type.Optional(
      Type.Object({
        project_id: Type.String({ minLength: 1 }),
        client_email: Type.String({ minLength: 3 }),
        private_key: Type.String({ minLength: 32 }),
        private_key_id: Type.Optional(Type.String()),
        token_uri: Type.Optional(Type.String({ pattern: '^https?://' })),
      }),
    ),
    serviceAccountFile: Type.Optional(Type.String({ minLength: 1 })),
    tokenUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    baseUrl: BaseUrl,
    serviceUrls: ServiceUrls(URL_FIELDS.fcm),
    timeoutMs: Timeout,
  },
  strict,
);

export const ApnsConfig = Type.Object(
  {
    name: Name,
    type: Type.Literal('apns'),
    teamId: Type.String({ pattern: '^[A-Z0-9]{10}$' }),
    keyId: Type.String({ pattern: '^[A-Z0-9]{10}$' }),
    /** The .p8 key's PEM text (or its path in `privateKeyFile`). */
    privateKey: Type.Optional(Type.String({ minLength: 32 })),
    privateKeyFile: Type.Optional(Type.String({ minLength: 1 })),
    topic: Type.String({ minLength: 1 }),
    /** Use the sandbox endpoint (development builds). */
    sandbox: Type.Optional(Type.Boolean()),
    tokenTtlMs: Type.Optional(Type.Integer({ minimum: 20 * 60_000, maximum: 60 * 60_000 })),
    baseUrl: BaseUrl,
    serviceUrls: ServiceUrls(URL_FIELDS.apns),
    timeoutMs: Timeout,
  },
  strict,
);

export const WebPushConfig = Type.Object(
  {
    name: Name,
    type: Type.Literal('webpush'),
    subject: Type.String({ pattern: '^(mailto:|https://)' }),
    publicKey: Type.String({ minLength: 40 }),
    privateKey: Type.String({ minLength: 20 }),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 2419200 })),
    endpointPattern: Type.Optional(Type.String({ minLength: 1 })),
    timeoutMs: Timeout,
  },
  strict,
);

export const SlackConfig = Type.Object(
  {
    name: Name,
    type: Type.Literal('slack'),
    baseUrl: BaseUrl,
    serviceUrls: ServiceUrls(URL_FIELDS.slack),
    timeoutMs: Timeout,
  },
  strict,
);

export type SendGridProviderConfig = Static<typeof SendGridConfig>;
export type SesProviderConfig = Static<typeof SesConfig>;
export type TwilioProviderConfig = Static<typeof TwilioConfig>;
export type VonageProviderConfig = Static<typeof VonageConfig>;
export type FcmProviderConfig = Static<typeof FcmConfig>;
export type ApnsProviderConfig = Static<typeof ApnsConfig>;
export type WebPushProviderConfig = Static<typeof WebPushConfig>;
export type SlackProviderConfig = Static<typeof SlackConfig>;

/** Receipts: where SNS signing certificates may be fetched from (a URL pattern). */
export const SNS_CERT_URL_PATTERN = '^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/';
