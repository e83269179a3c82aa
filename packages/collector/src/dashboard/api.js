// The page's only data source: GET /v1/metrics/<endpoint> with the read key
// as Bearer token. Failures become typed errors carrying the server's message
// so each panel can show it.

/** Any failed metric request; `message` is what the panel shows. */
export class ApiError extends Error {
  constructor(message, { status = 0, code = 'request_failed', cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** 401: the key is missing, wrong or was rotated; the page asks for it again. */
export class UnauthorizedError extends ApiError {
  constructor(message, code) {
    super(message, { status: 401, code });
    this.name = 'UnauthorizedError';
  }
}

/**
 * Builds `fetchMetric(endpoint, params)`. Empty params are left out, so
 * "all models" is the absence of `model`, not `model=`.
 */
export function createApiClient({ getKey }) {
  return async function fetchMetric(endpoint, params = {}) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
    }
    const url = `/v1/metrics/${endpoint}${query.toString() === '' ? '' : `?${query}`}`;
    let response;
    try {
      response = await fetch(url, { headers: { Authorization: `Bearer ${getKey()}`, Accept: 'application/json' } });
    } catch (error) {
      throw new ApiError(`Network error while loading ${endpoint}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const text = await response.text();
    let body = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    if (!response.ok) {
      const message = body?.error?.message ?? `${endpoint} answered HTTP ${response.status}`;
      const code = body?.error?.code ?? `http_${response.status}`;
      if (response.status === 401) throw new UnauthorizedError(message, code);
      throw new ApiError(message, { status: response.status, code });
    }
    if (body === null) throw new ApiError(`${endpoint} answered with a body that is not JSON`, { status: response.status, code: 'invalid_json' });
    return body;
  };
}
