/**
 * Template rendering with LiquidJS, hardened for untrusted templates: own properties only (no
 * prototype walks), no file system (an empty in-memory template map backs include/render), bounded
 * parse size, render time and memory. HTML bodies escape every output unless `| raw` is written.
 *
 * Templates come from every tenant and share one process, so what they cost is bounded per tenant:
 * the parse cache by bytes (a parsed template costs up to ~140 bytes per source character), the
 * templates in one request by total size, and render time per notification and per service per
 * second (render-budget.ts). Rendering yields to the event loop between renders, so one tenant's
 * heavy templates delay other tenants' requests by at most one render.
 */
import { Liquid, LiquidError, Tag, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import { ByteLru } from './byte-lru.ts';
import { invalid } from './errors.ts';
import { ServiceRenderBudget, type Clocks } from './render-budget.ts';
import type { Channel } from './channels.ts';

export interface TemplateLimits {
  maxTemplateChars: number;
  /** The most one render may take (LiquidJS stops it). */
  renderTimeMs: number;
  memory: number;
  /** What the parse cache may hold, by the estimate of `parsedBytes`. */
  cacheBytes: number;
  /** All the template strings of one request together, in UTF-8 bytes. */
  requestTemplateBytes: number;
  /** Render time one notification may spend on one recipient's messages, all channels and fields. */
  notificationRenderMs: number;
  /** Render time one service may spend in each second, in this process. */
  serviceRenderMsPerSecond: number;
  /** Rendering hands the event loop back once it has held it this long. */
  yieldEveryMs: number;
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = {
  maxTemplateChars: 100_000,
  renderTimeMs: 200,
  memory: 10_000_000,
  cacheBytes: 64 * 1024 * 1024,
  requestTemplateBytes: 256 * 1024,
  notificationRenderMs: 1000,
  serviceRenderMsPerSecond: 500,
  yieldEveryMs: 10,
};

/** One saved version of a type's template for one channel and locale (the template store's rows). */
export interface StoredTemplate {
  typeKey: string;
  channel: Channel;
  locale: string;
  version: number;
  content: Record<string, unknown>;
  createdAt: Date;
}

export type Vars = Record<string, unknown>;

/** Renders for one notification: its renders share one budget, charged to its service too. */
export interface RenderSession {
  render(source: string, vars: Vars, mode?: 'text' | 'html'): Promise<string>;
}

export interface TemplateRenderer extends RenderSession {
  /**
   * Throws a 422 `template_syntax_error` naming line and column when the template does not parse.
   * A checked template is not cached: checking is what anyone may ask for, rendering is not.
   */
  check(source: string, field: string): void;
  /** Checks several templates of one request: 422 `templates_too_large` when together too big. */
  checkAll(templates: readonly { source: string; field: string }[]): void;
  /** A session for one notification's renders for one recipient, charged to `serviceId`. */
  session(serviceId: string): RenderSession;
  cacheStats(): { entries: number; bytes: number };
  /** The context variables a template reads (root names: `recipient`, not `recipient.name`). */
  variables(source: string): string[];
}

/**
 * What a parsed template costs in memory, estimated from its source: measured with LiquidJS 10.30,
 * plain text costs ~1 byte per character and each `{{ }}` or `{% %}` 400 to 1,400 bytes (the densest
 * template, `{{a}}` repeated, ~140 bytes per character). The estimate errs high.
 */
export function parsedBytes(source: string): number {
  let tags = 0;
  for (let i = source.indexOf('{'); i !== -1; i = source.indexOf('{', i + 1)) {
    const next = source[i + 1];
    if (next === '{' || next === '%') tags++;
  }
  return 512 + 2 * source.length + 1500 * tags;
}

/** Every string in a content object, with its path: each is a template. */
export function templateStrings(value: unknown, path: string): { source: string; field: string }[] {
  const out: { source: string; field: string }[] = [];
  collectStrings(value, path, out);
  return out;
}

/** Every accepted notification is walked: one list, and a path built only for a string or a container. */
function collectStrings(value: unknown, path: string, out: { source: string; field: string }[]): void {
  if (typeof value === 'string') out.push({ source: value, field: path });
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string' || (v && typeof v === 'object')) collectStrings(v, `${path}[${i}]`, out);
    }
  } else if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k];
      if (typeof v === 'string' || (v && typeof v === 'object'))
        collectStrings(v, path ? `${path}.${k}` : k, out);
    }
  }
}

