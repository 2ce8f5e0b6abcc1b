// Trace ids, OpenTelemetry-ready: a W3C `traceparent` from the caller (load balancer, gateway,
// another service) is continued, otherwise a new trace starts. Every log line of the request
// carries trace_id and span_id, and the response returns the traceparent of this hop, so one id
// follows a request through proxies, Vigil and whatever collects the logs.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    traceId: string;
    spanId: string;
  }
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export interface TraceParent {
  traceId: string;
  parentId: string;
  flags: string;
}

/** Parses a traceparent header; null when absent or invalid (then a new trace starts). */
export function parseTraceparent(h: string | string[] | undefined): TraceParent | null {
  if (typeof h !== 'string' || h.length > 512) return null;
  const m = TRACEPARENT.exec(h.trim().toLowerCase());
  if (!m) return null;
  const [, version, traceId, parentId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  // Version ff is invalid; version 00 has no trailing fields; all-zero ids are invalid.
  if (version === 'ff' || (version === '00' && rest)) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return null;
  return { traceId, parentId, flags };
}

export const newTraceId = () => randomBytes(16).toString('hex');
export const newSpanId = () => randomBytes(8).toString('hex');

export function installTracing(app: FastifyInstance): void {
  app.decorateRequest('traceId', '');
  app.decorateRequest('spanId', '');
  app.addHook('onRequest', async (req, reply) => {
    const parent = parseTraceparent(req.headers.traceparent);
    req.traceId = parent?.traceId ?? newTraceId();
    req.spanId = newSpanId();
    const log = req.log.child({ trace_id: req.traceId, span_id: req.spanId });
    req.log = log;
    reply.log = log;
    void reply.header('traceparent', `00-${req.traceId}-${req.spanId}-${parent?.flags ?? '01'}`);
  });
}
