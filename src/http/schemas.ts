/** Request and response schemas. They validate input, type the handlers, and generate /docs. */
import { Type } from 'typebox';
import { CHANNELS } from '../domain/channels.ts';
import { DELIVERY_STATES } from '../domain/delivery-states.ts';
import { NOTIFICATION_OUTCOMES } from '../domain/notification-outcome.ts';
import { PRIORITIES } from '../domain/types.ts';
import { MAX_INLINE_RECIPIENTS } from '../domain/audience.ts';
import { StepOverridesSchema } from './workflow-step-fields.ts';

/** Dates leave handlers as `Date` and are serialised as ISO 8601 strings. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const NullableDateTime = Type.Unsafe<Date | string | null>({
  type: ['string', 'null'],
  format: 'date-time',
});

/** A string that may also be null, as one JSON Schema (`type: [string, null]`) so errors stay readable. */
const NullableString = (options: Record<string, unknown>) =>
  Type.Unsafe<string | null>({ ...options, type: ['string', 'null'] });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Unknown({
        description:
          'Always present: null, or what a client can act on (for `validation_failed`, a list of `{ in, path, message }`).',
      }),
    }),
  },
  { $id: 'Error', description: 'Every error answer has this shape; `code` is stable.' },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('Error')]));

export const TypeKey = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' });
export const NotificationTypeSchema = Type.Object(
  { key: TypeKey, description: Type.String({ maxLength: 256, default: '' }) },
  { additionalProperties: false },
);

export const RecipientId = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: '^[^\\s\\u0000-\\u001f/]+$',
});
export const Uuid = Type.String({ format: 'uuid' });
export const TopicKey = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
});

const Attributes = Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 200 });

export const RecipientFieldsSchema = Type.Object(
  {
    email: Type.Optional(NullableString({ format: 'email', maxLength: 320 })),
    phone: Type.Optional(NullableString({ format: 'e164', maxLength: 16 })),
    locale: Type.Optional(NullableString({ format: 'bcp47', maxLength: 35 })),
    timezone: Type.Optional(NullableString({ format: 'iana-timezone', maxLength: 64 })),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false },
);