export interface RendererClocks extends Clocks {
  /** Lets other work run (setImmediate by default). */
  yieldNow(): Promise<void>;
  /** CPU time this thread has used, in ms: tells a render that computed long from one kept waiting. */
  cpu?(): number;
}

const REAL_CLOCKS: RendererClocks = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
  cpu: () => {
    const used = process.threadCpuUsage();
    return (used.user + used.system) / 1000;
  },
};

/** Tries after a render passed its time limit without computing that long (see `session`). */
const WAITED_RETRIES = 2;
/**
 * How old (wall clock, ms) the CPU reading a render starts from may be. Reading the thread's CPU time
 * is a system call, which cost about as much as rendering a short template (a topic key); a reading
 * shared by the renders of the next millisecond makes what a render that passed its limit is found
 * to have computed err high by at most this much.
 */
const CPU_READING_MAX_AGE_MS = 1;
const passedTimeLimit = (err: unknown) => /render limit exceeded/.test((err as Error)?.message ?? '');

/**
 * Tags that load another template. Herald templates are self-contained (there is nothing to include),
 * so these are refused when a template is saved, with their position, rather than failing at send.
 */
const LOADING_TAGS = ['include', 'render', 'layout'] as const;

class RefusedTag extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    throw new Error(`the ${token.name} tag is not available: templates cannot load other templates or files`);
  }
  *render(): Generator<unknown, void, unknown> {
    // Never reached: the constructor refuses the tag while parsing.
  }
}

function makeEngine(limits: TemplateLimits, escape: boolean): Liquid {
  const engine = new Liquid({
    ownPropertyOnly: true,
    templates: {},
    strictFilters: true,
    parseLimit: limits.maxTemplateChars,
    renderLimit: limits.renderTimeMs,
    memoryLimit: limits.memory,
    ...(escape ? { outputEscape: 'escape' as const } : {}),
  });
  for (const name of LOADING_TAGS) engine.registerTag(name, RefusedTag);
  return engine;
}

function positionOf(err: unknown): { line?: number; column?: number } {
  if (err instanceof LiquidError && err.token) {
    const [line, column] = err.token.getPosition();
    return { line, column };
  }
  return {};
}

