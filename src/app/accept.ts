/**
 * Accepting a notification: every check that can be made now is made now (type, recipient, address,
 * content, template syntax), so the caller hears about mistakes at once; then one insert makes it
 * durable. An idempotency key replays the first answer for the same body and refuses a different one.
 */
import { hash } from 'node:crypto';
import stableStringify from 'safe-stable-stringify';
import { ADDRESS_NAME, addressFor, type Addressable, type Channel } from '../domain/channels.ts';
import { conflict, invalid } from '../domain/errors.ts';
import { templateStrings, type TemplateRenderer } from '../domain/templates.ts';
import type {
  ContentTemplates,
  NewNotification,
  Priority,
  Recipient,
  RecipientFields,
} from '../domain/types.ts';
import type { AcceptResult, NotificationStore, RecipientStore, ServiceStore } from '../ports/store.ts';
import type { AudienceStore } from '../ports/audience-store.ts';
import { normaliseIds, type Audience } from '../domain/audience.ts';
import type { DeviceStore, NotificationTypeStore, TemplateStore } from '../ports/preferences-store.ts';
import { overrideProblems, type Step, type StepOverrides } from '../domain/workflow-steps.ts';
import { uuidv7Source } from './batch-ids.ts';

/** Notification ids: the random bytes come from a pooled buffer, not one system call per id. */
const newNotificationId = uuidv7Source();

export interface AcceptDeps {
  services: ServiceStore;
  recipients: RecipientStore;
  notifications: NotificationStore;
  renderer: TemplateRenderer;
  /** With these, a notification may leave out channels (the type's defaults) and content (stored templates). */
  types?: NotificationTypeStore;
  templates?: TemplateStore;
  devices?: DeviceStore;
  /** Uploaded audiences (`"audience": {"id": ...}`); without it only inline audiences are accepted. */
  audiences?: AudienceStore;
  /** Reads of one tick batched into one query (see batcher.ts); else `recipients.get`. */
  lookupRecipient?: (serviceId: string, id: string) => Promise<Recipient | null>;
  /** Group commit (see batcher.ts); without it each notification is its own transaction. */
  commit?: (n: NewNotification) => Promise<AcceptResult>;
}

export interface NotificationRequest {
  type: string;
  /** Exactly one of recipient, recipients, topic and audience says who it goes to. */
  recipient?: string | ({ id: string } & RecipientFields);
  recipients?: string[];
  topic?: string;
  audience?: 'all' | { id: string };
  /** Left out: the type's default channels. */
  channels?: Channel[];
  data?: Record<string, unknown>;
  content?: ContentTemplates;
  priority?: Priority;
  idempotencyKey?: string;
  /** This notification's own parameters for its type's steps (a digest key, a delay). */
  stepOverrides?: StepOverrides;
}

export interface Accepted {
  id: string;
  status: 'accepted';
  replayed: boolean;
}

export function requestHash(body: NotificationRequest): string {
  const { idempotencyKey: _ignored, ...rest } = body;
  // The one-shot digest: the same SHA-256 hex as before, without a Hash object per request.
  return hash('sha256', stableStringify(rest) ?? '', 'hex');
}

/** The channel's templates, once its content is there; they are checked together by the caller. */
function contentTemplates(channel: Channel, content: ContentTemplates) {
  const c = content[channel];
  if (!c) {
    throw invalid('missing_content', `No content was given for the ${channel} channel.`, { channel });
  }
  if (channel === 'email' && c.text === undefined && c.html === undefined) {
    throw invalid('missing_content', 'Email content needs a text or an html body.', { channel });
  }
  return templateStrings(c, `content.${channel}`);
}

export async function acceptNotification(
  deps: AcceptDeps,
  serviceId: string,
  body: NotificationRequest,
  headerKey: string | undefined,
): Promise<Accepted> {
  const n = await prepareNotification(deps, serviceId, body, headerKey);
  const result = await (deps.commit ?? ((x: NewNotification) => deps.notifications.accept(x)))(n);
  return answer(n, result);
}

/** Recipients already read for a batch, by id (null: known not to exist). */
export type KnownRecipients = ReadonlyMap<string, Recipient | null>;

/** What accepting reads about a notification's type: its definition (null: not registered) and the channels it has stored templates for. */
export interface TypeReads {
  type: { defaultChannels: Channel[]; steps?: readonly Step[] | null | undefined } | null;
  stored: ReadonlySet<Channel>;
}

const NO_CHANNELS: ReadonlySet<Channel> = new Set();

