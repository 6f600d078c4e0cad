/**
 * The authorization matrix: every route × every kind of caller gets exactly the allowed answer.
 * Another service's ids answer 404, never that service's data. A route missing from the matrix fails
 * the test, so new routes must say who may call them.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Herald } from '../../src/main.ts';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { documentChecker, type OpenApiDocument } from '../helpers/openapi-document.ts';

type Caller =
  | 'none'
  | 'malformed'
  | 'unknownKey'
  | 'revokedKey'
  | 'otherService'
  | 'admin'
  | 'recipient'
  | 'otherRecipient'
  | 'owner';
/** `recipient` is service A's recipient ann (inbox credentials); `otherRecipient` is A's bob. */
const CALLERS: Caller[] = [
  'none',
  'malformed',
  'unknownKey',
  'revokedKey',
  'otherService',
  'admin',
  'recipient',
  'otherRecipient',
  'owner',
];

interface Fixture {
  notificationId: string;
  audienceId: string;
  keyId: string;
  deviceId: string;
  deliveryId: string;
  serviceId: string;
  inboxSecret: string;
  /** The HMAC key derived from the secret, which a backend signs recipient ids with. */
  inboxHmacKey: string;
  inboxItemId: string;
  webhookEndpointId: string;
  /** One digest of service A, made once: viewing and releasing it are harmless to repeat. */
  digestId: string;
}

interface Row {
  method: string;
  /** The OpenAPI path, e.g. /v1/notifications/{id}. */
  route: string;
  /** The concrete path and body, built from service A's fixture. */
  call(f: Fixture): { path: string; body?: unknown; headers?: Record<string, string> };
  /** Expected status per caller; `owner` is service A. */
  expect: Partial<Record<Caller, number>>;
  /** For collection routes: what another service's answer must not contain. */
  mustNotLeak?: (f: Fixture) => string;
  /** An endless stream: only the status is read. */
  stream?: boolean;
  /**
   * For a route that changes or removes one of A's objects: a new object of that kind for each cell
   * allowed to write, so the shared fixture every other cell reads stays as it was.
   */
  fresh?: (c: Context) => Promise<Partial<Fixture>>;
  /** After the allowed cells: put back what they changed in the shared fixture, or wait for what they set off. */
  settle?: (c: Context) => Promise<void>;
}

/** What `fresh` and `settle` work with: service A's client and the fixture every cell shares. */
interface Context {
  a: Client;
  b: Client;
  base: string;
  shared: Fixture;
}

const SERVICE_ONLY = {
  none: 401,
  malformed: 401,
  unknownKey: 401,
  revokedKey: 401,
  admin: 401,
  recipient: 401,
  otherRecipient: 401,
} as const;
/** Inbox routes take a recipient's credentials and nothing else. */
const RECIPIENT = (mine: number, others: number) => ({
  none: 401,
  malformed: 401,
  unknownKey: 401,
  revokedKey: 401,
  admin: 401,
  otherService: 401,
  owner: 401,
  recipient: mine,
  otherRecipient: others,
});
const everyone = (status: number) =>
  Object.fromEntries(CALLERS.map((c) => [c, status])) as Record<Caller, number>;
const PUBLIC = everyone(200);
/** A service route on service A's resource: B gets 404, as if it did not exist. */
const OWNED = (owner: number) => ({ ...SERVICE_ONLY, otherService: 404, owner });
/** A service route on the caller's own collection or settings. */
const OWN = (status: number) => ({ ...SERVICE_ONLY, otherService: status, owner: status });
const T = '/v1/notification-types/a-only';
const ADMIN_ONLY = { ...everyone(401), admin: 200 };
const W = (f: Fixture) => `/v1/webhook-endpoints/${f.webhookEndpointId}`;

