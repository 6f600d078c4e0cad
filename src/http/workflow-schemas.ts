/** Schemas for workflow steps on a notification type, their timeline, and digests. */
import { Type } from 'typebox';
import { CHANNELS } from '../domain/channels.ts';
import { DateTime, NullableDateTime } from './schemas.ts';
import { Cron, Days, Duration, LocalTime, Template } from './workflow-step-fields.ts';

const If = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 512,
    description:
      'A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step.',
  }),
);

export const DelayStepSchema = Type.Object(
  {
    type: Type.Literal('delay'),
    duration: Type.Optional(Duration),
    until: Type.Optional({
      ...Template,
      description: 'A template rendering to an ISO 8601 time (`{{ remind_at }}`); else `duration` applies.',
    }),
    if: If,
  },
  { additionalProperties: false, description: 'Wait, then go on. Survives restarts; a cancel stops it.' },
);

export const ThrottleStepSchema = Type.Object(
  {
    type: Type.Literal('throttle'),
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    window: Duration,
    key: Type.Optional({ ...Template, description: 'Count per rendered key instead of per recipient.' }),
    if: If,
  },
  {
    additionalProperties: false,
    description:
      'At most `limit` per recipient (or key) per fixed window; the rest end suppressed, `throttled`.',
  },
);

export const DigestStepSchema = Type.Object(
  {
    type: Type.Literal('digest'),
    window: Type.Optional({
      ...Duration,
      description: 'Look-back: the first event opens it, it closes this long after.',
    }),
    at: Type.Optional(LocalTime),
    days: Type.Optional(Days),
    cron: Type.Optional(Cron),
    key: Type.Optional({ ...Template, description: 'Events with the same rendered key share a digest.' }),
    maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    if: If,
  },
  {
    additionalProperties: false,
    description:
      'Gather events into one message; templates see `digest.count`, `digest.items`, `digest.first`, `digest.last`. Critical notifications skip it.',
  },
);

export const EscalateStepSchema = Type.Object(
  {
    type: Type.Literal('escalate'),
    channels: Type.Array(Type.Enum(CHANNELS), { minItems: 2, maxItems: 6, uniqueItems: true }),
    after: Duration,
    if: If,
  },
  {
    additionalProperties: false,
    description:
      'Send on the first channel; if neither seen nor read (inbox, email open or click) `after` later, send on the next. The last step.',
  },
);

export const StepSchema = Type.Union([
  DelayStepSchema,
  ThrottleStepSchema,
  DigestStepSchema,
  EscalateStepSchema,
]);
export const StepsSchema = Type.Array(StepSchema, { maxItems: 10 });

export const DigestOut = Type.Object({
  id: Type.String(),
  recipient: Type.String(),
  type: Type.String(),
  key: Type.String(),
  status: Type.Enum(['open', 'closed']),
  count: Type.Integer(),
  maxItems: Type.Union([Type.Integer(), Type.Null()]),
  openedAt: DateTime,
  closeAt: DateTime,
  closedAt: NullableDateTime,
  messageId: Type.Union([Type.String(), Type.Null()]),
  items: Type.Array(
    Type.Object({
      notificationId: Type.String(),
      at: DateTime,
      data: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
});
