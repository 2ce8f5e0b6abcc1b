// Demo data for the contact center: per demo tenant a queue with its agents, the chat widget
// (http://localhost and http://127.0.0.1, any port), an inbound e-mail address, a few dozen
// fictitious customers and conversations in all three channels. Idempotent: skipped when the
// tenant's widget settings exist. Phone numbers come from ranges reserved for fiction
// (+49 30 23125 xxx, +44 20 7946 0xxx); e-mail domains are example.* (RFC 2606).
import { sql } from 'drizzle-orm';
import type { ContactCenter } from '../conversations/module.ts';
import { pgTextArray, systemContext } from '../ingest/index.ts';
import type { TenantRef } from '../platform/context.ts';
import { type Database, rows } from '../platform/db.ts';

interface TenantPlan {
  slug: string;
  queue: string;
  members: string[];
  inbound: string;
  lang: 'de' | 'en';
  people: Array<[string, string]>;
  city: string[];
  phone: (i: number) => string;
  domain: string;
  chat: string[][];
  email: Array<[string, string, string]>;
  voice: string[][];
}

const PLANS: TenantPlan[] = [
  {
    slug: 'acme-shop',
    queue: 'Support',
    members: ['anna.agent@vigil.demo', 'ben.agent@vigil.demo'],
    inbound: 'support@acme-shop.test',
    lang: 'de',
    people: [
      ['Lena', 'Hoffmann'],
      ['Jonas', 'Becker'],
      ['Mia', 'Schulz'],
      ['Felix', 'Wagner'],
      ['Emma', 'Krüger'],
      ['Paul', 'Neumann'],
      ['Hannah', 'Schwarz'],
      ['Lukas', 'Zimmermann'],
      ['Sophie', 'Braun'],
      ['Max', 'Hartmann'],
      ['Clara', 'Lange'],
      ['Noah', 'Werner'],
      ['Marie', 'Krause'],
      ['Elias', 'Meier'],
      ['Lea', 'Lehmann'],
      ['Ben', 'Köhler'],
      ['Anna', 'Herrmann'],
      ['Leon', 'König'],
      ['Emilia', 'Walter'],
      ['Finn', 'Peters'],
      ['Ida', 'Möller'],
      ['Theo', 'Jung'],
      ['Greta', 'Fuchs'],
      ['Anton', 'Vogel'],
    ],
    city: ['Berlin', 'Hamburg', 'München', 'Köln', 'Leipzig', 'Dresden', 'Bremen', 'Hannover'],
    phone: (i) => `+49 30 23125 ${String(100 + i).padStart(3, '0')}`,
    domain: 'example.de',
    chat: [
      [
        'Hallo, meine Bestellung ist noch nicht angekommen. Können Sie nachsehen?',
        'Gern, ich prüfe die Sendungsverfolgung für Sie.',
      ],
      ['Ich möchte die Jacke in Größe M umtauschen.', 'Das geht, ich schicke Ihnen ein Rücksendeetikett.'],
      [
        'Kann ich mit Karte 4111 1111 1111 1111 zahlen?',
        'Bitte geben Sie Kartendaten nie im Chat ein. Nutzen Sie die Kasse im Shop.',
      ],
      ['Wo finde ich meine Rechnung?', 'Im Kundenkonto unter „Bestellungen“.'],
    ],
    email: [
      [
        'Rückerstattung',
        'Guten Tag, ich habe die Ware zurückgeschickt und warte auf die Erstattung auf DE89 3704 0044 0532 0130 00.',
        'Die Erstattung ist veranlasst.',
      ],
      [
        'Adressänderung',
        'Bitte ändern Sie meine Lieferadresse auf Hauptstraße 5, 10115 Berlin.',
        'Die Adresse ist geändert.',
      ],
      [
        'Defekter Artikel',
        'Der Wasserkocher ist nach zwei Tagen kaputt gegangen.',
        'Wir senden Ihnen Ersatz.',
      ],
    ],
    voice: [
      [
        'Guten Tag, ich rufe wegen meiner Bestellung an.',
        'Gern, nennen Sie mir bitte die Bestellnummer.',
        'Die Nummer ist eins zwei drei vier fünf.',
      ],
      ['Ich möchte mein Abo kündigen.', 'Ich kann das für Sie erledigen.'],
    ],
  },
  {
    slug: 'globex-energy',
    queue: 'Service',
    members: ['anna.agent@vigil.demo'],
    inbound: 'service@globex-energy.test',
    lang: 'en',
    people: [
      ['Oliver', 'Smith'],
      ['Amelia', 'Jones'],
      ['George', 'Taylor'],
      ['Isla', 'Brown'],
      ['Harry', 'Williams'],
      ['Ava', 'Wilson'],
      ['Jack', 'Johnson'],
      ['Lily', 'Davies'],
      ['Charlie', 'Robinson'],
      ['Grace', 'Wright'],
      ['Oscar', 'Thompson'],
      ['Freya', 'Evans'],
      ['Arthur', 'Walker'],
      ['Ella', 'White'],
      ['Henry', 'Roberts'],
      ['Poppy', 'Green'],
      ['Leo', 'Hall'],
      ['Evie', 'Wood'],
      ['Alfie', 'Jackson'],
      ['Ruby', 'Clarke'],
    ],
    city: ['London', 'Manchester', 'Bristol', 'Leeds', 'Glasgow', 'Cardiff'],
    phone: (i) => `+44 20 7946 0${String(100 + i).padStart(3, '0')}`,
    domain: 'example.co.uk',
    chat: [
      [
        'Hi, my meter reading was estimated again. Can you fix that?',
        'Of course, please send a photo of the meter.',
      ],
      [
        'Why did my direct debit go up this month?',
        'Your tariff changed on the first; I can explain the details.',
      ],
      [
        'My card is 5555 5555 5555 4444, can you take the payment now?',
        'Please never share card numbers in chat; use the secure payment page.',
      ],
    ],
    email: [
      [
        'Moving house',
        'Hello, I am moving out on the 30th. Please close my account.',
        'We have scheduled your final reading.',
      ],
      [
        'Bill query',
        'My last bill seems far too high compared with last year.',
        'We are reviewing your usage.',
      ],
    ],
    voice: [
      [
        'Hello, I would like to report a power cut in my street.',
        'Thank you, I will log it with the network operator.',
      ],
      ['I want to switch to the green tariff.', 'Certainly, I can do that now.', 'Great, thanks.'],
    ],
  },
];

