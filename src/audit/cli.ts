// `vigil audit verify [--tenant slug] [--json]`: exit 0 when every chain verifies, 1 when any
// chain was tampered with, 2 on usage errors. Without --tenant every chain is verified.
import { sql } from 'drizzle-orm';
import { type Database, rows } from '../platform/db.ts';
import { type VerifyReport, verifyAuditLog } from './verify.ts';

export interface CliOut {
  write(s: string): unknown;
}

export async function runAuditVerifyCli(db: Database, args: readonly string[], out: CliOut): Promise<number> {
  let slug: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--tenant' && args[i + 1]) slug = args[++i];
    else if (a === 'verify' && i === 0) continue;
    else {
      out.write('usage: vigil audit verify [--tenant slug] [--json]\n');
      return 2;
    }
  }
  let report: VerifyReport;
  if (slug !== undefined) {
    const t = await db.withOwner((tx) =>
      rows<{ id: string }>(tx, sql`select id::text as id from tenants where slug = ${slug}`),
    );
    if (!t[0]) {
      out.write('unknown tenant\n');
      return 2;
    }
    report = await verifyAuditLog(db, { tenantId: t[0].id });
  } else report = await verifyAuditLog(db, { all: true });
  if (json) out.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const c of report.chains) {
      const name = c.tenantId ?? 'platform';
      out.write(
        c.ok
          ? `ok        ${name}: ${c.events} events, ${c.checkpointsChecked} checkpoints${c.anchorSeq ? `, from anchor ${c.anchorSeq}` : ''}\n`
          : `TAMPERED  ${name}: first bad seq ${c.firstBadSeq} (${c.kind}: ${c.detail})\n`,
      );
    }
    out.write(
      `${report.ok ? 'audit log verified' : 'audit log TAMPERED'}: ${report.events} events in ${report.seconds.toFixed(2)} s\n`,
    );
  }
  return report.ok ? 0 : 1;
}
