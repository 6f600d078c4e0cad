/**
 * A local Slack incoming-webhook host: `/services/T…/B…/<secret>` URLs it issued answer `ok`; others
 * `no_service`; the body must be JSON with `text` or `blocks`. Errors are Slack's plain-text reasons.
 */
import { randomBytes } from 'node:crypto';
import { header, startFakeHttp, type FakeHttp, type Reply } from './fake-http.ts';

export const SLACK_SCENARIOS = {
  channel_is_archived: { status: 410, body: 'channel_is_archived' },
  invalid_payload: { status: 400, body: 'invalid_payload' },
  action_prohibited: { status: 403, body: 'action_prohibited' },
  server_error: { status: 500, body: 'rollup_error' },
  rate_limited: { status: 429, headers: { 'retry-after': '120' }, body: 'rate_limited' },
} satisfies Record<string, Reply>;

export type SlackScenario = keyof typeof SLACK_SCENARIOS;

export interface SlackFake extends FakeHttp<SlackScenario> {
  /** A webhook URL this fake accepts, as Slack issues one per channel. */
  webhookUrl(): string;
}

export async function startSlackFake(): Promise<SlackFake> {
  const issued = new Set<string>();
  const fake = (await startFakeHttp<SlackScenario>({
    scenarios: SLACK_SCENARIOS,
    check(req) {
      if (req.method !== 'POST' || !issued.has(req.path)) return { status: 404, body: 'no_service' };
      if (!header(req, 'content-type')?.startsWith('application/json'))
        return SLACK_SCENARIOS.invalid_payload;
      try {
        const body = JSON.parse(req.body) as { text?: string; blocks?: unknown };
        if (!body.text && !body.blocks) return { status: 400, body: 'no_text' };
      } catch {
        return SLACK_SCENARIOS.invalid_payload;
      }
      return null;
    },
    success: () => ({ status: 200, body: 'ok' }),
  })) as SlackFake;
  fake.webhookUrl = () => {
    const path = `/services/T${randomBytes(4).toString('hex').toUpperCase()}/B${randomBytes(4).toString('hex').toUpperCase()}/${randomBytes(12).toString('hex')}`;
    issued.add(path);
    return `${fake.url}${path}`;
  };
  return fake;
}
