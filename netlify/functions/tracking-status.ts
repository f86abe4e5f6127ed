import type { Context } from '@netlify/functions';
import { appOrMisconfigured } from '../../src/app.ts';
import { DatabaseError } from '../../src/db/port.ts';
import { errorText } from '../../src/log.ts';
import { trackingStatus, type StatusResult } from '../../src/ops/status.ts';
import { statusDeps } from '../../src/ops/status-deps.ts';

/**
 * GET /.netlify/functions/tracking-status with `Authorization: Bearer <STATUS_TOKEN>`: delivery and
 * Stripe health as JSON for public/status.html and monitors. 404 while STATUS_TOKEN is unset.
 */
const headers = { 'cache-control': 'no-store' };

export default async (req: Request, _context: Context): Promise<Response> => {
  const app = await appOrMisconfigured('tracking-status');
  if (app instanceof Response) return app;
  try {
    const request = { method: req.method, authorization: req.headers.get('authorization') };
    return toResponse(await trackingStatus(request, statusDeps(app)));
  } catch (error) {
    app.log.error('tracking-status failed', { error: errorText(error) });
    const unavailable = error instanceof DatabaseError && error.unavailable;
    return Response.json({ error: unavailable ? 'database unavailable' : 'internal error' }, { status: unavailable ? 503 : 500, headers });
  }
};

function toResponse(result: StatusResult): Response {
  switch (result.kind) {
    case 'off':
      return Response.json({ error: 'not found' }, { status: 404, headers });
    case 'method-not-allowed':
      return Response.json({ error: 'method not allowed' }, { status: 405, headers: { ...headers, allow: 'GET' } });
    case 'unauthorized':
      return Response.json({ error: 'a valid Authorization: Bearer token is required' }, { status: 401, headers: { ...headers, 'www-authenticate': 'Bearer' } });
    case 'ok':
      return Response.json(result.body, { headers });
  }
}