export const RecipientSchema = Type.Object({
  id: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  timezone: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const Tpl = (max = 100_000) => Type.String({ maxLength: max });
export const ContentSchema = Type.Object(
  {
    email: Type.Optional(
      Type.Object(
        { subject: Tpl(1000), text: Type.Optional(Tpl()), html: Type.Optional(Tpl()) },
        { additionalProperties: false },
      ),
    ),
    sms: Type.Optional(Type.Object({ text: Tpl(1600) }, { additionalProperties: false })),
    push: Type.Optional(
      Type.Object(
        { title: Tpl(1000), body: Tpl(4000), data: Type.Optional(Type.Record(Type.String(), Tpl(4000))) },
        { additionalProperties: false },
      ),
    ),
    web_push: Type.Optional(
      Type.Object(
        { title: Tpl(1000), body: Tpl(4000), url: Type.Optional(Tpl(2000)), icon: Type.Optional(Tpl(2000)) },
        { additionalProperties: false },
      ),
    ),
    in_app: Type.Optional(
      Type.Object(
        {
          title: Tpl(1000),
          body: Tpl(10_000),
          actionUrl: Type.Optional(Tpl(2000)),
          // Inbox item settings, here until notification types carry them (then they become overrides).
          collapseKey: Type.Optional(Tpl(256)),
          ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 * 24 * 3600 })),
          data: Type.Optional(
            Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 100 }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    webhook: Type.Optional(
      Type.Object(
        {
          payload: Type.Record(Type.String(), Type.Unknown()),
          /** Where to POST it; else the recipient's `webhookUrl` attribute. */
          url: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const NotificationRequestSchema = Type.Object(
  {
    type: TypeKey,
    // Exactly one of recipient, recipients, topic and audience (checked at accept, 422 otherwise).
    recipient: Type.Optional(
      Type.Union([
        RecipientId,
        Type.Object(
          { id: RecipientId, ...RecipientFieldsSchema.properties },
          { additionalProperties: false },
        ),
      ]),
    ),
    recipients: Type.Optional(
      Type.Array(RecipientId, {
        minItems: 1,
        maxItems: MAX_INLINE_RECIPIENTS,
        description: 'A broadcast to these recipients; for more, upload an audience.',
      }),
    ),
    topic: Type.Optional(TopicKey),
    audience: Type.Optional(
      Type.Union([
        Type.Literal('all', { description: "Every one of the service's recipients." }),
        Type.Object({ id: Uuid }, { additionalProperties: false, description: 'An uploaded audience.' }),
      ]),
    ),
    channels: Type.Optional(Type.Array(Type.Enum(CHANNELS), { minItems: 1, maxItems: 6, uniqueItems: true })),
    data: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 500 })),
    content: Type.Optional(ContentSchema),
    priority: Type.Optional(Type.Enum(PRIORITIES)),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    stepOverrides: Type.Optional(StepOverridesSchema),
  },
  { additionalProperties: false },
);

const Attempt = Type.Object({
  attempt: Type.Integer(),
  provider: Type.Union([Type.String(), Type.Null()]),
  startedAt: DateTime,
  durationMs: Type.Integer(),
  outcome: Type.String(),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  errorMessage: Type.Union([Type.String(), Type.Null()]),
  providerMessageId: Type.Union([Type.String(), Type.Null()]),
});

export const DeliverySchema = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  recipient: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(DELIVERY_STATES),
  reason: Type.Union([Type.String(), Type.Null()]),
  provider: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Array(Attempt),
  nextAttemptAt: NullableDateTime,
  createdAt: DateTime,
  updatedAt: DateTime,
  sentAt: NullableDateTime,
  template: Type.Optional(
    Type.Union([Type.Object({ locale: Type.String(), version: Type.Integer() }), Type.Null()]),
  ),
});

export const StepDecisionOut = Type.Object({
  step: Type.Integer({ description: 'Index of the step in the type’s `steps`.' }),
  type: Type.String(),
  decision: Type.String(),
  at: DateTime,
  detail: Type.Record(Type.String(), Type.Unknown()),
});

export const NotificationSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  status: Type.Enum(['accepted', 'waiting', 'processing', 'completed', 'failed', 'cancelled'], {
    description:
      'accepted (not yet planned), waiting (a workflow delay holds it, or an escalation waits to check whether its last stage was seen; `steps` says until when), processing, completed, failed or cancelled.',
  }),
  outcome: Type.Union([Type.Enum(NOTIFICATION_OUTCOMES), Type.Null()], {
    description:
      'Once completed: delivered, partly_delivered (some failed or died), undelivered (none got through) or suppressed. Null before.',
  }),
  priority: Type.String(),
  recipient: Type.Union([Type.String(), Type.Null()]),
  channels: Type.Array(Type.String()),
  idempotencyKey: Type.Union([Type.String(), Type.Null()]),
  planError: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  plannedAt: NullableDateTime,
  /** Every delivery for one recipient; empty for a broadcast, whose `progress` counts them instead. */
  deliveries: Type.Array(DeliverySchema),
  audience: Type.Optional(Type.Unknown({ description: "A broadcast's audience, as accepted." })),
  cancelledAt: Type.Optional(NullableDateTime),
  steps: Type.Optional(
    Type.Array(StepDecisionOut, {
      description:
        "The type's workflow steps' decisions in order: skipped, waiting (until), resumed, passed or throttled (place, limit, window), digested (digestId), digest_sent.",
    }),
  ),
  progress: Type.Optional(
    Type.Object({
      planned: Type.Integer({ description: 'Recipients planned so far.' }),
      total: Type.Union([Type.Integer(), Type.Null()], {
        description: 'Recipients in the audience when planning began.',
      }),
      deliveries: Type.Record(Type.String(), Type.Integer(), { description: 'Deliveries by status.' }),
    }),
  ),
});
