import { errorBody, type Handler, HttpError, type Reply, type RequestContext } from './http.js';

export interface Route {
  method: string;
  pattern: RegExp;
  paramNames: string[];
  handler: Handler;
}

/** `template` uses `:name` segments, e.g. '/customer/:tenant/login'. */
export function route(method: string, template: string, handler: Handler): Route {
  const paramNames: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        paramNames.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { method, pattern: new RegExp(`^${source}$`), paramNames, handler };
}

function matchParams(r: Route, path: string): Record<string, string> | undefined {
  const match = r.pattern.exec(path);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  r.paramNames.forEach((name, i) => {
    const raw = match[i + 1] ?? '';
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      params[name] = raw;
    }
  });
  return params;
}

export function dispatch(routes: readonly Route[], ctx: Omit<RequestContext, 'params'>): Reply {
  const allowed: string[] = [];
  for (const r of routes) {
    const params = matchParams(r, ctx.path);
    if (!params) continue;
    if (r.method !== ctx.method) {
      allowed.push(r.method);
      continue;
    }
    try {
      return r.handler({ ...ctx, params });
    } catch (error) {
      if (error instanceof HttpError) return error.reply;
      throw error;
    }
  }
  if (allowed.length > 0) {
    return {
      status: 405,
      headers: { allow: allowed.join(', ') },
      body: errorBody(405, 'method_not_allowed', `Method ${ctx.method} is not allowed on ${ctx.path}.`),
    };
  }
  return {
    status: 404,
    body: errorBody(404, 'not_found', `No resource at ${ctx.method} ${ctx.path}.`),
  };
}
