/** Saving and previewing stored templates. Saving checks every string parses; preview renders with sample data. */
import type { Channel } from '../domain/channels.ts';
import { invalid, notFound } from '../domain/errors.ts';
import { pickLocale } from '../domain/locales.ts';
import { templateStrings, type TemplateRenderer } from '../domain/templates.ts';
import type { Recipient } from '../domain/types.ts';
import type { NotificationTypeStore, StoredTemplate, TemplateStore } from '../ports/preferences-store.ts';
import { renderContent, templateVars } from '../domain/plan-deliveries.ts';

export interface TemplateDeps {
  types: NotificationTypeStore;
  templates: TemplateStore;
  renderer: TemplateRenderer;
}

/**
 * Throws 422 `template_syntax_error` (with line and column) when a string does not parse. The shape
 * of the content was checked against the channel's schema by the HTTP layer.
 */
export function checkTemplateContent(renderer: TemplateRenderer, channel: Channel, content: unknown): void {
  if (channel === 'email') {
    const c = content as { text?: string; html?: string };
    if (c.text === undefined && c.html === undefined) {
      throw invalid('validation_failed', 'Email content needs a text or an html body.', [
        { in: 'body', path: '/', message: 'must have text or html' },
      ]);
    }
  }
  renderer.checkAll(templateStrings(content, ''));
}

export async function saveTemplate(
  deps: TemplateDeps,
  serviceId: string,
  typeKey: string,
  channel: Channel,
  locale: string,
  content: Record<string, unknown>,
): Promise<StoredTemplate> {
  if (!(await deps.types.get(serviceId, typeKey))) throw notFound('notification type', typeKey);
  checkTemplateContent(deps.renderer, channel, content);
  return deps.templates.save(serviceId, { typeKey, channel, locale, content });
}

export interface PreviewRequest {
  locale?: string;
  data?: Record<string, unknown>;
  recipient?: Partial<Pick<Recipient, 'id' | 'email' | 'phone' | 'locale' | 'timezone' | 'attributes'>>;
  /** Unsaved content to try out; without it the stored template for the locale is used. */
  content?: Record<string, unknown>;
}

export async function previewTemplate(
  deps: TemplateDeps,
  serviceId: string,
  typeKey: string,
  channel: Channel,
  req: PreviewRequest,
): Promise<{ locale: string | null; version: number | null; rendered: Record<string, unknown> }> {
  if (!(await deps.types.get(serviceId, typeKey))) throw notFound('notification type', typeKey);
  let source = req.content;
  let chosen: StoredTemplate | undefined;
  const locale = req.locale ?? req.recipient?.locale ?? null;
  if (source) checkTemplateContent(deps.renderer, channel, source);
  else {
    const all = (await deps.templates.latest(serviceId, typeKey)).filter((t) => t.channel === channel);
    const picked = pickLocale(
      locale,
      all.map((t) => t.locale),
    );
    chosen = all.find((t) => t.locale === picked);
    if (!chosen) throw notFound('template', `${typeKey}/${channel}/${locale ?? 'default'}`);
    source = chosen.content;
  }
  const now = new Date();
  const recipient: Recipient = {
    id: req.recipient?.id ?? 'sample-recipient',
    email: req.recipient?.email ?? 'sample@example.com',
    phone: req.recipient?.phone ?? null,
    locale,
    timezone: req.recipient?.timezone ?? null,
    attributes: req.recipient?.attributes ?? {},
    createdAt: now,
    updatedAt: now,
  };
  try {
    const rendered = await renderContent(
      source,
      templateVars({ data: req.data ?? {} }, recipient),
      deps.renderer.session(serviceId),
    );
    return { locale: chosen?.locale ?? null, version: chosen?.version ?? null, rendered };
  } catch (err) {
    throw invalid('template_render_error', `The template failed to render: ${(err as Error).message}`);
  }
}
