// An awareness world: a real Vigil whose outbound relay is a real SMTP sink (the verification
// tests' gateway), one tenant with 20 demo agents in three teams, its security officer and a
// supervisor, and a second tenant with its own security officer.
import { sql } from 'drizzle-orm';
import type { Role } from '../../src/authz/roles.ts';
import { rows } from '../../src/platform/db.ts';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { type Gateways, startGateways } from '../verification/world.ts';

export interface AwarenessWorld {
  v: TestVigil;
  g: Gateways;
  slug: string;
  otherSlug: string;
  tenantId: string;
  agents: TestUser[];
  teams: string[];
  officer: Session;
  supervisor: Session;
  otherOfficer: Session;
  session(u: TestUser): Promise<Session>;
  close(): Promise<void>;
}

export const METRICS_TOKEN = 'awareness-metrics-token-0123456789';

/** Team sizes: the last one is below the minimum group size supervisors may see. */
export const TEAM_SIZES = [12, 5, 3];

export async function startAwarenessWorld(prefix: string): Promise<AwarenessWorld> {
  const g = await startGateways();
  const v = await startTestVigil({
    smtpRelayUrl: `smtp://127.0.0.1:${g.smtpPort}`,
    metricsToken: METRICS_TOKEN,
  });
  const suffix = Math.random().toString(36).slice(2, 8);
  const slug = `${prefix}-${suffix}`;
  const otherSlug = `${prefix}-other-${suffix}`;
  const tenantId = await v.tenant(slug);
  await v.tenant(otherSlug);
  const mk = (role: Role, tenant = slug) => v.makeUser([{ role, tenant }]);
  const agents: TestUser[] = [];
  for (let i = 0; i < TEAM_SIZES.reduce((a, b) => a + b, 0); i++) agents.push(await mk('agent'));
  const teams = await v.core.db.withTenant(tenantId, async (tx) => {
    const ids: string[] = [];
    let next = 0;
    for (const [i, size] of TEAM_SIZES.entries()) {
      const [q] = await rows<{ id: string }>(
        tx,
        sql`insert into queues (tenant_id, name) values (${tenantId}, ${`team-${i}`}) returning id`,
      );
      ids.push(q!.id);
      for (const a of agents.slice(next, next + size))
        await tx.execute(
          sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${a.id})`,
        );
      next += size;
    }
    return ids;
  });
  const sessions = new Map<string, Session>();
  const session = async (u: TestUser) => {
    const known = sessions.get(u.id) ?? (await v.login(u));
    sessions.set(u.id, known);
    return known;
  };
  return {
    v,
    g,
    slug,
    otherSlug,
    tenantId,
    agents,
    teams,
    officer: await v.login(await mk('security_officer')),
    supervisor: await v.login(await mk('supervisor')),
    otherOfficer: await v.login(await mk('security_officer', otherSlug)),
    session,
    close: async () => {
      await v.close();
      await g.close();
    },
  };
}

/** The refresher a clicker gets (English, one question). */
export const REFRESHER = {
  title: 'Refresher: spotting phishing',
  language: 'en',
  roles: ['agent'],
  refresher: true,
  sections: [{ heading: 'Check the sender', markdown: 'Look at the **domain**, not the display name.' }],
  quiz: [
    {
      question: 'Where do you report a suspicious mail?',
      options: ['Reply to it', 'Report phishing button'],
      correct: [1],
    },
  ],
  passPercent: 100,
  maxAttempts: 3,
};

/** A module backed by a gate training: two questions, all must be right, two tries. */
export const GATE_MODULE = {
  title: 'Phishing basics',
  language: 'en',
  roles: ['agent'],
  sections: [
    { heading: 'Why', markdown: 'Most attacks start with a **mail**.' },
    { heading: 'What to do', markdown: '- Check the sender\n- Use *Report phishing*' },
  ],
  quiz: [
    {
      question: 'A colleague asks for your one-time code. You…',
      options: ['send it', 'refuse and report'],
      correct: [1],
    },
    {
      question: 'Which are warning signs?',
      options: ['Urgency', 'Unknown domain', 'Your name'],
      correct: [0, 1],
    },
  ],
  passPercent: 100,
  maxAttempts: 2,
};
export const RIGHT = [[1], [0, 1]];
export const WRONG = [[0], [0]];