export async function seedContactCenterDemo(deps: {
  db: Database;
  contact: ContactCenter;
}): Promise<{ created: boolean }> {
  const { db, contact } = deps;
  let created = false;
  for (const plan of PLANS) {
    const [tenant] = await db.withPlatform((tx) =>
      rows<TenantRef>(tx, sql`select id, slug, name from tenants where slug = ${plan.slug}`),
    );
    if (!tenant) continue;
    const done = await db.withTenant(tenant.id, (tx) => rows(tx, sql`select 1 from chat_widget_settings`));
    if (done.length) continue;
    created = true;
    const users = await db.withPlatform((tx) =>
      rows<{ id: string; email: string }>(
        tx,
        sql`select id, email from users where lower(email) in (${sql.join(
          plan.members.map((m) => sql`${m}`),
          sql`, `,
        )})`,
      ),
    );
    const queueId = await db.withTenant(tenant.id, async (tx) => {
      await tx.execute(
        sql`insert into queues (tenant_id, name) values (${tenant.id}, ${plan.queue}) on conflict do nothing`,
      );
      const [q] = await rows<{ id: string }>(tx, sql`select id from queues where name = ${plan.queue}`);
      for (const u of users)
        await tx.execute(
          sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenant.id}, ${q!.id}, ${u.id}) on conflict do nothing`,
        );
      await tx.execute(sql`insert into email_inbound_addresses (tenant_id, address, queue_id) values (${tenant.id}, ${plan.inbound}, ${q!.id})
        on conflict (address) do nothing`);
      return q!.id;
    });
    const ctx = systemContext(tenant);
    const agent = users[0]?.id ?? null;
    for (let i = 0; i < plan.people.length; i++) {
      const [first, last] = plan.people[i]!;
      const email = `${first}.${last}@${plan.domain}`
        .toLowerCase()
        .replace(/ä/g, 'ae')
        .replace(/ö/g, 'oe')
        .replace(/ü/g, 'ue');
      const phone = plan.phone(i);
      const customerId = await db.withTenant(tenant.id, (tx) =>
        contact.customers.createInTx(
          tx,
          tenant.id,
          {
            name: `${first} ${last}`,
            emails: [email],
            phones: [phone],
            address: {
              street: `${plan.lang === 'de' ? 'Musterweg' : 'Example Road'} ${i + 1}`,
              postalCode: plan.lang === 'de' ? `10${String(100 + i * 7).slice(0, 3)}` : `EC1A ${i % 9}BB`,
              city: plan.city[i % plan.city.length]!,
              country: plan.lang === 'de' ? 'DE' : 'GB',
            },
            dateOfBirth: `${1960 + ((i * 7) % 40)}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`,
            customerNumber: `${plan.slug === 'acme-shop' ? 'AC' : 'GX'}-${10000 + i}`,
            language: plan.lang,
            notes:
              i % 5 === 0
                ? plan.lang === 'de'
                  ? 'Bevorzugt Kontakt per E-Mail.'
                  : 'Prefers e-mail contact.'
                : null,
            consents: { marketing: i % 3 === 0, recording: i % 2 === 0 },
          },
          'demo',
        ),
      );
      const channel = (['chat', 'email', 'voice'] as const)[i % 3];
      if (channel === 'chat') {
        const [q, a] = plan.chat[i % plan.chat.length]!;
        const r = await contact.ingest.ingestMessage(ctx, {
          channel: 'chat',
          direction: 'inbound',
          author: { type: 'customer', id: null },
          text: q!,
          idempotencyKey: `demo:${tenant.id}:${i}:0`,
          lang: plan.lang,
          newConversation: { channel: 'chat', customer: { id: customerId }, queueId },
        });
        if (a)
          await contact.ingest.ingestMessage(ctx, {
            channel: 'chat',
            direction: 'outbound',
            author: { type: 'agent', id: agent },
            text: a,
            idempotencyKey: `demo:${tenant.id}:${i}:1`,
            lang: plan.lang,
            conversationId: r.conversationId,
            deliveryState: 'sent',
          });
      } else if (channel === 'email') {
        const [subject, body, answer] = plan.email[i % plan.email.length]!;
        const r = await contact.ingest.ingestMessage(ctx, {
          channel: 'email',
          direction: 'inbound',
          author: { type: 'customer', id: null },
          text: body,
          idempotencyKey: `demo:${tenant.id}:${i}:0`,
          lang: plan.lang,
          newConversation: { channel: 'email', customer: { id: customerId }, queueId, subject },
        });
        await contact.ingest.ingestMessage(ctx, {
          channel: 'email',
          direction: 'outbound',
          author: { type: 'agent', id: agent },
          text: answer,
          idempotencyKey: `demo:${tenant.id}:${i}:1`,
          lang: plan.lang,
          conversationId: r.conversationId,
          deliveryState: 'sent',
        });
      } else {
        const lines = plan.voice[i % plan.voice.length]!;
        const call = await contact.voice.createCall(ctx, {
          from: phone,
          to: plan.lang === 'de' ? '+49 30 23125 999' : '+44 20 7946 0999',
          direction: 'inbound',
          queueId,
          externalId: `demo-call-${tenant.id}-${i}`,
          language: plan.lang,
        });
        await contact.voice.consent(ctx, call.callId, {
          consent: i % 2 ? 'granted' : 'denied',
          method: 'ivr',
        });
        await contact.voice.transcript(
          ctx,
          call.callId,
          lines.map((text, seq) => ({
            seq,
            speaker: seq % 2 ? 'agent' : 'customer',
            text,
            startMs: seq * 4000,
            endMs: seq * 4000 + 3500,
          })),
        );
        await contact.voice.end(
          ctx,
          call.callId,
          i % 2 ? { recordingRef: `s3://demo-recordings/${call.callId}.opus` } : {},
        );
      }
    }
    await db.withTenant(tenant.id, (tx) =>
      tx.execute(sql`insert into chat_widget_settings (tenant_id, enabled, allowed_origins, queue_id)
        values (${tenant.id}, true, ${pgTextArray(['http://localhost', 'http://127.0.0.1'])}::text[], ${queueId})`),
    );
  }
  return { created };
}
