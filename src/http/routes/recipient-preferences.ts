import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../../domain/errors.ts';
import { mergePreferences } from '../../domain/preferences.ts';
import type { DeviceStore, ErasureStore, PreferenceStore } from '../../ports/preferences-store.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import { serviceAuth } from '../auth.ts';
import {
  DeviceBody,
  DeviceOut,
  PreferencesOut,
  PreferencesPatch,
  ServiceDefaults,
} from '../preference-schemas.ts';
import { errorResponses, RecipientId, Uuid } from '../schemas.ts';

export interface RecipientPreferenceDeps {
  keys: ApiKeyStore;
  devices: DeviceStore;
  preferences: PreferenceStore;
  erasure: ErasureStore;
}

/** A recipient's devices and preferences, the service's preference defaults, and erasure. */
export function recipientPreferencesRoutes(deps: RecipientPreferenceDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));
    const security = [{ apiKey: [] }];
    const params = Type.Object({ recipientId: RecipientId });

    app.get(
      '/v1/recipients/:recipientId/preferences',
      {
        schema: {
          tags: ['preferences'],
          summary: "The recipient's own settings (unset keys follow the service defaults).",
          security,
          params,
          response: { 200: PreferencesOut, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const prefs = await deps.preferences.get(request.serviceId, request.params.recipientId);
        if (!prefs) throw notFound('recipient', request.params.recipientId);
        return prefs;
      },
    );

    app.patch(
      '/v1/recipients/:recipientId/preferences',
      {
        schema: {
          tags: ['preferences'],
          summary:
            'Change some settings: channel and per-type/category switches merge, `null` removes a type or category rule, ' +
            '`quietHours: null` turns quiet hours off.',
          security,
          params,
          body: PreferencesPatch,
          response: { 200: PreferencesOut, ...errorResponses(401, 404, 422) },
        },
      },
      async (request) => {
        const patch = request.body;
        const next = await deps.preferences.update(request.serviceId, request.params.recipientId, (current) =>
          mergePreferences(current, patch),
        );
        if (!next) throw notFound('recipient', request.params.recipientId);
        return next;
      },
    );

    app.get(
      '/v1/preference-defaults',
      {
        schema: {
          tags: ['preferences'],
          summary: "The service's defaults, which each recipient's own settings override.",
          security,
          response: { 200: PreferencesOut, ...errorResponses(401) },
        },
      },
      async (request) => deps.preferences.serviceDefaults(request.serviceId),
    );

    app.put(
      '/v1/preference-defaults',
      {
        schema: {
          tags: ['preferences'],
          summary: "Replace the service's defaults.",
          security,
          body: ServiceDefaults,
          response: { 200: PreferencesOut, ...errorResponses(401, 422) },
        },
      },
      async (request) => {
        await deps.preferences.setServiceDefaults(request.serviceId, request.body);
        return deps.preferences.serviceDefaults(request.serviceId);
      },
    );

    app.post(
      '/v1/recipients/:recipientId/devices',
      {
        schema: {
          tags: ['devices'],
          summary:
            'Register a push token (`ios`, `android`) or a browser web-push subscription (`web`). ' +
            'Registering a known token again moves it to this recipient and reactivates it.',
          security,
          params,
          body: DeviceBody,
          response: { 201: DeviceOut, ...errorResponses(401, 404, 422) },
        },
      },
      async (request, reply) => {
        const { recipientId } = request.params;
        if (!(await deps.preferences.get(request.serviceId, recipientId)))
          throw notFound('recipient', recipientId);
        const b = request.body;
        const device = await deps.devices.register(
          request.serviceId,
          recipientId,
          b.platform === 'web'
            ? { platform: 'web', token: b.endpoint, keys: b.keys }
            : { platform: b.platform, token: b.token, keys: null },
        );
        return reply.status(201).send(device);
      },
    );

    app.get(
      '/v1/recipients/:recipientId/devices',
      {
        schema: {
          tags: ['devices'],
          summary: "The recipient's registered push devices and web push subscriptions.",
          security,
          params,
          response: { 200: Type.Object({ data: Type.Array(DeviceOut) }), ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const { recipientId } = request.params;
        if (!(await deps.preferences.get(request.serviceId, recipientId)))
          throw notFound('recipient', recipientId);
        return { data: await deps.devices.list(request.serviceId, recipientId) };
      },
    );

    app.delete(
      '/v1/recipients/:recipientId/devices/:deviceId',
      {
        schema: {
          tags: ['devices'],
          summary: 'Remove one device or subscription; its pending pushes go nowhere.',
          security,
          params: Type.Object({ recipientId: RecipientId, deviceId: Uuid }),
          response: { 204: Type.Null(), ...errorResponses(401, 404) },
        },
      },
      async (request, reply) => {
        const { recipientId, deviceId } = request.params;
        if (!(await deps.devices.remove(request.serviceId, recipientId, deviceId)))
          throw notFound('device', deviceId);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/v1/recipients/:recipientId',
      {
        schema: {
          tags: ['recipients'],
          summary:
            'Erase a recipient: contact data, devices, preferences and message content are deleted; delivery rows ' +
            'keep only channel, status and times under an unlinkable id, so counts stay right.',
          security,
          params,
          response: {
            200: Type.Object({ erased: Type.Literal(true), deliveriesAnonymised: Type.Integer() }),
            ...errorResponses(401, 404),
          },
        },
      },
      async (request) => {
        const result = await deps.erasure.erase(request.serviceId, request.params.recipientId);
        if (!result.erased) throw notFound('recipient', request.params.recipientId);
        return { erased: true as const, deliveriesAnonymised: result.deliveriesAnonymised };
      },
    );
  };
}
