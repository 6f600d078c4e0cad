/**
 * Trigger rules: how one of a service's events becomes notifications. A rule is keyed by the event
 * name and lists notifications; each says its type, who receives it (a JSON Pointer into the payload,
 * a fixed list, or a topic whose key is a template over the payload), channels, priority, an optional
 * LiquidJS condition, and the `data` its templates see (the payload, or a mapping of pointers).
 *
 * Everything here is pure: a rule is checked once when saved (`ruleProblems`), and an event is
 * expanded with `expandEvent`, whose only dependency is the template renderer.
 */
import { TokenKind, Tokenizer } from 'liquidjs';
import type { Channel } from './channels.ts';
import type { TemplateRenderer, Vars } from './templates.ts';
import type { Priority } from './types.ts';
import type { Audience } from './audience.ts';
import { normaliseIds } from './audience.ts';

export type RuleRecipients = { recipient: string } | { recipients: string[] | string } | { topic: string };

export interface RuleNotification {
  type: string;
  to: RuleRecipients;
  channels?: Channel[];
  priority?: Priority;
  /** A LiquidJS expression over the payload's fields, e.g. `quantity > 0 and side == "buy"`. */
  condition?: string;
  /** Left out: the whole payload. A mapping: each key takes the value at its JSON Pointer. */
  data?: Record<string, string>;
}

export interface TriggerRule {
  event: string;
  notifications: RuleNotification[];
}

export interface EventInput {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  occurredAt: Date | null;
}

/** A problem with a rule, at the JSON Pointer of the field in the request body. */
export interface RuleProblem {
  path: string;
  message: string;
}

/** RFC 6901: '' is the whole document; otherwise '/'-separated tokens with ~1 for '/' and ~0 for '~'. */
export function parsePointer(pointer: string): string[] | null {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return null;
  const tokens = pointer.slice(1).split('/');
  // A '~' must be followed by 0 or 1.
  if (tokens.some((t) => /~(?![01])/.test(t))) return null;
  return tokens.map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function resolvePointer(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (!tokens) return undefined;
  let at: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(at)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      at = at[Number(token)];
    } else if (at !== null && typeof at === 'object' && Object.hasOwn(at, token)) {
      at = (at as Record<string, unknown>)[token];
    } else return undefined;
  }
  return at;
}

/** Liquid delimiters inside a condition would let it escape the `{% if %}` it is wrapped in. */
const DELIMITERS = /\{\{|\}\}|\{%|%\}/;
const conditionTemplate = (condition: string) => `{% if ${condition} %}1{% endif %}`;

/**
 * LiquidJS reads an `if` leniently (`amount >` parses, and is then just false), so a condition is
 * checked as a whole expression: operands and binary operators alternating (`not` may prefix an
 * operand), every character consumed. Null: it is one.
 */
export function conditionProblem(condition: string): string | null {
  let tokens;
  const tokenizer = new Tokenizer(condition);
  try {
    tokens = [...tokenizer.readExpressionTokens()];
  } catch (err) {
    return (err as Error).message;
  }
  if (condition.slice(tokenizer.p).trim() !== '')
    return `cannot read '${condition.slice(tokenizer.p, tokenizer.p + 40)}'`;
  let wantOperand = true;
  for (const token of tokens) {
    const operator = token.kind === TokenKind.Operator;
    if (wantOperand && operator && token.getText() === 'not') continue;
    if (operator === wantOperand)
      return wantOperand
        ? `expected a value before '${token.getText()}'`
        : `expected an operator before '${token.getText()}'`;
    wantOperand = !wantOperand;
  }
  return wantOperand ? 'ends where a value is expected' : null;
}

/**
 * What is wrong with a rule, beyond its JSON shape (which the HTTP schema checks): pointer syntax,
 * template and condition syntax, and unknown notification types. Empty: the rule can be saved.
 */