const MATRIX: Row[] = [
  { method: 'GET', route: '/healthz', call: () => ({ path: '/healthz' }), expect: PUBLIC },
  { method: 'GET', route: '/readyz', call: () => ({ path: '/readyz' }), expect: PUBLIC },
  // Metrics count every service's traffic: the operator's (admin or metrics token), nobody else's.
  {
    method: 'GET',
    route: '/metrics',
    call: () => ({ path: '/metrics' }),
    expect: { ...everyone(401), admin: 200 },
  },
  {
    method: 'POST',
    route: '/v1/services',
    call: () => ({ path: '/v1/services', body: { name: 'New', notificationTypes: [] } }),
    expect: { ...SERVICE_ONLY, otherService: 401, owner: 401, admin: 201 },
  },
  {
    method: 'GET',
    route: '/v1/service',
    call: () => ({ path: '/v1/service' }),
    expect: { ...SERVICE_ONLY, otherService: 200, owner: 200 },
    mustNotLeak: () => '"name":"A"',
  },
  {
    method: 'GET',
    route: '/v1/service/link-hosts',
    call: () => ({ path: '/v1/service/link-hosts' }),
    expect: OWN(200),
    mustNotLeak: () => 'a-hosts.example',
  },
  {
    method: 'PUT',
    route: '/v1/service/link-hosts',
    call: () => ({ path: '/v1/service/link-hosts', body: { hosts: ['a-hosts.example'] } }),
    expect: OWN(200),
  },
  {
    method: 'GET',
    route: '/v1/api-keys',
    call: () => ({ path: '/v1/api-keys' }),
    expect: { ...SERVICE_ONLY, otherService: 200, owner: 200 },
    mustNotLeak: (f) => f.keyId,
  },
  {
    method: 'POST',
    route: '/v1/api-keys',
    call: () => ({ path: '/v1/api-keys', body: { label: 'x' } }),
    expect: { ...SERVICE_ONLY, otherService: 201, owner: 201 },
  },
  {
    method: 'DELETE',
    route: '/v1/api-keys/{keyId}',
    call: (f) => ({ path: `/v1/api-keys/${f.keyId}` }),
    expect: { ...SERVICE_ONLY, otherService: 404, owner: 204 },
    fresh: async ({ a }) => ({ keyId: (await a.post('/v1/api-keys', { label: 'fixture' })).body.id }),
  },
  {
    method: 'PUT',
    route: '/v1/recipients/{recipientId}',
    call: () => ({ path: '/v1/recipients/carol', body: { locale: 'en' } }),
    // Recipient ids are per service: B's PUT makes B's own 'carol' and leaves A's namespace alone.
    expect: { ...SERVICE_ONLY, otherService: 201, owner: 201 },
  },
  {
    method: 'GET',
    route: '/v1/recipients/{recipientId}',
    call: () => ({ path: '/v1/recipients/ann' }),
    expect: { ...SERVICE_ONLY, otherService: 404, owner: 200 },
  },
  {
    method: 'POST',
    route: '/v1/notifications',
    call: () => ({
      path: '/v1/notifications',
      body: {
        type: 'order_shipped',
        recipient: 'ann',
        channels: ['email'],
        content: { email: { subject: 's', text: 't' } },
      },
    }),
    // Service B has no recipient 'ann' (until it makes its own), so its request is refused as such.
    expect: { ...SERVICE_ONLY, otherService: 422, owner: 202 },
  },
  {
    method: 'POST',
    route: '/v1/notifications/batch',
    call: () => ({
      path: '/v1/notifications/batch',
      body: {
        notifications: [
          {
            type: 'order_shipped',
            recipient: 'ann',
            channels: ['email'],
            content: { email: { subject: 's', text: 't' } },
          },
        ],
      },
    }),
    // The call is the service's own; service B's item is refused inside the answer (no 'ann' there).
    expect: { ...SERVICE_ONLY, otherService: 200, owner: 200 },
  },
  {
    method: 'GET',
    route: '/v1/notifications/{id}',
    call: (f) => ({ path: `/v1/notifications/${f.notificationId}` }),
    expect: { ...SERVICE_ONLY, otherService: 404, owner: 200 },
  },
  {
    method: 'POST',
    route: '/v1/notifications/{id}/cancel',
    call: (f) => ({ path: `/v1/notifications/${f.notificationId}/cancel` }),
    expect: OWNED(200),
    fresh: async ({ a }) => sentNotification(a),
  },
  // Topics are named per service, like recipients: B's 'news' is B's own (and B has no 'ann' to add).
  {
    method: 'PUT',
    route: '/v1/topics/{key}/subscribers',
    call: () => ({ path: '/v1/topics/news/subscribers', body: { recipients: ['ann'] } }),
    expect: { ...SERVICE_ONLY, otherService: 422, owner: 200 },
  },
  {
    method: 'GET',
    route: '/v1/topics/{key}/subscribers',
    call: () => ({ path: '/v1/topics/a-topic/subscribers' }),
    expect: OWN(200),
    mustNotLeak: () => 'ann',
  },
  {
    method: 'DELETE',
    route: '/v1/topics/{key}/subscribers',
    call: () => ({ path: '/v1/topics/a-topic/subscribers', body: { recipients: ['ann'] } }),
    expect: OWN(200),
    settle: async ({ a }) => {
      assert.equal((await a.put('/v1/topics/a-topic/subscribers', { recipients: ['ann'] })).status, 200);
    },
  },
  {
    method: 'POST',
    route: '/v1/audiences',
    call: () => ({
      path: '/v1/audiences',
      body: '"ann"\n',
      headers: { 'content-type': 'application/x-ndjson' },
    }),
    expect: OWN(201),
  },
  {
    method: 'GET',
    route: '/v1/audiences/{id}',
    call: (f) => ({ path: `/v1/audiences/${f.audienceId}` }),
    expect: OWNED(200),
  },
  {
    method: 'PUT',
    route: '/v1/providers/{name}/credentials',
    call: () => ({ path: '/v1/providers/x-slack/credentials', body: { type: 'slack', credentials: {} } }),
    expect: { ...SERVICE_ONLY, otherService: 200, owner: 200 },
  },
  {
    method: 'GET',
    route: '/v1/providers/credentials',
    call: () => ({ path: '/v1/providers/credentials' }),
    expect: { ...SERVICE_ONLY, otherService: 200, owner: 200 },
    mustNotLeak: () => 'a-slack',
  },
  {
    method: 'DELETE',
    route: '/v1/providers/{name}/credentials',
    call: () => ({ path: '/v1/providers/a-slack/credentials' }),
    expect: { ...SERVICE_ONLY, otherService: 404, owner: 204 },
    settle: async ({ a }) => {
      const put = await a.put('/v1/providers/a-slack/credentials', { type: 'slack', credentials: {} });
      assert.equal(put.status, 200);
    },
  },
  {
    method: 'GET',
    route: '/v1/notification-types',
    call: () => ({ path: '/v1/notification-types' }),
    expect: OWN(200),
    mustNotLeak: () => 'a-only',
  },
  // PUT makes the caller's own type: B's 'x-type' is B's, A's is A's.
  {
    method: 'PUT',
    route: '/v1/notification-types/{key}',
    call: () => ({ path: '/v1/notification-types/x-type', body: { description: 'x' } }),
    expect: OWN(201),
  },
  { method: 'GET', route: '/v1/notification-types/{key}', call: () => ({ path: T }), expect: OWNED(200) },
  {
    method: 'PUT',
    route: '/v1/notification-types/{key}/templates/{channel}/{locale}',
    call: () => ({ path: `${T}/templates/email/default`, body: { subject: 's', text: 't' } }),
    expect: OWNED(201),
  },
  {
    method: 'GET',
    route: '/v1/notification-types/{key}/templates',
    call: () => ({ path: `${T}/templates` }),
    expect: OWNED(200),
  },
  {
    method: 'GET',
    route: '/v1/notification-types/{key}/templates/{channel}/{locale}/versions',
    call: () => ({ path: `${T}/templates/email/default/versions` }),
    expect: OWNED(200),
  },
  {
    method: 'POST',
    route: '/v1/notification-types/{key}/templates/{channel}/preview',
    call: () => ({ path: `${T}/templates/email/preview`, body: { data: { x: 1 } } }),
    expect: OWNED(200),
  },
  {
    method: 'GET',
    route: '/v1/preference-defaults',
    call: () => ({ path: '/v1/preference-defaults' }),
    expect: OWN(200),
  },
  {
    method: 'PUT',
    route: '/v1/preference-defaults',
    call: () => ({ path: '/v1/preference-defaults', body: { frequencyLimit: 500 } }),
    expect: OWN(200),
  },
  {
    method: 'GET',
    route: '/v1/recipients/{recipientId}/preferences',
    call: () => ({ path: '/v1/recipients/ann/preferences' }),
    expect: OWNED(200),
  },
  {
    method: 'PATCH',
    route: '/v1/recipients/{recipientId}/preferences',
    call: () => ({ path: '/v1/recipients/ann/preferences', body: { frequencyLimit: 100 } }),
    expect: OWNED(200),
  },
  {
    method: 'POST',
    route: '/v1/recipients/{recipientId}/devices',
    call: () => ({
      path: '/v1/recipients/ann/devices',
      body: { platform: 'ios', token: 'abcdef0123456789' },
    }),
    expect: OWNED(201),
  },
  {
    method: 'GET',
    route: '/v1/recipients/{recipientId}/devices',
    call: () => ({ path: '/v1/recipients/ann/devices' }),
    expect: OWNED(200),
  },
  {
    method: 'DELETE',
    route: '/v1/recipients/{recipientId}/devices/{deviceId}',
    call: (f) => ({ path: `/v1/recipients/ann/devices/${f.deviceId}` }),
    expect: OWNED(204),
    fresh: async ({ a }) => ({ deviceId: await newDevice(a) }),
  },
  {
    method: 'DELETE',
    route: '/v1/recipients/{recipientId}',
    call: () => ({ path: '/v1/recipients/dora' }),
    expect: OWNED(200),
    settle: async ({ a }) => {
      assert.equal((await a.put('/v1/recipients/dora', { email: 'dora@example.com' })).status, 201);
    },
  },
  {
    // The signed token is the credential; headers change nothing, and a forged token is refused.
    method: 'POST',
    route: '/u/{token}',
    call: () => ({
      path: '/u/forged-token',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    expect: everyone(403),
  },
  // Provider health is the same for every tenant: any service or the admin may look.
  {
    method: 'GET',
    route: '/v1/providers',
    call: () => ({ path: '/v1/providers' }),
    expect: { ...SERVICE_ONLY, admin: 200, otherService: 200, owner: 200 },
  },
  {
    method: 'GET',
    route: '/v1/deliveries',
    call: () => ({ path: '/v1/deliveries?status=sent' }),
    expect: OWN(200),
    mustNotLeak: (f) => f.notificationId,
  },
  // A's delivery is sent, so A is told it cannot be replayed; for B it does not exist.
  {
    method: 'POST',
    route: '/v1/deliveries/{id}/retry',
    call: (f) => ({ path: `/v1/deliveries/${f.deliveryId}/retry` }),
    expect: OWNED(409),
  },
  {
    method: 'POST',
    route: '/v1/deliveries/retry',
    call: () => ({ path: '/v1/deliveries/retry', body: { channel: 'email' } }),
    expect: OWN(202),
  },
  {
    method: 'GET',
    route: '/v1/inbox/secret',
    call: () => ({ path: '/v1/inbox/secret' }),
    expect: { ...SERVICE_ONLY, otherService: 404, owner: 200 },
    mustNotLeak: (f) => f.inboxSecret,
  },
  {
    method: 'POST',
    route: '/v1/inbox/secret',
    call: () => ({ path: '/v1/inbox/secret', body: {} }),
    expect: OWN(201),
    // A new secret replaces A's: the shared fixture signs with the new one from here on.
    settle: async (c) => {
      const current = await c.a.get('/v1/inbox/secret');
      assert.equal(current.status, 200);
      c.shared.inboxSecret = current.body.secret;
      c.shared.inboxHmacKey = current.body.hmacKey;
    },
  },
  {
    method: 'GET',
    route: '/v1/inbox/counts',
    call: () => ({ path: '/v1/inbox/counts' }),
    expect: RECIPIENT(200, 200),
  },
  {
    method: 'GET',
    route: '/v1/inbox/items',
    call: () => ({ path: '/v1/inbox/items' }),
    expect: RECIPIENT(200, 200),
    mustNotLeak: (f) => f.inboxItemId,
  },
  // ann's item: bob is told it does not exist.
  {
    method: 'POST',
    route: '/v1/inbox/items/{id}/{action}',
    call: (f) => ({ path: `/v1/inbox/items/${f.inboxItemId}/read`, body: {} }),
    expect: RECIPIENT(200, 404),
    fresh: async (c) => ({ inboxItemId: await newInboxItem(c) }),
  },
  {
    method: 'POST',
    route: '/v1/inbox/read-all',
    call: () => ({ path: '/v1/inbox/read-all', body: {} }),
    expect: RECIPIENT(200, 200),
  },
  {
    method: 'POST',
    route: '/v1/inbox/seen-all',
    call: () => ({ path: '/v1/inbox/seen-all', body: {} }),
    expect: RECIPIENT(200, 200),
  },
  {
    method: 'POST',
    route: '/v1/inbox/tickets',
    call: () => ({ path: '/v1/inbox/tickets', body: {} }),
    expect: RECIPIENT(201, 201),
  },
  {
    method: 'GET',
    route: '/v1/inbox/events',
    call: () => ({ path: '/v1/inbox/events' }),
    expect: RECIPIENT(200, 200),
    stream: true,
  },
  // Each recipient's own settings: bob reads and changes his, never ann's.
  {
    method: 'GET',
    route: '/v1/inbox/preferences',
    call: () => ({ path: '/v1/inbox/preferences' }),
    expect: RECIPIENT(200, 200),
  },
  {
    method: 'PATCH',
    route: '/v1/inbox/preferences',
    call: () => ({ path: '/v1/inbox/preferences', body: { channels: { sms: false } } }),
    expect: RECIPIENT(200, 200),
  },
  {
    method: 'GET',
    route: '/v1/outbox',
    call: () => ({ path: '/v1/outbox' }),
    expect: { ...SERVICE_ONLY, otherService: 200, owner: 200 },
    mustNotLeak: () => 'ann@example.com',
  },
  // Tracking tokens are the credential; a forged one gets no image and no redirect, whoever asks.
  {
    method: 'GET',
    route: '/t/o/{token}',
    call: () => ({ path: '/t/o/forged.token' }),
    expect: everyone(404),
  },
  {
    method: 'GET',
    route: '/t/c/{token}',
    call: () => ({ path: '/t/c/forged.token' }),
    expect: everyone(403),
  },
  // The dashboard page holds no data: it asks for a token and calls the API with it.
  { method: 'GET', route: '/', call: () => ({ path: '/' }), expect: PUBLIC },
  {
    method: 'GET',
    route: '/v1/admin/services',
    call: () => ({ path: '/v1/admin/services' }),
    expect: ADMIN_ONLY,
  },
  {
    method: 'GET',
    route: '/v1/notifications',
    call: () => ({ path: '/v1/notifications' }),
    expect: OWN(200),
    mustNotLeak: (f) => f.notificationId,
  },
  {
    method: 'GET',
    route: '/v1/deliveries/{id}/history',
    call: (f) => ({ path: `/v1/deliveries/${f.deliveryId}/history` }),
    expect: OWNED(200),
  },
  {
    method: 'GET',
    route: '/v1/analytics',
    call: () => ({ path: '/v1/analytics?groupBy=channel' }),
    expect: OWN(200),
  },
  {
    method: 'POST',
    route: '/v1/webhook-endpoints',
    call: () => ({
      path: '/v1/webhook-endpoints',
      body: { url: 'https://93.184.216.34/hook', events: ['delivery.sent'] },
    }),
    expect: OWN(201),
  },
  {
    method: 'GET',
    route: '/v1/webhook-endpoints',
    call: () => ({ path: '/v1/webhook-endpoints' }),
    expect: OWN(200),
    mustNotLeak: (f) => f.webhookEndpointId,
  },
  { method: 'GET', route: '/v1/webhook-endpoints/{id}', call: (f) => ({ path: W(f) }), expect: OWNED(200) },
  {
    method: 'PATCH',
    route: '/v1/webhook-endpoints/{id}',
    call: (f) => ({ path: W(f), body: { description: 'changed' } }),
    expect: OWNED(200),
    fresh: async ({ a }) => ({ webhookEndpointId: await newEndpoint(a) }),
  },
  {
    method: 'DELETE',
    route: '/v1/webhook-endpoints/{id}',
    call: (f) => ({ path: W(f) }),
    expect: OWNED(204),
    fresh: async ({ a }) => ({ webhookEndpointId: await newEndpoint(a) }),
  },
  {
    method: 'GET',
    route: '/v1/webhook-endpoints/{id}/attempts',
    call: (f) => ({ path: `${W(f)}/attempts` }),
    expect: OWNED(200),
  },
  // Trigger rules and events are per service: B's names and ids are its own, A's are 404 to B.
  {
    method: 'PUT',
    route: '/v1/triggers/{event}',
    call: () => ({
      path: '/v1/triggers/put.event',
      body: { notifications: [{ type: 'order_shipped', to: { recipient: '/userId' }, channels: ['email'] }] },
    }),
    expect: { ...SERVICE_ONLY, otherService: 201, owner: 201 },
  },
  {
    method: 'GET',
    route: '/v1/triggers/{event}',
    call: () => ({ path: '/v1/triggers/a.event' }),
    expect: OWNED(200),
  },
  {
    method: 'DELETE',
    route: '/v1/triggers/{event}',
    call: () => ({ path: '/v1/triggers/a.event' }),
    expect: OWNED(204),
    settle: async ({ a }) => {
      assert.equal((await a.put('/v1/triggers/a.event', A_RULE)).status, 201);
    },
  },
  {
    method: 'GET',
    route: '/v1/triggers',
    call: () => ({ path: '/v1/triggers' }),
    expect: OWN(200),
    mustNotLeak: () => 'a.event',
  },
  {
    method: 'POST',
    route: '/v1/events',
    call: () => ({
      path: '/v1/events',
      body: { id: 'posted-1', name: 'a.event', payload: { userId: 'ann' } },
    }),
    expect: OWN(202),
    // The event's notification is made by the worker: let it land before the next row looks at A.
    settle: async ({ a, b }) => {
      await eventProcessed(a, 'posted-1');
      await eventProcessed(b, 'posted-1');
    },
  },
  {
    method: 'GET',
    route: '/v1/events/{id}',
    call: () => ({ path: '/v1/events/a-event' }),
    expect: OWNED(200),
  },
  // Digests are per service: B sees none of A's, and A's ids are 404 to it.
  {
    method: 'GET',
    route: '/v1/digests',
    call: () => ({ path: '/v1/digests' }),
    expect: OWN(200),
    mustNotLeak: (f) => f.digestId,
  },
  {
    method: 'GET',
    route: '/v1/digests/{id}',
    call: (f) => ({ path: `/v1/digests/${f.digestId}` }),
    expect: OWNED(200),
  },
  {
    method: 'POST',
    route: '/v1/digests/{id}/release',
    call: (f) => ({ path: `/v1/digests/${f.digestId}/release` }),
    expect: OWNED(200),
  },
];

/** Bodies no route accepts: not JSON, and JSON that fails every route's schema. */
const INVALID_BODIES = ['{"unterminated": ', JSON.stringify({ type: 7, recipient: [], '\u0000': 'x' })];

/** Inbox credentials for one of service A's recipients: the HMAC its backend would hand out. */
function inboxHeaders(serviceId: string, hmacKey: string, recipientId: string): Record<string, string> {
  return {
    'x-herald-service': serviceId,
    'x-herald-recipient': encodeURIComponent(recipientId),
    'x-herald-recipient-hmac': createHmac('sha256', hmacKey).update(recipientId, 'utf8').digest('hex'),
  };
}

/** The status of a streaming answer; then the stream is dropped. */
async function streamStatus(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const body: unknown = res.status === 200 ? null : await res.json();
  abort.abort();
  return { status: res.status, headers: res.headers, body: body as any };
}

const A_RULE = {
  notifications: [{ type: 'order_shipped', to: { recipient: '/userId' }, channels: ['email'] }],
};

/** One of A's notifications to ann by email, sent and completed. */
async function sentNotification(a: Client): Promise<Pick<Fixture, 'notificationId' | 'deliveryId'>> {
  const sent = await a.post('/v1/notifications', {
    type: 'order_shipped',
    recipient: { id: 'ann', email: 'ann@example.com' },
    channels: ['email'],
    content: { email: { subject: 's', text: 't' } },
  });
  assert.equal(sent.status, 202);
  const n = await waitForNotification(a, sent.body.id);
  return { notificationId: sent.body.id, deliveryId: n.deliveries[0].id };
}

async function newDevice(a: Client): Promise<string> {
  const device = await a.post('/v1/recipients/ann/devices', {
    platform: 'android',
    token: `tok-${Math.random()}`,
  });
  assert.equal(device.status, 201);
  return device.body.id;
}

async function newEndpoint(a: Client): Promise<string> {
  const endpoint = await a.post('/v1/webhook-endpoints', {
    url: 'https://93.184.216.34/hook',
    events: ['delivery.dead'],
  });
  assert.equal(endpoint.status, 201);
  return endpoint.body.id;
}

/** A new in-app item in ann's inbox, once it is there. */
async function newInboxItem({ a, base, shared }: Context): Promise<string> {
  const title = `Hi ${Math.random()}`;
  const alert = await a.post('/v1/notifications', {
    type: 'order_shipped',
    recipient: 'ann',
    channels: ['in_app'],
    content: { in_app: { title, body: 'there' } },
  });
  assert.equal(alert.status, 202);
  await waitForNotification(a, alert.body.id);
  const items = await client(base).request(
    'GET',
    '/v1/inbox/items',
    undefined,
    inboxHeaders(shared.serviceId, shared.inboxHmacKey, 'ann'),
  );
  assert.equal(items.status, 200);
  const item = (items.body.data as { id: string; title: string }[]).find((i) => i.title === title);
  assert.ok(item, JSON.stringify(items.body));
  return item.id;
}

async function eventProcessed(c: Client, id: string): Promise<void> {
  await eventually(async () => (await c.get(`/v1/events/${id}`)).body?.status !== 'pending', {
    what: `event ${id} to be processed`,
  });
}

/**
 * What a service's API shows of everything a request could write, without what the worker changes on
 * its own (statuses, timestamps of use): a refused request must leave it exactly as it was.
 */
async function stateOf(base: string, c: Client, inbox?: (recipient: string) => Record<string, string>) {
  const read = async (path: string, headers?: Record<string, string>) => {
    const res = await (headers ? client(base) : c).get(path, headers);
    return { status: res.status, body: res.body };
  };
  const paths = [
    '/v1/service',
    '/v1/api-keys',
    '/v1/service/link-hosts',
    ...['ann', 'bob', 'carol', 'dora'].map((r) => `/v1/recipients/${r}`),
    '/v1/recipients/ann/devices',
    '/v1/recipients/ann/preferences',
    '/v1/preference-defaults',
    ...['a-topic', 'news'].map((t) => `/v1/topics/${t}/subscribers`),
    '/v1/providers/credentials',
    '/v1/notification-types',
    '/v1/notification-types/a-only/templates/email/default/versions',
    '/v1/webhook-endpoints',
    '/v1/triggers',
    '/v1/inbox/secret',
  ];
  const [answers, notifications, counts] = await Promise.all([
    Promise.all(paths.map(async (p) => [p, await read(p)] as const)),
    read('/v1/notifications?limit=100'),
    Promise.all(inbox ? ['ann', 'bob'].map((r) => read('/v1/inbox/counts', inbox(r))) : []),
  ]);
  return {
    ...Object.fromEntries(answers),
    notifications: {
      status: notifications.status,
      ids: (notifications.body.data as { id: string; status: string }[]).map((n) => ({
        id: n.id,
        cancelled: n.status === 'cancelled',
      })),
    },
    counts,
  };
}

describe('authorization matrix', () => {
  let herald: Herald;
  let base: string;
  const tokens = {} as Record<Caller, string | null>;
  let serviceA = '';
  let digestId = '';
  /** Every answer is also checked against the OpenAPI document (status, and JSON body shape). */
  let conforms: ReturnType<typeof documentChecker>;
  /**
   * Service A's objects, made once: every read, and every refused request (which must write nothing,
   * as each row checks), is made on these. A cell allowed to change or remove one gets its own (`fresh`).
   */
  let ctx: Context;

  const buildShared = async (): Promise<Fixture> => {
    const a = client(base, tokens.owner ?? '');
    const key = await a.post('/v1/api-keys', { label: 'fixture' });
    assert.equal((await a.put('/v1/service/link-hosts', { hosts: ['a-hosts.example'] })).status, 200);
    assert.equal(
      (await a.put('/v1/notification-types/a-only', { description: 'A only' })).status < 300,
      true,
    );
    await a.put('/v1/notification-types/a-only/templates/email/default', { subject: 's', text: 't' });
    await a.put('/v1/recipients/dora', { email: 'dora@example.com' });
    await a.put('/v1/recipients/ann', { email: 'ann@example.com' });
    const deviceId = await newDevice(a);
    assert.equal(
      (await a.put('/v1/providers/a-slack/credentials', { type: 'slack', credentials: {} })).status,
      200,
    );
    const sent = await sentNotification(a);
    const current = await a.get('/v1/inbox/secret');
    const secret = current.status === 200 ? current : await a.post('/v1/inbox/secret', {});
    const partial = {
      serviceId: serviceA,
      inboxSecret: secret.body.secret,
      inboxHmacKey: secret.body.hmacKey,
    };
    const inboxItemId = await newInboxItem({
      a,
      b: client(base, tokens.otherService ?? ''),
      base,
      shared: partial as Fixture,
    });
    assert.equal((await a.put('/v1/topics/a-topic/subscribers', { recipients: ['ann'] })).status, 200);
    assert.ok([200, 201].includes((await a.put('/v1/triggers/a.event', A_RULE)).status));
    const event = { id: 'a-event', name: 'a.event', payload: { userId: 'ann' } };
    assert.equal((await a.post('/v1/events', event)).status, 202);
    await eventProcessed(a, 'a-event');
    const audience = await a.post('/v1/audiences', '"ann"\n', { 'content-type': 'application/x-ndjson' });
    assert.equal(audience.status, 201);
    return {
      ...sent,
      ...partial,
      audienceId: audience.body.id,
      webhookEndpointId: await newEndpoint(a),
      keyId: key.body.id,
      deviceId,
      inboxItemId,
      digestId,
    };
  };

  before(async () => {
    herald = await startInProcess({ env: { HERALD_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') } });
    base = herald.url ?? '';
    const admin = client(base, TEST_ADMIN_TOKEN);
    const a = await registerService(admin, 'A');
    const b = await registerService(admin, 'B');
    const aClient = client(base, a.apiKey);
    const revoked = await aClient.post('/v1/api-keys', { label: 'to revoke' });
    assert.equal((await aClient.delete(`/v1/api-keys/${revoked.body.id}`)).status, 204);
    serviceA = a.id;
    await aClient.put('/v1/recipients/bob', { email: 'bob@example.com' });
    Object.assign(tokens, {
      none: null,
      malformed: 'not-a-key',
      unknownKey: `hk_${'z'.repeat(16)}_${'Q'.repeat(43)}`,
      revokedKey: revoked.body.apiKey,
      otherService: b.apiKey,
      admin: TEST_ADMIN_TOKEN,
      recipient: null,
      otherRecipient: null,
      owner: a.apiKey,
    });
    const steps = [{ type: 'digest', window: '1d', key: 'k' }];
    assert.equal((await aClient.put('/v1/notification-types/a-digest', { steps })).status < 300, true);
    const joined = await aClient.post('/v1/notifications', {
      type: 'a-digest',
      recipient: { id: 'ann', email: 'ann@example.com' },
      channels: ['email'],
      content: { email: { subject: 's', text: 't' } },
    });
    assert.equal(joined.status, 202);
    digestId = await eventually(
      async () => {
        const n = await aClient.get(`/v1/notifications/${joined.body.id as string}`);
        const step = (n.body.steps ?? []).find((x: { decision: string }) => x.decision === 'digested');
        return step?.detail.digestId as string | undefined;
      },
      { what: 'a digest of service A' },
    );
    ctx = { a: aClient, b: client(base, b.apiKey), base, shared: await buildShared() };
  });
  after(async () => herald?.stop());

  it('covers every route the API documents', async () => {
    conforms ??= documentChecker((await client(base).get('/docs/json')).body as OpenApiDocument);
    const spec = (await client(base).get('/docs/json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(spec.paths)
      .filter(([p]) => !p.startsWith('/docs'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const inMatrix = MATRIX.map((r) => `${r.method} ${r.route}`).sort();
    assert.deepEqual(inMatrix, documented);
  });

  /** One cell: the caller's request on the row's route, with the fixture given. */
  const cell = async (row: Row, caller: Caller, f: Fixture) => {
    const expected = row.expect[caller];
    assert.ok(expected !== undefined, `${row.method} ${row.route}: no expectation for ${caller}`);
    const { path, body, headers } = row.call(f);
    const asRecipient = caller === 'recipient' ? 'ann' : caller === 'otherRecipient' ? 'bob' : null;
    const auth = asRecipient ? inboxHeaders(f.serviceId, f.inboxHmacKey, asRecipient) : {};
    const token = tokens[caller];
    const res = row.stream
      ? await streamStatus(`${base}${path}`, {
          ...auth,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        })
      : await client(base, token ?? undefined).request(row.method, path, body, { ...auth, ...headers });
    assert.equal(
      res.status,
      expected,
      `${caller}: ${row.method} ${path} → ${res.status} ${JSON.stringify(res.body)}`,
    );
    if (res.status >= 400) assert.equal(typeof res.body?.error?.code, 'string');
    conforms ??= documentChecker((await client(base).get('/docs/json')).body as OpenApiDocument);
    const drift = conforms(row.method, row.route, res.status, res.headers.get('content-type'), res.body);
    assert.equal(drift, null, `${caller}: ${drift}`);
    // Who is calling is settled before the body is read: a caller refused with 401 learns nothing
    // of the schema from a body that is malformed or invalid, and makes Herald parse nothing.
    if (expected === 401 && row.method !== 'GET' && !row.stream) {
      for (const bad of INVALID_BODIES) {
        const refused = await client(base, token ?? undefined).request(row.method, path, bad, {
          ...auth,
          'content-type': 'application/json',
        });
        assert.equal(
          refused.status,
          401,
          `${caller}: ${row.method} ${path} with body ${bad} → ${refused.status} ${JSON.stringify(refused.body)}`,
        );
        assert.equal(
          conforms(row.method, row.route, 401, refused.headers.get('content-type'), refused.body),
          null,
        );
      }
    }
    if ((caller === 'otherService' || caller === 'otherRecipient') && row.mustNotLeak) {
      assert.equal(
        JSON.stringify(res.body).includes(row.mustNotLeak(f)),
        false,
        `${row.route} leaked A's data to B`,
      );
    }
  };

  /** Both services' state as their APIs show it, with A's recipients' inbox counts. */
  const state = async () => ({
    a: await stateOf(base, ctx.a, (r) => inboxHeaders(serviceA, ctx.shared.inboxHmacKey, r)),
    b: await stateOf(base, ctx.b),
  });

  for (const row of MATRIX) {
    it(`${row.method} ${row.route}`, async () => {
      const writes = row.method !== 'GET';
      const refused = CALLERS.filter((c) => (row.expect[c] ?? 0) >= 400);
      const allowed = CALLERS.filter((c) => !refused.includes(c));
      // Reads, and requests that are refused, all share one fixture; a refused request writes nothing.
      const before = writes ? await state() : null;
      for (const caller of refused) await cell(row, caller, ctx.shared);
      if (before) assert.deepEqual(await state(), before, `a refused ${row.method} ${row.route} wrote`);
      for (const caller of allowed) {
        const f = writes && row.fresh ? { ...ctx.shared, ...(await row.fresh(ctx)) } : ctx.shared;
        await cell(row, caller, f);
      }
      if (writes) await row.settle?.(ctx);
    });
  }

  /**
   * A hostile service: service B, with a valid key, aims everything it can at service A and at
   * Herald's own network and domain. Each attempt must be refused (or come back holding only B's
   * own data), with the JSON error and never a 500, and A's data must be as it was.
   */
  it('a hostile service is refused every cross-tenant attack, never with a 500', async () => {
    const f = ctx.shared;
    const b = client(base, tokens.otherService ?? '');
    const a = client(base, tokens.owner ?? '');
    const seen: string[] = [];
    const refused = async (
      what: string,
      res: { status: number; body: any },
      status: number | ((s: number) => boolean),
      /** A's ids B sent itself: an error may echo those back. */
      asked: string[] = [],
    ) => {
      seen.push(`${what} → ${res.status}`);
      assert.ok(res.status < 500, `${what} → ${res.status} ${JSON.stringify(res.body)}`);
      const ok = typeof status === 'number' ? res.status === status : status(res.status);
      assert.ok(ok, `${what} → ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status >= 400) assert.equal(typeof res.body?.error?.code, 'string', what);
      const secrets = [f.notificationId, f.deliveryId, f.inboxSecret, f.inboxItemId, 'ann@example.com'];
      for (const secret of secrets.filter((x) => !asked.includes(x)))
        assert.equal(JSON.stringify(res.body).includes(secret), false, `${what} leaked A's data`);
    };
    const clientError = (s: number) => s >= 400 && s < 500;

    // A's ids, in paths, bodies and cursors.
    await refused('A notification', await b.get(`/v1/notifications/${f.notificationId}`), 404, [
      f.notificationId,
    ]);
    await refused('A history', await b.get(`/v1/deliveries/${f.deliveryId}/history`), 404, [f.deliveryId]);
    await refused('A replay', await b.post(`/v1/deliveries/${f.deliveryId}/retry`), 404, [f.deliveryId]);
    await refused(
      "A's audience",
      await b.post('/v1/notifications', {
        type: 'order_shipped',
        audience: { id: f.audienceId },
        channels: ['email'],
        content: { email: { subject: 's', text: 't' } },
      }),
      422,
    );
    const cursor = Buffer.from(
      JSON.stringify({ updatedAt: '2000-01-01 00:00:00+00', id: f.deliveryId }),
    ).toString('base64url');
    await refused('cursor at A', await b.get(`/v1/deliveries?status=sent&cursor=${cursor}`), 200);
    await refused('year 0', await b.get('/v1/deliveries?since=0000-01-01T00:00:00Z'), 422);
    await refused('31 February', await b.get('/v1/deliveries?since=2024-02-31T00:00:00Z'), 422);
    // A's recipients through the inbox: B's own HMAC key cannot sign for A's service.
    const bSecret =
      (await b.get('/v1/inbox/secret')).body?.hmacKey ?? (await b.post('/v1/inbox/secret', {})).body.hmacKey;
    await refused(
      "A's inbox with B's secret",
      await client(base).request(
        'GET',
        '/v1/inbox/items',
        undefined,
        inboxHeaders(f.serviceId, bSecret, 'ann'),
      ),
      401,
    );

    // Herald's own network, through credentials and endpoints (IPv6 forms of the metadata address).
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://[::a9fe:a9fe]/',
      'http://[64:ff9b:1::a9fe:a9fe]/',
      'http://[2002:a9fe:a9fe::1]/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      await refused(
        `slack baseUrl ${url}`,
        await b.put('/v1/providers/b-slack/credentials', { type: 'slack', credentials: { baseUrl: url } }),
        422,
      );
      await refused(
        `webhook endpoint ${url}`,
        await b.post('/v1/webhook-endpoints', { url, events: ['delivery.sent'] }),
        422,
      );
      await refused(
        `fcm baseUrl ${url}`,
        await b.put('/v1/providers/b-fcm/credentials', { type: 'fcm', credentials: { baseUrl: url } }),
        clientError,
      );
    }

    // The operator's views: metrics and the counts of shared providers.
    await refused('metrics', await b.get('/metrics'), 401);
    const providers = await b.get('/v1/providers');
    await refused('providers', providers, 200);
    for (const p of providers.body.data) assert.equal(p.succeeded, null, JSON.stringify(p));

    // Herald's domain as an open redirect.
    await refused('link host *', await b.put('/v1/service/link-hosts', { hosts: ['*'] }), 422);
    await refused(
      'link host URL',
      await b.put('/v1/service/link-hosts', { hosts: ['https://evil.example/'] }),
      422,
    );
    await refused('an impossible recipient id', await b.put('/v1/recipients/%00', { locale: 'en' }), 422);
    assert.equal((await b.put('/v1/notification-types/promo', { kind: 'commercial' })).status < 300, true);
    const sent = await b.post('/v1/notifications', {
      type: 'promo',
      recipient: { id: 'mark', email: 'mark@example.com' },
      channels: ['email'],
      content: {
        email: { subject: 's', text: 't', html: '<a href="https://evil.example/login">Log in</a>' },
      },
    });
    assert.equal(sent.status, 202);
    const n = await waitForNotification(b, sent.body.id);
    const mail = (await b.get('/v1/outbox')).body.data.find((m: any) => m.deliveryId === n.deliveries[0].id);
    const click = /\/t\/c\/[A-Za-z0-9_.-]+/.exec(mail.content.html)?.[0];
    assert.ok(click, mail.content.html);
    const followed = await fetch(`${base}${click}`, { redirect: 'manual' });
    assert.equal(followed.status, 200, 'a leaving page, not a redirect');
    assert.equal(followed.headers.get('location'), null);
    assert.match(await followed.text(), /evil\.example/);

    // A is untouched.
    assert.equal((await a.get(`/v1/notifications/${f.notificationId}`)).body.deliveries[0].status, 'sent');
    assert.deepEqual((await a.get('/v1/service/link-hosts')).body.hosts, ['a-hosts.example']);
    assert.ok(seen.length >= 25, seen.join('\n'));
  });
});