/** The type and its stored templates' channels; the templates are not read for a type that is not registered. */
export async function readType(deps: AcceptDeps, serviceId: string, typeKey: string): Promise<TypeReads> {
  const type = deps.types
    ? await deps.types.get(serviceId, typeKey)
    : (await deps.services.hasType(serviceId, typeKey))
      ? { defaultChannels: [] as Channel[] }
      : null;
  if (!type || !deps.templates) return { type, stored: NO_CHANNELS };
  return { type, stored: new Set((await deps.templates.latest(serviceId, typeKey)).map((t) => t.channel)) };
}

/**
 * What a batch has read once for all its items: the recipients it names and its types. An item
 * whose reads are all here is prepared without waiting on anything.
 */
export interface BatchReads {
  recipients?: KnownRecipients | undefined;
  types?: ReadonlyMap<string, TypeReads> | undefined;
}

/**
 * Every check that can be made before writing; the notification row to write. Throws the caller's
 * mistake as a typed error. `reads` spares a batch the reads each item would make.
 */
export async function prepareNotification(
  deps: AcceptDeps,
  serviceId: string,
  body: NotificationRequest,
  headerKey: string | undefined,
  reads?: BatchReads,
): Promise<NewNotification> {
  if (headerKey !== undefined && body.idempotencyKey !== undefined && headerKey !== body.idempotencyKey) {
    throw invalid('validation_failed', 'The Idempotency-Key header and the idempotencyKey field differ.', [
      { path: '/idempotencyKey', message: 'must equal the Idempotency-Key header' },
    ]);
  }
  const idempotencyKey = headerKey ?? body.idempotencyKey ?? null;

  const { type, stored } = reads?.types?.get(body.type) ?? (await readType(deps, serviceId, body.type));
  if (!type) {
    throw invalid(
      'unknown_notification_type',
      `Notification type '${body.type}' is not registered for this service.`,
      {
        type: body.type,
      },
    );
  }
  const channels = body.channels ?? type.defaultChannels;
  if (channels.length === 0) {
    throw invalid(
      'validation_failed',
      `No channels were given and type '${body.type}' has no default channels.`,
      [{ path: '/channels', message: 'is required when the type has no default channels' }],
    );
  }
  if (body.stepOverrides !== undefined) checkOverrides(deps, type.steps ?? [], body.stepOverrides);
  const content = body.content ?? {};
  // A stored template was checked when it was saved; the caller's own content is checked now, all of
  // it at once, so the request's templates together are bounded too.
  deps.renderer.checkAll(
    channels.flatMap((channel) =>
      !content[channel] && stored.has(channel) ? [] : contentTemplates(channel, content),
    ),
  );

  const audience = audienceOf(body);
  // Another service's audience is as unknown as one that never existed.
  if (audience?.kind === 'list' && !(deps.audiences && (await deps.audiences.exists(serviceId, audience.id))))
    throw invalid(
      'unknown_audience',
      `Audience '${audience.id}' does not exist; upload it with POST /v1/audiences.`,
      {
        audience: audience.id,
      },
    );
  const known = reads?.recipients;
  let recipient: Recipient | null = null;
  let inlineRecipient: RecipientFields | undefined;
  if (audience) {
    // A broadcast's recipients are looked at one by one when planned; a missing one or a missing
    // address becomes that recipient's `failed` delivery, not a refusal of the whole broadcast.
  } else if (typeof body.recipient === 'string') {
    const id = body.recipient;
    recipient = known?.has(id) ? (known.get(id) ?? null) : await lookup(deps, serviceId, id);
    if (!recipient) {
      throw invalid(
        'unknown_recipient',
        `Recipient '${body.recipient}' does not exist; create it with PUT /v1/recipients/{id} or send it inline.`,
        {
          recipient: body.recipient,
        },
      );
    }
  } else if (body.recipient) {
    // Checked as it will be once written; written only with the notification, so a refusal writes nothing.
    const { id, ...fields } = body.recipient;
    if (storedRecipientNeeded(channels, fields, content)) {
      const saved = known?.has(id) ? (known.get(id) ?? null) : await lookup(deps, serviceId, id);
      recipient = withFields(saved, id, fields);
      // Named again with nothing new: there is nothing to write.
      if (!saved || Object.values(fields).some((v) => v !== undefined)) inlineRecipient = fields;
    } else {
      // Every address is in the request: nothing stored can change the answer, so nothing is read.
      // The recipient is written with the notification (made if new, given fields updated).
      recipient = withFields(null, id, fields);
      inlineRecipient = fields;
    }
  }
  if (recipient) {
    const pushed = channels.some((c) => c === 'push' || c === 'web_push');
    // Devices only matter to push channels; the other addresses are on the recipient itself.
    const addressable: Addressable = pushed
      ? { ...recipient, devices: deps.devices ? await deps.devices.list(serviceId, recipient.id) : [] }
      : recipient;
    for (const channel of channels) {
      if (addressFor(channel, addressable, content[channel]) === null) {
        throw invalid(
          'recipient_missing_address',
          `Recipient '${recipient.id}' has no ${ADDRESS_NAME[channel]} for the ${channel} channel.`,
          { recipient: recipient.id, channel },
        );
      }
    }
  }

  const n: NewNotification = {
    id: newNotificationId(),
    serviceId,
    type: body.type,
    recipientId: recipient?.id ?? '',
    audience,
    channels,
    data: body.data ?? {},
    content,
    priority: body.priority ?? 'normal',
    idempotencyKey,
    requestHash: requestHash(body),
  };
  if (body.stepOverrides) n.stepOverrides = body.stepOverrides;
  if (inlineRecipient) n.inlineRecipient = inlineRecipient;
  return n;
}

