/**
 * Template rendering with LiquidJS, hardened for untrusted templates: own properties only (no
 * prototype walks), no file system (an empty in-memory template map backs include/render), bounded
 * parse size, render time and memory. HTML bodies escape every output unless `| raw` is written.
 */
import { Liquid, LiquidError, Tag, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import { invalid } from './errors.ts';

export interface TemplateLimits {
  maxTemplateChars: number;
  renderTimeMs: number;
  memory: number;
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = {
  maxTemplateChars: 100_000,
  renderTimeMs: 200,
  memory: 10_000_000,
};

export type Vars = Record<string, unknown>;

export interface TemplateRenderer {
  /** Throws a 422 `template_syntax_error` naming line and column when the template does not parse. */
  check(source: string, field: string): void;
  render(source: string, vars: Vars, mode?: 'text' | 'html'): Promise<string>;
  /** The context variables a template reads (root names: `recipient`, not `recipient.name`). */
  variables(source: string): string[];
}

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

export function createTemplateRenderer(limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS): TemplateRenderer {
  const engines = { text: makeEngine(limits, false), html: makeEngine(limits, true) };
  // Parsed templates are reused across recipients of one notification and across notifications.
  const cache = new Map<string, Template[]>();
  const parse = (source: string, mode: 'text' | 'html'): Template[] => {
    const key = `${mode}\u0000${source}`;
    let parsed = cache.get(key);
    if (!parsed) {
      parsed = engines[mode].parse(source);
      if (cache.size >= 1000) cache.delete(cache.keys().next().value as string);
      cache.set(key, parsed);
    }
    return parsed;
  };

  return {
    check(source, field) {
      if (source.length > limits.maxTemplateChars) {
        throw invalid(
          'template_syntax_error',
          `${field} is longer than ${limits.maxTemplateChars} characters.`,
          {
            field,
          },
        );
      }
      try {
        parse(source, 'text');
      } catch (err) {
        const where = positionOf(err);
        throw invalid('template_syntax_error', `${field}: ${(err as Error).message}`, { field, ...where });
      }
    },
    // Herald registers no asynchronous filter or tag, so the synchronous renderer gives the same
    // output without a promise per node (the asynchronous one cost more than the rendering itself).
    async render(source, vars, mode = 'text') {
      return engines[mode].renderSync(parse(source, mode), vars) as string;
    },
    variables(source) {
      return engines.text.globalVariablesSync(parse(source, 'text'));
    },
  };
}

/**
 * A renderer for one batch of recipients that renders each template once when its output cannot
 * differ between them: the template reads none of `perRecipient` (the recipient, their own links),
 * so the output depends only on the values of the variables it reads, which are part of the key
 * (uploaded per-recipient data may still override a notification's data).
 */
export function sharedRenders(renderer: TemplateRenderer, perRecipient: readonly string[]): TemplateRenderer {
  const reads = new Map<string, string[] | null>();
  const rendered = new Map<string, Promise<string>>();
  return {
    check: (source, field) => renderer.check(source, field),
    variables: (source) => renderer.variables(source),
    render(source, vars, mode = 'text') {
      let names = reads.get(source);
      if (names === undefined) {
        const all = renderer.variables(source);
        names = all.some((v) => perRecipient.includes(v)) ? null : all;
        reads.set(source, names);
      }
      if (names === null) return renderer.render(source, vars, mode);
      const key = `${mode}\u0000${source}\u0000${JSON.stringify(names.map((v) => vars[v]))}`;
      let out = rendered.get(key);
      if (!out) rendered.set(key, (out = renderer.render(source, vars, mode)));
      return out;
    },
  };
}
