/**
 * Configuration: a file (`HERALD_CONFIG`, JSON or YAML) validated against a schema at start, with
 * environment variables on top for the common cases. A bad file stops Herald with every problem named.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_RETRY_POLICY } from './domain/retry-policy.ts';

const Smtp = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_-]+$' }),
    type: Type.Literal('smtp'),
    url: Type.Optional(Type.String({ pattern: '^smtps?://' })),
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    secure: Type.Optional(Type.Boolean()),
    user: Type.Optional(Type.String()),
    pass: Type.Optional(Type.String()),
    from: Type.String({ minLength: 3 }),
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
  },
  { additionalProperties: false },
);

const Retry = Type.Object(
  {
    maxAttempts: Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_RETRY_POLICY.maxAttempts }),
    maxAgeMs: Type.Integer({ minimum: 1000, default: DEFAULT_RETRY_POLICY.maxAgeMs }),
    baseDelayMs: Type.Integer({ minimum: 0, default: DEFAULT_RETRY_POLICY.baseDelayMs }),
    maxDelayMs: Type.Integer({ minimum: 0, default: DEFAULT_RETRY_POLICY.maxDelayMs }),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8025 }),
    publicUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    dataDir: Type.String({ default: './.herald' }),
    databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    /** Redis for inbox fan-out between API processes; without it, PostgreSQL LISTEN/NOTIFY does it. */
    redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    adminToken: Type.Optional(Type.String({ minLength: 16 })),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 50 * 1024 * 1024, default: 512 * 1024 }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
    worker: Type.Object(
      {
        leaseMs: Type.Integer({ minimum: 1000, default: 60_000 }),
        pollMs: Type.Integer({ minimum: 10, default: 1000 }),
        concurrency: Type.Integer({ minimum: 1, maximum: 1000, default: 16 }),
        sweepMs: Type.Integer({ minimum: 100, default: 5000 }),
        drainMs: Type.Integer({ minimum: 0, default: 20_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    inbox: Type.Object(
      {
        heartbeatMs: Type.Integer({ minimum: 1000, maximum: 600_000, default: 25_000 }),
        ticketTtlMs: Type.Integer({ minimum: 1000, maximum: 300_000, default: 30_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    retry: Type.Object(
      { default: Retry, email: Type.Optional(Retry), sms: Type.Optional(Retry), push: Type.Optional(Retry) },
      { additionalProperties: false, default: { default: {} } },
    ),
    providers: Type.Object(
      { email: Type.Optional(Type.Array(Smtp, { maxItems: 10 })) },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type SmtpProviderConfig = Static<typeof Smtp>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

function readFileConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read HERALD_CONFIG file ${path}: ${(err as Error).message}`);
  }
  try {
    return /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`HERALD_CONFIG file ${path} does not parse: ${(err as Error).message}`);
  }
}

function intFromEnv(env: Env, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ConfigError(`${name} must be a whole number, got '${v}'.`);
  return n;
}

/** File first, then the environment on top, then defaults; everything checked against the schema. */
export function loadConfig(env: Env = process.env, read: (path: string) => unknown = readFileConfig): Config {
  const file = env.HERALD_CONFIG ? read(env.HERALD_CONFIG) : {};
  if (file === null || typeof file !== 'object' || Array.isArray(file)) {
    throw new ConfigError('HERALD_CONFIG must hold an object at the top level.');
  }
  const raw = structuredClone(file) as Record<string, unknown>;
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== '') raw[key] = value;
  };
  set('databaseUrl', env.DATABASE_URL);
  set('redisUrl', env.REDIS_URL);
  set('dataDir', env.HERALD_DATA_DIR);
  set('adminToken', env.HERALD_ADMIN_TOKEN);
  set('host', env.HERALD_HOST);
  set('port', intFromEnv(env, 'HERALD_PORT') ?? intFromEnv(env, 'PORT'));
  set('publicUrl', env.HERALD_PUBLIC_URL);
  set('logLevel', env.HERALD_LOG_LEVEL);
  if (env.HERALD_SMTP_URL) {
    const providers = (raw.providers ?? {}) as Record<string, unknown>;
    const email: unknown[] = Array.isArray(providers.email) ? (providers.email as unknown[]) : [];
    providers.email = [
      {
        name: 'smtp',
        type: 'smtp',
        url: env.HERALD_SMTP_URL,
        from: env.HERALD_SMTP_FROM ?? 'Herald <herald@localhost>',
      },
      ...email,
    ];
    raw.providers = providers;
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  if (!Value.Check(ConfigSchema, withDefaults)) {
    const problems = [...Value.Errors(ConfigSchema, withDefaults)]
      .filter((e) => e.keyword !== 'boolean')
      .map((e) => `  ${e.instancePath || '(top)'}: ${e.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const config = withDefaults;
  for (const p of config.providers.email ?? []) {
    if (!p.url && !p.host) throw new ConfigError(`Email provider '${p.name}' needs a url or a host.`);
  }
  if (config.dataDir !== 'memory://') config.dataDir = resolve(config.dataDir);
  return config;
}
