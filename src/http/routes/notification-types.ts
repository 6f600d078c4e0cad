import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { previewTemplate, saveTemplate, type TemplateDeps } from '../../app/templates.ts';
import { CHANNELS } from '../../domain/channels.ts';
import { notFound } from '../../domain/errors.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import { serviceAuth } from '../auth.ts';
import { assertContentShape } from '../content-shape.ts';
import {
  LocaleParam,
  NotificationTypeBody,
  NotificationTypeOut,
  TemplateOut,
} from '../preference-schemas.ts';
import { errorResponses, RecipientFieldsSchema, TypeKey } from '../schemas.ts';
import { invalid } from '../../domain/errors.ts';
import type { TemplateRenderer } from '../../domain/templates.ts';
import { stepProblems, type Step } from '../../domain/workflow-steps.ts';

/** 422 `validation_failed` listing each bad step field by its JSON pointer; template errors as they come. */
function assertSteps(steps: readonly Step[], renderer: TemplateRenderer): void {
  const problems = stepProblems(
    steps,
    { template: (source, field) => renderer.check(source, field) },
    '/steps',
  );
  if (problems.length > 0)
    throw invalid(
      'validation_failed',
      `Invalid body: ${problems.map((p) => `body${p.path} ${p.message}`).join('; ')}.`,
      problems.map((p) => ({ in: 'body', ...p })),
    );
}

/** Notification types and their templates (type × channel × locale, versioned). */
export function notificationTypesRoutes(deps: TemplateDeps & { keys: ApiKeyStore }): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));
    const security = [{ apiKey: [] }];
    const typeParams = Type.Object({ key: TypeKey });
    const templateParams = Type.Object({ key: TypeKey, channel: Type.Enum(CHANNELS), locale: LocaleParam });

    app.put(
      '/v1/notification-types/:key',
      {
        schema: {
          tags: ['notification types'],
          summary:
            'Create or replace a notification type: category, kind, default channels, TTL, collapse key, workflow steps.',
          security,
          params: typeParams,
          body: NotificationTypeBody,
          response: { 200: NotificationTypeOut, 201: NotificationTypeOut, ...errorResponses(401, 422) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        if (b.collapseKey !== null) deps.renderer.check(b.collapseKey, 'collapseKey');
        const steps: Step[] | null = b.steps ?? null;
        if (steps) assertSteps(steps, deps.renderer);
        const { type, created } = await deps.types.put(request.serviceId, {
          key: request.params.key,
          description: b.description,
          category: b.category,
          kind: b.kind,
          defaultChannels: b.defaultChannels,
          ttlSeconds: b.ttlSeconds,
          collapseKey: b.collapseKey,
          tracking: b.tracking,
          steps,
        });
        return reply.status(created ? 201 : 200).send(type);
      },
    );

    app.get(
      '/v1/notification-types',
      {
        schema: {
          tags: ['notification types'],
          summary: "The service's notification types.",
          security,
          response: { 200: Type.Object({ data: Type.Array(NotificationTypeOut) }), ...errorResponses(401) },
        },
      },
      async (request) => ({ data: await deps.types.list(request.serviceId) }),
    );

    app.get(
      '/v1/notification-types/:key',
      {
        schema: {
          tags: ['notification types'],
          summary: 'One notification type and its settings.',
          security,
          params: typeParams,
          response: { 200: NotificationTypeOut, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const type = await deps.types.get(request.serviceId, request.params.key);
        if (!type) throw notFound('notification type', request.params.key);
        return type;
      },
    );

    app.put(
      '/v1/notification-types/:key/templates/:channel/:locale',
      {
        schema: {
          tags: ['templates'],
          summary:
            'Save a new version of the template for a channel and locale (`default` is the fallback). ' +
            'Every string is parsed; a syntax error is a 422 `template_syntax_error` with line and column.',
          security,
          params: templateParams,
          body: Type.Record(Type.String(), Type.Unknown(), { maxProperties: 20 }),
          response: { 201: TemplateOut, ...errorResponses(401, 404, 413, 422) },
        },
      },
      async (request, reply) => {
        const { key, channel, locale } = request.params;
        const content: unknown = request.body;
        assertContentShape(channel, content);
        const saved = await saveTemplate(deps, request.serviceId, key, channel, canonical(locale), content);
        return reply.status(201).send(saved);
      },
    );

    app.get(
      '/v1/notification-types/:key/templates',
      {
        schema: {
          tags: ['templates'],
          summary: 'The newest version of every (channel, locale) template of a type.',
          security,
          params: typeParams,
          response: { 200: Type.Object({ data: Type.Array(TemplateOut) }), ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        if (!(await deps.types.get(request.serviceId, request.params.key)))
          throw notFound('notification type', request.params.key);
        return { data: await deps.templates.latest(request.serviceId, request.params.key) };
      },
    );

    app.get(
      '/v1/notification-types/:key/templates/:channel/:locale/versions',
      {
        schema: {
          tags: ['templates'],
          summary: 'Every saved version of one template, newest first.',
          security,
          params: templateParams,
          response: { 200: Type.Object({ data: Type.Array(TemplateOut) }), ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const { key, channel, locale } = request.params;
        const data = await deps.templates.history(request.serviceId, key, channel, canonical(locale));
        if (data.length === 0) throw notFound('template', `${key}/${channel}/${locale}`);
        return { data };
      },
    );

    app.post(
      '/v1/notification-types/:key/templates/:channel/preview',
      {
        schema: {
          tags: ['templates'],
          summary:
            'Render the template a recipient in `locale` would get (with fallback), or unsaved `content`, with sample data.',
          security,
          params: Type.Object({ key: TypeKey, channel: Type.Enum(CHANNELS) }),
          body: Type.Object(
            {
              locale: Type.Optional(LocaleParam),
              data: Type.Optional(
                Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 500 }),
              ),
              recipient: Type.Optional(
                Type.Object(
                  { id: Type.Optional(Type.String({ maxLength: 256 })), ...RecipientFieldsSchema.properties },
                  { additionalProperties: false },
                ),
              ),
              content: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 20 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              locale: Type.Union([Type.String(), Type.Null()]),
              version: Type.Union([Type.Integer(), Type.Null()]),
              rendered: Type.Record(Type.String(), Type.Unknown()),
            }),
            ...errorResponses(401, 404, 422),
          },
        },
      },
      async (request) => {
        const { key, channel } = request.params;
        const body = request.body;
        if (body.content !== undefined) assertContentShape(channel, body.content);
        const { recipient, ...rest } = body;
        return previewTemplate(deps, request.serviceId, key, channel, {
          ...rest,
          ...(recipient
            ? {
                recipient: {
                  ...(recipient.id !== undefined ? { id: recipient.id } : {}),
                  ...(recipient.email !== undefined ? { email: recipient.email } : {}),
                  ...(recipient.phone !== undefined ? { phone: recipient.phone } : {}),
                  ...(recipient.locale !== undefined ? { locale: recipient.locale } : {}),
                  ...(recipient.timezone !== undefined ? { timezone: recipient.timezone } : {}),
                  ...(recipient.attributes !== undefined ? { attributes: recipient.attributes } : {}),
                },
              }
            : {}),
        });
      },
    );
  };
}

/** `fr-ca` and `fr-CA` are one locale; `default` stays as it is. */
function canonical(locale: string): string {
  if (locale === 'default') return locale;
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? locale;
  } catch {
    return locale;
  }
}
