/** A small client for Herald's HTTP API, for tests. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Longer than any answer a test waits for; a hung request is a defect to see, not to wait out. */
const REQUEST_TIMEOUT_MS = 60_000;

export function client(baseUrl: string, token?: string) {
  const call = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      // A request the API never answers fails the test with this, rather than holding it open.
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  return {
    request: call,
    get: <T = any>(path: string, headers?: Record<string, string>) =>
      call<T>('GET', path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('POST', path, body, headers),
    put: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('PUT', path, body, headers),
    patch: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('PATCH', path, body, headers),
    delete: <T = any>(path: string, headers?: Record<string, string>) =>
      call<T>('DELETE', path, undefined, headers),
  };
}

export type Client = ReturnType<typeof client>;

/** Polls until `check` returns a value, or fails with the last value seen. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await check().catch((err: unknown) => {
      last = err;
      return undefined;
    });
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function registerService(admin: Client, name = 'Acme', types = ['order_shipped']) {
  const res = await admin.post('/v1/services', {
    name,
    notificationTypes: types.map((key) => ({ key, description: `${key} events` })),
  });
  if (res.status !== 201)
    throw new Error(`service registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; apiKey: string };
}

export async function waitForNotification(api: Client, id: string, status = 'completed', timeoutMs = 20_000) {
  return eventually(
    async () => {
      const res = await api.get(`/v1/notifications/${id}`);
      return res.status === 200 && res.body.status === status ? res.body : undefined;
    },
    { timeoutMs, what: `notification ${id} to be ${status}` },
  );
}
