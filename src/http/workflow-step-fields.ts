/**
 * Fields shared by a type's workflow steps (workflow-schemas.ts) and a notification's overrides of
 * them (`stepOverrides` on a send); here so the notification schemas need not import the step ones.
 */
import { Type } from 'typebox';

export const Duration = Type.String({
  pattern: '^\\d{1,6}[smhdw]$',
  description: 'A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days).',
});
export const Template = Type.String({ minLength: 1, maxLength: 512 });
export const LocalTime = Type.String({
  pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
  description: 'Schedule: closes daily at this local time in the recipient’s time zone.',
});

export const Cron = Type.String({
  minLength: 9,
  maxLength: 120,
  description:
    'Schedule: a cron expression (5 fields, or 6 with seconds first), read in the recipient’s time zone; the digest closes at its next run.',
});

export const Days = Type.Array(Type.Enum(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']), {
  minItems: 1,
  maxItems: 7,
  uniqueItems: true,
  description: 'With `at`: only on these local days of the week; every day when absent.',
});

export const StepOverridesSchema = Type.Object(
  {
    delay: Type.Optional(
      Type.Object(
        {
          duration: Type.Optional({ ...Duration, description: 'Replaces the delay (and its `until`).' }),
          until: Type.Optional({ ...Template, description: 'A template rendering to an ISO 8601 time.' }),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
    ),
    throttle: Type.Optional(
      Type.Object(
        {
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          window: Type.Optional(Duration),
          key: Type.Optional(Template),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
    ),
    digest: Type.Optional(
      Type.Object(
        {
          window: Type.Optional({ ...Duration, description: 'Look-back window; replaces the type’s `at`.' }),
          at: Type.Optional({ ...LocalTime, description: 'Daily local time; replaces the type’s `window`.' }),
          days: Type.Optional(Days),
          cron: Type.Optional({ ...Cron, description: 'A schedule; replaces the type’s `window` and `at`.' }),
          key: Type.Optional({
            ...Template,
            description: 'Events with the same rendered key share a digest.',
          }),
          maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
    ),
    escalate: Type.Optional(Type.Object({ after: Duration }, { additionalProperties: false })),
  },
  {
    additionalProperties: false,
    description:
      'This notification’s own parameters for its type’s workflow steps, by step type (every step of that type). The type must have such a step (422 otherwise).',
  },
);
