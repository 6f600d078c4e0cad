/**
 * What a service may put in its own provider credentials (`PUT /v1/providers/{name}/credentials`), and
 * the entry its sender is built from. That entry is the service's credentials alone: nothing of the
 * operator's entry for the provider is merged in but the operator's policy (the web push allow-list),
 * so no operator secret, token or signed assertion can follow a URL a service chose. Hence every secret
 * a type needs is required here, even where the operator's config may name a file instead, and a URL
 * field is refused unless the operator opened it to services (`serviceUrls` on the provider entry).
 * Checked when saved and again when a stored set is loaded to send, so a set saved under older rules,
 * or a URL the operator has since closed, fails its deliveries instead of being used.
 */
import { Type, type TObject } from 'typebox';
import { Value } from 'typebox/value';
import { PROVIDERS, type AnyProvider } from './adapters/channels/providers.ts';
import type { Provider } from './adapters/channels/provider.ts';

/** The provider types services may bring their own credentials for (all but SMTP and webhooks). */
export type CredentialType = Exclude<AnyProvider, { serviceCredentials: false }>['type'];

const CREDENTIAL_PROVIDERS: ReadonlyMap<string, Provider> = new Map(
  Object.values(PROVIDERS)
    .flat()
    .filter((p: Provider) => p.serviceCredentials !== false)
    .map((p: Provider) => [p.type, p]),
);

/**
 * Only the operator may set these: files on Herald's host, the web push endpoint allow-list, and which
 * URL fields services may set.
 */
const OPERATOR_ONLY = [
  'name',
  'type',
  'serviceAccountFile',
  'privateKeyFile',
  'endpointPattern',
  'serviceUrls',
] as const;

/** The rules of a credential type: from its provider's `serviceCredentials`. */
function rules(type: CredentialType) {
  const provider = CREDENTIAL_PROVIDERS.get(type);
  if (!provider || provider.serviceCredentials === false) throw new Error(`${type} takes no credentials`);
  return { provider, ...provider.serviceCredentials };
}

/**
 * The provider's entry schema without what only the operator may set, and with the secrets the
 * operator may read from a file (`requiredSecrets`) required: a service must give them inline.
 */
function serviceSchema(type: CredentialType): TObject {
  const { provider, requiredSecrets = [] } = rules(type);
  const open = Type.Omit(provider.configSchema, [...OPERATOR_ONLY]);
  const required: readonly string[] = requiredSecrets;
  return Type.Object(
    {
      ...open.properties,
      ...(required.length ? Type.Required(Type.Pick(open, [...required])).properties : {}),
    },
    { additionalProperties: false },
  );
}

export const isCredentialType = (type: string): type is CredentialType => CREDENTIAL_PROVIDERS.has(type);

/** What a service may send for each credential type, by type. */
export const SERVICE_CREDENTIALS: Readonly<Record<CredentialType, TObject>> = Object.fromEntries(
  [...CREDENTIAL_PROVIDERS.keys()].filter(isCredentialType).map((type) => [type, serviceSchema(type)]),
) as Record<CredentialType, TObject>;

/** One problem, at a JSON pointer inside the credentials object (`/baseUrl`, `/serviceAccount`). */
export interface CredentialProblem {
  path: string;
  message: string;
}

/** The value at a slash-separated field path (`serviceAccount/token_uri`). */
function at(credentials: Record<string, unknown>, field: string): unknown {
  return field
    .split('/')
    .reduce<unknown>(
      (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
      credentials,
    );
}

/** The URLs a set of credentials names, by field: where Herald will connect on the service's behalf. */
export function credentialUrls(
  type: CredentialType,
  credentials: Record<string, unknown>,
): { field: string; url: string }[] {
  return rules(type).provider.urlFields.flatMap((field) => {
    const url = at(credentials, field);
    return typeof url === 'string' ? [{ field, url }] : [];
  });
}

/**
 * Why a service's credentials for a provider of `type` may not be used (empty when they may): the
 * type's schema with its secrets required, then every URL field the operator did not open.
 */
export function credentialProblems(
  type: string,
  credentials: Record<string, unknown>,
  openUrls: readonly string[],
): CredentialProblem[] {
  if (!isCredentialType(type)) return [{ path: '', message: `${type} takes no service credentials` }];
  const schema = SERVICE_CREDENTIALS[type];
  if (!Value.Check(schema, credentials)) {
    return [...Value.Errors(schema, credentials)].flatMap((e) => {
      // A missing field is reported at the field itself, so a client can point at it.
      const missing = (e.params as { requiredProperties?: string[] } | undefined)?.requiredProperties;
      return missing?.length
        ? missing.map((p) => ({ path: `${e.instancePath}/${p}`, message: 'is required' }))
        : [{ path: e.instancePath, message: e.message }];
    });
  }
  const publicUrls: Readonly<Record<string, readonly string[] | undefined>> = rules(type).publicUrls ?? {};
  return credentialUrls(type, credentials)
    .filter(({ field, url }) => !openUrls.includes(field) && !publicUrls[field]?.includes(url))
    .map(({ field }) => ({
      path: `/${field}`,
      message: `may not be set by a service: the operator has not opened ${field} to services (serviceUrls)`,
    }));
}

/** The operator's entry for a provider, as far as the rules for services' credentials read it. */
export interface OperatorEntry {
  name: string;
  type: string;
  serviceUrls?: readonly string[] | undefined;
  endpointPattern?: string | undefined;
}

/** The URL fields the configured provider `name` of `type` opened to services; none otherwise. */
export function openUrlFields(
  entries: readonly OperatorEntry[],
  name: string,
  type: string,
): readonly string[] {
  return entries.find((e) => e.name === name && e.type === type)?.serviceUrls ?? [];
}

/** Why a service's stored credentials for the operator's `entry` may not be used, in one line; null if they may. */
export function storedCredentialsProblem(entry: OperatorEntry, own: Record<string, unknown>): string | null {
  const problems = credentialProblems(entry.type, own, entry.serviceUrls ?? []);
  return problems.length ? problems.map((e) => `${e.path} ${e.message}`).join('; ') : null;
}

/**
 * The entry a service's sender is built from: its own credentials under the operator's name and type,
 * plus the operator's policy, which a service may narrow by nothing and widen by nothing.
 */
export function serviceEntry(operator: OperatorEntry, own: Record<string, unknown>): Record<string, unknown> {
  return {
    ...own,
    name: operator.name,
    type: operator.type,
    ...(operator.endpointPattern !== undefined ? { endpointPattern: operator.endpointPattern } : {}),
  };
}