export function createTemplateRenderer(
  options: Partial<TemplateLimits> = {},
  clocks: RendererClocks = REAL_CLOCKS,
): TemplateRenderer {
  const limits: TemplateLimits = { ...DEFAULT_TEMPLATE_LIMITS, ...options };
  const engines = { text: makeEngine(limits, false), html: makeEngine(limits, true) };
  // Parsed templates are reused across recipients of one notification and across notifications.
  const cache = new ByteLru<Template[]>(limits.cacheBytes);
  const parse = (source: string, mode: 'text' | 'html'): Template[] => {
    const key = `${mode}\u0000${source}`;
    let parsed = cache.get(key);
    if (!parsed) {
      parsed = engines[mode].parse(source);
      cache.set(key, parsed, parsedBytes(source) + 2 * key.length);
    }
    return parsed;
  };
  const services = new ServiceRenderBudget(limits.serviceRenderMsPerSecond, clocks);
  let heldSince = clocks.now();
  let cpuReading: { at: number; cpu: number } | undefined;
  const cpuAtStart = (now: number): number | undefined => {
    if (!clocks.cpu) return undefined;
    if (!cpuReading || now - cpuReading.at >= CPU_READING_MAX_AGE_MS)
      cpuReading = { at: now, cpu: clocks.cpu() };
    return cpuReading.cpu;
  };

  const check = (source: string, field: string): void => {
    if (source.length > limits.maxTemplateChars) {
      throw invalid(
        'template_syntax_error',
        `${field} is longer than ${limits.maxTemplateChars} characters.`,
        {
          field,
        },
      );
    }
    // Without an opening `{{` or `{%` a string is plain text, which always parses: most content
    // (subjects, URLs, payload values) is, and every accepted notification is checked.
    if (!source.includes('{{') && !source.includes('{%')) return;
    try {
      engines.text.parse(source);
    } catch (err) {
      const where = positionOf(err);
      throw invalid('template_syntax_error', `${field}: ${(err as Error).message}`, { field, ...where });
    }
  };

  const session = (serviceId: string | null, budgetMs: number): RenderSession => {
    let spent = 0;
    return {
      async render(source, vars, mode = 'text') {
        if (clocks.now() - heldSince >= limits.yieldEveryMs) {
          await clocks.yieldNow();
          heldSince = clocks.now();
        }
        // Plain text (no `{{` or `{%`) renders as itself in either mode: most content strings (URLs,
        // payload values, fixed subjects) are, and parsing and rendering them was most of a
        // webhook's planning. As in `check`; charged to no budget, as it takes no time.
        if (!source.includes('{{') && !source.includes('{%')) return source;
        if (serviceId !== null) await services.admit(serviceId);
        const left = budgetMs - spent;
        if (left <= 0)
          throw invalid(
            'template_render_error',
            `The notification's render budget (${limits.notificationRenderMs} ms) is spent.`,
            { budgetMs: limits.notificationRenderMs },
          );
        const limit = Math.max(1, Math.min(limits.renderTimeMs, left));
        for (let attempt = 0; ; attempt++) {
          const started = clocks.now();
          const cpuStarted = cpuAtStart(started);
          let took: number | undefined;
          try {
            // Herald registers no asynchronous filter or tag, so the synchronous renderer gives the same
            // output without a promise per node (the asynchronous one cost more than the rendering itself).
            return engines[mode].renderSync(parse(source, mode), vars, { renderLimit: limit }) as string;
          } catch (err) {
            // LiquidJS's limit is wall-clock time, which also counts time the process spent off the CPU
            // (a loaded machine, a collector pause): a cheap render could fail for it. One that passed
            // its limit having computed for less than it is tried again, charged only its CPU time.
            const cpuMs = cpuStarted === undefined || !clocks.cpu ? null : clocks.cpu() - cpuStarted;
            if (cpuMs === null || cpuMs >= limit || attempt >= WAITED_RETRIES || !passedTimeLimit(err))
              throw err;
            took = cpuMs;
          } finally {
            took ??= clocks.now() - started;
            spent += took;
            if (serviceId !== null) services.charge(serviceId, took);
          }
        }
      },
    };
  };
  const unscoped = session(null, Number.POSITIVE_INFINITY);

  return {
    check,
    checkAll(templates) {
      const bytes = templates.reduce((sum, t) => sum + Buffer.byteLength(t.source), 0);
      if (bytes > limits.requestTemplateBytes)
        throw invalid(
          'templates_too_large',
          `The templates in this request add up to ${bytes} bytes; the limit is ${limits.requestTemplateBytes}.`,
          { bytes, limit: limits.requestTemplateBytes },
        );
      for (const t of templates) check(t.source, t.field);
    },
    session: (serviceId) => session(serviceId, limits.notificationRenderMs),
    // Without a session a render is still bounded by its own limits, but by no notification's or
    // service's budget: only for callers that render on no tenant's behalf.
    render: (source, vars, mode) => unscoped.render(source, vars, mode),
    cacheStats: () => ({ entries: cache.size, bytes: cache.bytes }),
    variables: (source) => engines.text.globalVariablesSync(parse(source, 'text')),
  };
}

/**
 * A renderer for one batch of recipients that renders each template once when its output cannot
 * differ between them: the template reads none of `perRecipient` (the recipient, their own links),
 * so the output depends only on the values of the variables it reads, which are part of the key
 * (uploaded per-recipient data may still override a notification's data). A shared render is charged
 * to the session that made it; one that failed (a spent budget) is not shared.
 */
export function sharedRenders(renderer: TemplateRenderer, perRecipient: readonly string[]): TemplateRenderer {
  const reads = new Map<string, string[] | null>();
  const rendered = new Map<string, Promise<string>>();
  const shared = (inner: RenderSession): RenderSession => ({
    render(source, vars, mode = 'text') {
      let names = reads.get(source);
      if (names === undefined) {
        const all = renderer.variables(source);
        names = all.some((v) => perRecipient.includes(v)) ? null : all;
        reads.set(source, names);
      }
      if (names === null) return inner.render(source, vars, mode);
      const key = `${mode}\u0000${source}\u0000${JSON.stringify(names.map((v) => vars[v]))}`;
      let out = rendered.get(key);
      if (!out) {
        out = inner.render(source, vars, mode);
        rendered.set(key, out);
        out.catch(() => rendered.delete(key));
      }
      return out;
    },
  });
  return {
    check: (source, field) => renderer.check(source, field),
    checkAll: (templates) => renderer.checkAll(templates),
    cacheStats: () => renderer.cacheStats(),
    variables: (source) => renderer.variables(source),
    render: (source, vars, mode) => shared(renderer).render(source, vars, mode),
    session: (serviceId) => shared(renderer.session(serviceId)),
  };
}
