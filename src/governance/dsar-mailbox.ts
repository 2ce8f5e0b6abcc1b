// The privacy mailbox of a tenant, `privacy+<slug>@<VIGIL_EMAIL_HOSTNAME>` on Vigil's own SMTP
// server: a mail to it opens a DSAR intake exactly like the public form. The sender's address
// is the requester's; the subject names the kind of request (de/en/fr keywords, access when none
// matches); for a rectification or objection the body is kept, encrypted, for the DPO. Every
// mail gets the same SMTP answer and the same receipt with the status link (token in the link's
// fragment); a code follows only when the address is on file. Nothing is disclosed by mail.
// Automatic mail (auto-replies, bounces, lists) is accepted and ignored, so no mail loop starts;
// a sender gets at most RECEIPTS_PER_HOUR receipts, so the mailbox cannot be used to flood one.
import { simpleParser } from 'mailparser';
import { systemContext } from '../ingest/index.ts';
import type { TenantRef } from '../platform/context.ts';
import type { RateCounter } from '../platform/rate-limit.ts';
import type { DsarIntake } from './dsar.ts';
import type { DsarMessages, Locale } from './dsar-mail.ts';
import { pickLocale } from './dsar-mail.ts';
import type { IntakeType } from './store-dsar.ts';

const RECEIPTS_PER_HOUR = 3;
const MAX_DETAILS = 2000;

/** A tenant's privacy mailbox on the inbound SMTP host. */
export const privacyAddress = (tenantSlug: string, hostname: string) => `privacy+${tenantSlug}@${hostname}`;

// Checked in this order: an erasure mail that mentions "data" is still an erasure.
const KEYWORDS: Array<[IntakeType, RegExp]> = [
  ['erasure', /\b(erasure|erase|delet\w*|forget|lösch\w*|vergessen|effac\w*|suppr\w*|oubli\w*)/i],
  ['rectification', /\b(rectif\w*|correct\w*|berichtig\w*|korrigier\w*)/i],
  ['objection', /\b(object\w*|widerspr\w*|widerspruch|opposition|oppose\w*)/i],
  ['restriction', /\b(restrict\w*|einschränk\w*|sperr\w*|limitation|limiter)/i],
  ['access', /\b(access|copy|auskunft|kopie|accès|acces|copie)/i],
];

export function requestTypeOf(subject: string): IntakeType {
  return KEYWORDS.find(([, re]) => re.test(subject))?.[0] ?? 'access';
}

const isAutomatic = (headers: Map<string, unknown>, from: string | null) => {
  const auto = String(headers.get('auto-submitted') ?? 'no').toLowerCase();
  const precedence = String(headers.get('precedence') ?? '').toLowerCase();
  return (
    !from ||
    auto !== 'no' ||
    ['bulk', 'list', 'junk', 'auto_reply'].includes(precedence) ||
    headers.has('list-id') ||
    /^(mailer-daemon|postmaster|no-?reply)@/i.test(from)
  );
};

export function createPrivacyMailbox(deps: {
  hostname: string;
  tenantBySlug(slug: string): Promise<(TenantRef & { status: string }) | undefined>;
  intake: Pick<DsarIntake, 'open'>;
  messages: Pick<DsarMessages, 'receipt'>;
  /** The status page with the token in the fragment. */
  statusLink(tenantSlug: string, token: string, locale: Locale): string;
  replay: Pick<RateCounter, 'hit'>;
}) {
  const host = deps.hostname.toLowerCase();
  const re = /^privacy\+([a-z0-9][a-z0-9-]{1,62})@(.+)$/;
  return {
    /** The slug of the active tenant this privacy address belongs to, or null. */
    async tenantFor(address: string): Promise<string | null> {
      const m = re.exec(address.trim().toLowerCase());
      if (!m || m[2] !== host) return null;
      const t = await deps.tenantBySlug(m[1]!);
      return t?.status === 'active' ? t.slug : null;
    },
    async receive(slug: string, envelopeFrom: string | null, raw: Buffer): Promise<void> {
      const t = await deps.tenantBySlug(slug);
      if (t?.status !== 'active') return;
      // A mail that does not parse is accepted and dropped: a retry would not parse either.
      const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true }).catch(() => null);
      if (!mail) return;
      const from = (mail.from?.value[0]?.address ?? envelopeFrom ?? '').trim().toLowerCase() || null;
      if (isAutomatic(mail.headers, envelopeFrom ? from : null) || !from || from.length > 254) return;
      if ((await deps.replay.hit('dsar.mailbox', `${t.id}\0${from}`, 3_600_000)).current > RECEIPTS_PER_HOUR)
        return;
      const type = requestTypeOf(mail.subject ?? '');
      const locale = pickLocale(String(mail.headers.get('content-language') ?? ''));
      const keepBody = type === 'rectification' || type === 'objection';
      const details = keepBody ? (mail.text ?? '').trim().slice(0, MAX_DETAILS) : undefined;
      const ctx = systemContext({ id: t.id, slug: t.slug, name: t.name });
      const { statusToken } = await deps.intake.open(ctx, { type, email: from, details, locale }, 'mail');
      await deps.messages.receipt(from, {
        tenant: t.name,
        type,
        link: deps.statusLink(t.slug, statusToken, locale),
        locale,
      });
    },
  };
}

export type PrivacyMailbox = ReturnType<typeof createPrivacyMailbox>;