/** 422 `validation_failed` naming each bad override by its JSON pointer; a bad template as it comes. */
function checkOverrides(deps: AcceptDeps, steps: readonly Step[], overrides: StepOverrides): void {
  const problems = overrideProblems(steps, overrides, {
    template: (source, field) => deps.renderer.check(source, field),
  });
  if (problems.length > 0)
    throw invalid(
      'validation_failed',
      `Invalid body: ${problems.map((p) => `body${p.path} ${p.message}`).join('; ')}.`,
      problems.map((p) => ({ in: 'body', ...p })),
    );
}

/**
 * Whether checking an inline recipient's addresses needs its stored row: some channel's address
 * would come from a field the request leaves out (push devices are read in any case).
 */
export function storedRecipientNeeded(
  channels: readonly Channel[],
  fields: RecipientFields,
  content: ContentTemplates,
): boolean {
  return channels.some((channel) => {
    switch (channel) {
      case 'in_app':
        return false;
      case 'email':
        return fields.email === undefined;
      case 'sms':
        return fields.phone === undefined;
      case 'webhook': {
        const url = (content.webhook as { url?: unknown } | undefined)?.url;
        return !(typeof url === 'string' && url !== '') && fields.attributes === undefined;
      }
      default:
        return true;
    }
  });
}

const lookup = (deps: AcceptDeps, serviceId: string, id: string) =>
  deps.lookupRecipient ? deps.lookupRecipient(serviceId, id) : deps.recipients.get(serviceId, id);

/** A stored recipient with the fields given inline on top (left out keeps, null clears). */
function withFields(stored: Recipient | null, id: string, fields: RecipientFields): Recipient {
  let r: Recipient;
  if (stored) r = { ...stored };
  else {
    const now = new Date();
    r = {
      id,
      email: null,
      phone: null,
      locale: null,
      timezone: null,
      attributes: {},
      createdAt: now,
      updatedAt: now,
    };
  }
  const given = r as unknown as Record<string, unknown>;
  for (const [key, v] of Object.entries(fields)) if (v !== undefined) given[key] = v;
  return r;
}

/** The caller's answer once its row is written: new, a replay, or a key reused with another body. */
export function answer(n: NewNotification, result: AcceptResult): Accepted {
  const { idempotencyKey } = n;
  if (!result.created && result.requestHash !== n.requestHash) {
    throw conflict(
      'idempotency_conflict',
      'This idempotency key was already used with a different request body.',
      {
        idempotencyKey,
        notificationId: result.id,
      },
    );
  }
  return { id: result.id, status: 'accepted', replayed: !result.created };
}

const AUDIENCE_FIELDS = ['recipient', 'recipients', 'topic', 'audience'] as const;

/** Exactly one way of naming the recipients; null means the single `recipient`. An uploaded list is not looked at here. */
function audienceOf(body: NotificationRequest): Audience | null {
  let named = 0;
  for (const f of AUDIENCE_FIELDS) if (body[f] !== undefined) named++;
  if (named !== 1) {
    const given = AUDIENCE_FIELDS.filter((f) => body[f] !== undefined);
    throw invalid(
      'validation_failed',
      given.length === 0
        ? 'Say who the notification goes to: one of recipient, recipients, topic or audience.'
        : `Give only one of recipient, recipients, topic and audience (got ${given.join(', ')}).`,
      AUDIENCE_FIELDS.map((f) => ({ path: `/${f}`, message: 'exactly one of these is required' })),
    );
  }
  if (body.recipients !== undefined) return { kind: 'recipients', ids: normaliseIds(body.recipients) };
  if (body.topic !== undefined) return { kind: 'topic', topic: body.topic };
  if (body.audience === 'all') return { kind: 'all' };
  if (body.audience !== undefined) return { kind: 'list', id: body.audience.id };
  return null;
}