export function ruleProblems(
  rule: Pick<TriggerRule, 'notifications'>,
  renderer: TemplateRenderer,
  knownType: (type: string) => boolean,
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const pointer = (value: string, path: string) => {
    if (parsePointer(value) === null)
      problems.push({ path, message: 'must be a JSON Pointer such as /userId (RFC 6901)' });
  };
  const template = (source: string, path: string) => {
    try {
      renderer.check(source, path);
    } catch (err) {
      problems.push({ path, message: (err as Error).message });
    }
  };
  rule.notifications.forEach((n, i) => {
    const at = `/notifications/${i}`;
    if (!knownType(n.type))
      problems.push({ path: `${at}/type`, message: `notification type '${n.type}' is not registered` });
    if ('recipient' in n.to) pointer(n.to.recipient, `${at}/to/recipient`);
    else if ('recipients' in n.to) {
      if (typeof n.to.recipients === 'string') pointer(n.to.recipients, `${at}/to/recipients`);
    } else template(n.to.topic, `${at}/to/topic`);
    if (n.condition !== undefined) {
      if (DELIMITERS.test(n.condition))
        problems.push({
          path: `${at}/condition`,
          message: 'is an expression: write it without {{ }} or {% %}',
        });
      else {
        const problem = conditionProblem(n.condition);
        if (problem) problems.push({ path: `${at}/condition`, message: `is not an expression: ${problem}` });
        else template(conditionTemplate(n.condition), `${at}/condition`);
      }
    }
    for (const [key, value] of Object.entries(n.data ?? {})) pointer(value, `${at}/data/${key}`);
  });
  return problems;
}

/** One of a rule's notifications, as expanded for one event. */
export type Expansion =
  | {
      index: number;
      type: string;
      status: 'created';
      notification: {
        type: string;
        audience: Audience;
        channels: Channel[] | undefined;
        priority: Priority;
        data: Record<string, unknown>;
      };
    }
  | { index: number; type: string; status: 'skipped'; reason: string };

/** What conditions and topic templates see: the payload's fields, and the event as `event`. */
export function eventVars(event: EventInput): Vars {
  return {
    ...event.payload,
    event: { id: event.id, name: event.name, occurredAt: event.occurredAt?.toISOString() ?? null },
  };
}

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;

async function audienceFor(
  to: RuleRecipients,
  event: EventInput,
  vars: Vars,
  renderer: TemplateRenderer,
): Promise<Audience | string> {
  if ('recipient' in to) {
    const id = resolvePointer(event.payload, to.recipient);
    return isId(id) ? { kind: 'recipients', ids: [id] } : `no recipient id at ${to.recipient}`;
  }
  if ('recipients' in to) {
    const ids =
      typeof to.recipients === 'string' ? resolvePointer(event.payload, to.recipients) : to.recipients;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every(isId))
      return `no list of recipient ids at ${String(to.recipients)}`;
    return { kind: 'recipients', ids: normaliseIds(ids) };
  }
  const topic = (await renderer.render(to.topic, vars)).trim();
  return /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(topic)
    ? { kind: 'topic', topic }
    : `topic template gave '${topic.slice(0, 140)}', which is not a topic key`;
}

/**
 * The notifications one event makes under a rule, in the rule's order. A notification whose condition
 * is false, or whose recipients the payload does not give, is `skipped` with the reason; the others are
 * `created`. Indexes are stable, so (event id, index) names each notification across re-runs.
 */
export async function expandEvent(
  rule: Pick<TriggerRule, 'notifications'>,
  event: EventInput,
  renderer: TemplateRenderer,
): Promise<Expansion[]> {
  const vars = eventVars(event);
  const out: Expansion[] = [];
  for (const [index, n] of rule.notifications.entries()) {
    const skip = (reason: string) => out.push({ index, type: n.type, status: 'skipped', reason });
    try {
      if (
        n.condition !== undefined &&
        (await renderer.render(conditionTemplate(n.condition), vars)) !== '1'
      ) {
        skip('condition is false');
        continue;
      }
      const audience = await audienceFor(n.to, event, vars, renderer);
      if (typeof audience === 'string') {
        skip(audience);
        continue;
      }
      const data: Record<string, unknown> = n.data
        ? Object.fromEntries(
            Object.entries(n.data).map(([k, p]) => [k, resolvePointer(event.payload, p) ?? null]),
          )
        : event.payload;
      out.push({
        index,
        type: n.type,
        status: 'created',
        notification: {
          type: n.type,
          audience,
          channels: n.channels,
          priority: n.priority ?? 'normal',
          data,
        },
      });
    } catch (err) {
      // A render limit or a filter error on this payload: this notification is skipped, not the event.
      skip(`rendering failed: ${(err as Error).message}`);
    }
  }
  return out;
}
