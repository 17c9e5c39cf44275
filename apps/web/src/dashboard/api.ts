/** The HTTP API calls the dashboard makes; operator actions carry the token as a bearer credential. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function readJson<T>(res: Response, what: string): Promise<T> {
  const body = (await res.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!res.ok) {
    if (res.status === 401) throw new ApiError(401, 'The server refused the operator token; check it and try again.');
    throw new ApiError(res.status, `${what} failed: ${body?.error ?? `HTTP ${res.status}`}`);
  }
  return body as T;
}

export async function getJson<T>(url: string): Promise<T> {
  return readJson<T>(await fetch(url, { headers: { accept: 'application/json' } }), `GET ${url}`);
}

export async function postJson<T>(url: string, token: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return readJson<T>(res, `POST ${url}`);
}

export const runUrl = (runId: string, rest = '') => `/api/runs/${encodeURIComponent(runId)}${rest}`;
