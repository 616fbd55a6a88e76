// The control server's JSON endpoints, same origin only. The bearer token, when the server needs one, is asked for
// once, kept in sessionStorage (gone when the tab closes) and sent as Authorization; it is never shown or logged.

const TOKEN_KEY = 'llm-rotate.token';

/** Why a request failed: kind is 'unreachable', 'unauthorized' or 'http'. */
export class ApiError extends Error {
  constructor(kind, status, message) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

export function hasToken() {
  return sessionStorage.getItem(TOKEN_KEY) != null;
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** A path with its query: only the parameters that have a value. */
export function path(base, params = {}) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value != null && value !== '') q.set(name, value);
  }
  const s = q.toString();
  return s ? base + '?' + s : base;
}

/** GETs a JSON endpoint; /health's 503 (no key can serve) is an answer, not a failure. */
export async function get(target, signal) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token != null) headers.Authorization = 'Bearer ' + token;
  let response;
  try {
    response = await fetch(target, { headers, signal, cache: 'no-store', credentials: 'omit', redirect: 'error' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError('unreachable', 0, 'cannot reach the control server');
  }
  if (response.status === 401) {
    throw new ApiError('unauthorized', 401, 'the server needs its bearer token');
  }
  let body;
  try {
    body = await response.json();
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError('http', response.status, 'the answer to ' + target.split('?')[0] + ' is not JSON');
  }
  if (!response.ok && !(response.status === 503 && target.startsWith('/health'))) {
    const message = body && body.error && body.error.message ? body.error.message : 'HTTP ' + response.status;
    throw new ApiError('http', response.status, target.split('?')[0] + ': ' + message);
  }
  return body;
}

/** GETs a JSON endpoint and notes when the answer came: {body, at} (the browser's clock, for the server's skew). */
export function timed(target, signal) {
  return get(target, signal).then((body) => ({ body, at: Date.now() }));
}
