/** Schemas for notification types, templates, devices and preferences. */
import { Type, type Static } from 'typebox';
import { CHANNELS } from '../domain/channels.ts';
import { DateTime } from './schemas.ts';
import { StepsSchema } from './workflow-schemas.ts';

const ChannelEnum = Type.Enum(CHANNELS);
export const Switches = Type.Object(
  Object.fromEntries(CHANNELS.map((c) => [c, Type.Optional(Type.Boolean())])),
  { additionalProperties: false },
);
const Key = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' });
const HhMm = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });
export const QuietHours = Type.Object(
  { start: HhMm, end: HhMm },
  {
    additionalProperties: false,
    description: 'Local times in the recipient’s time zone; end < start spans midnight.',
  },
);
const Nullable = <T extends ReturnType<typeof Type.Object>>(t: T) => Type.Union([t, Type.Null()]);

export const NotificationTypeBody = Type.Object(
  {
    description: Type.String({ maxLength: 256, default: '' }),
    category: Type.Union([Key, Type.Null()], { default: null }),
    kind: Type.Enum(['transactional', 'commercial'], { default: 'transactional' }),
    defaultChannels: Type.Array(ChannelEnum, { maxItems: 6, uniqueItems: true, default: [] }),
    ttlSeconds: Type.Union([Type.Integer({ minimum: 1, maximum: 31 * 86_400 }), Type.Null()], {
      default: null,
    }),
    collapseKey: Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()], { default: null }),
    /** Open pixel and click redirects in HTML email; null: on for commercial types, off for transactional. */
    tracking: Type.Union(
      [
        Type.Object({ opens: Type.Boolean(), clicks: Type.Boolean() }, { additionalProperties: false }),
        Type.Null(),
      ],
      { default: null },
    ),
    steps: Type.Union([StepsSchema, Type.Null()], {
      default: null,
      description:
        'Workflow steps run for each recipient before the channels send: delay, throttle, digest (see docs/workflows.md).',
    }),
  },
  { additionalProperties: false },
);

export const NotificationTypeOut = Type.Object({
  key: Type.String(),
  description: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
  defaultChannels: Type.Array(Type.String()),
  ttlSeconds: Type.Union([Type.Integer(), Type.Null()]),
  collapseKey: Type.Union([Type.String(), Type.Null()]),
  tracking: Type.Optional(
    Type.Union([Type.Object({ opens: Type.Boolean(), clicks: Type.Boolean() }), Type.Null()]),
  ),
  steps: Type.Optional(Type.Union([StepsSchema, Type.Null()])),
});

export const TemplateOut = Type.Object({
  typeKey: Type.String(),
  channel: Type.String(),
  locale: Type.String(),
  version: Type.Integer(),
  content: Type.Record(Type.String(), Type.Unknown()),
  createdAt: DateTime,
});

export const LocaleParam = Type.String({
  minLength: 1,
  maxLength: 35,
  pattern: '^(default|[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*)$',
});

const NativeDevice = Type.Object(
  { platform: Type.Enum(['ios', 'android']), token: Type.String({ minLength: 8, maxLength: 4096 }) },
  { additionalProperties: false },
);
const WebDevice = Type.Object(
  {
    platform: Type.Literal('web'),
    endpoint: Type.String({ format: 'uri', pattern: '^https://', maxLength: 2048 }),
    keys: Type.Object(
      {
        p256dh: Type.String({ minLength: 16, maxLength: 256, pattern: '^[A-Za-z0-9_-]+=*$' }),
        auth: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+=*$' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/**
 * A device is native (a token) or a browser (an endpoint and keys), told apart by `platform` first:
 * as a plain union, a web subscription with an `http://` endpoint was refused for lacking `token`,
 * the other branch's field. Now each body is checked against its own platform's shape only.
 */
export const DeviceBody = Type.Unsafe<Static<typeof NativeDevice> | Static<typeof WebDevice>>({
  type: 'object',
  required: ['platform'],
  properties: { platform: { enum: ['ios', 'android', 'web'] } },
  if: { properties: { platform: { const: 'web' } } },
  then: WebDevice,
  else: NativeDevice,
});

export const DeviceOut = Type.Object({
  id: Type.String(),
  platform: Type.String(),
  token: Type.String(),
  keys: Type.Optional(Type.Union([Type.Object({ p256dh: Type.String(), auth: Type.String() }), Type.Null()])),
  active: Type.Boolean(),
});

const Settings = {
  channels: Type.Optional(Switches),
  quietHours: Type.Optional(Nullable(QuietHours)),
  frequencyLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 10_000 }), Type.Null()])),
};

export const PreferencesPatch = Type.Object(
  {
    ...Settings,
    types: Type.Optional(Type.Record(Key, Type.Union([Switches, Type.Null()]), { maxProperties: 200 })),
    categories: Type.Optional(Type.Record(Key, Type.Union([Switches, Type.Null()]), { maxProperties: 100 })),
    unsubscribed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ServiceDefaults = Type.Object(
  {
    ...Settings,
    types: Type.Optional(Type.Record(Key, Switches, { maxProperties: 200 })),
    categories: Type.Optional(Type.Record(Key, Switches, { maxProperties: 100 })),
  },
  { additionalProperties: false },
);

export const PreferencesOut = Type.Object({
  channels: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
  types: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Boolean()))),
  categories: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Boolean()))),
  quietHours: Type.Optional(
    Type.Union([Type.Object({ start: Type.String(), end: Type.String() }), Type.Null()]),
  ),
  frequencyLimit: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  unsubscribed: Type.Optional(Type.Boolean()),
});
