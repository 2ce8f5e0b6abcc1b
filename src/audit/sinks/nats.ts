// NATS JetStream sink: subject vigil.audit.<tenant id | platform>, stream created if missing.
// The message id `<chain>:<seq>` lets JetStream drop duplicates of a redelivered batch.
import { connect, type JetStreamClient, type NatsConnection, StringCodec } from 'nats';
import { toOcsf } from '../ocsf.ts';
import type { AuditSink } from './types.ts';

export interface NatsSinkOptions {
  id: string;
  servers: string | string[];
  stream?: string;
  subjectPrefix?: string;
  /** Subjects of the stream when it has to be created; default `<prefix>.>`. */
  streamSubjects?: string[];
}

export const auditSubject = (prefix: string, tenantId: string | null) =>
  `${prefix}.${tenantId ?? 'platform'}`;

export function createNatsSink(o: NatsSinkOptions): AuditSink {
  const stream = o.stream ?? 'VIGIL_AUDIT';
  const prefix = o.subjectPrefix ?? 'vigil.audit';
  const sc = StringCodec();
  let nc: NatsConnection | undefined;
  let js: JetStreamClient | undefined;

  async function client(): Promise<JetStreamClient> {
    if (js && nc && !nc.isClosed()) return js;
    nc = await connect({ servers: o.servers, timeout: 3000 });
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add({ name: stream, subjects: o.streamSubjects ?? [`${prefix}.>`] });
    }
    js = nc.jetstream();
    return js;
  }

  return {
    id: o.id,
    async deliver(tenantId, events) {
      const j = await client();
      const subject = auditSubject(prefix, tenantId);
      for (const e of events) {
        await j.publish(subject, sc.encode(JSON.stringify(toOcsf(e))), {
          msgID: `${tenantId ?? 'platform'}:${e.seq}`,
        });
      }
    },
    async close() {
      await nc?.drain().catch(() => {});
    },
  };
}
