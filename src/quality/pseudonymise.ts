// The reviewer's default view of a conversation: the customer and conversation as keyed
// pseudonyms (stable within the tenant), tokens as pseudonyms of their token, every other span the
// PII engine finds masked, and, under blind review, no trace of which agent answered.
import { scanText } from '../pii/index.ts';

/** Stricter than storage: in a review copy, masking too much is the safe side. */
function redact(text: string): string {
  let out = '';
  let at = 0;
  for (const s of scanText(text, { minScore: 0.3 })) {
    out += `${text.slice(at, s.start)}[${s.type}]`;
    at = s.end;
  }
  return out + text.slice(at);
}

/** What the conversation service returns when a supervisor opens a conversation. */
export interface ConversationView {
  id: string;
  channel: string;
  status: string;
  queueId: string | null;
  assigneeId: string | null;
  customerId: string;
  createdAt: string;
  subject: string | null;
  erased: boolean;
  messages: Array<{
    id: string;
    kind: string;
    direction: string;
    authorType: string;
    authorId: string | null;
    text: string | null;
    createdAt: string;
  }>;
}

export type Pseudonym = (kind: string, id: string) => Promise<string>;

const TOKEN = /\[([A-Z_]+):(tok_[a-z0-9]{20})\]/g;

/** Masks a stored text: tokens become `<TYPE_pseudonym>`, anything else detected becomes `[TYPE]`. */
export async function maskText(text: string, pseudonym: Pseudonym): Promise<string> {
  let out = '';
  let at = 0;
  for (const m of text.matchAll(TOKEN)) {
    out += redact(text.slice(at, m.index));
    out += `<${m[1]}_${(await pseudonym('t', m[2]!)).slice(2, 12)}>`;
    at = m.index + m[0].length;
  }
  return out + redact(text.slice(at));
}

export async function pseudonymiseView(
  view: ConversationView,
  opts: { blind: boolean; pseudonym: Pseudonym },
) {
  const { pseudonym, blind } = opts;
  const agents = new Map<string, string>();
  // Under blind review agents are told apart ("agent 1", "agent 2") without being named.
  const agentLabel = (id: string | null) => {
    if (!id) return null;
    if (!blind) return id;
    if (!agents.has(id)) agents.set(id, `agent-${agents.size + 1}`);
    return agents.get(id)!;
  };
  const messages = [];
  for (const m of view.messages)
    messages.push({
      id: m.id,
      kind: m.kind,
      direction: m.direction,
      authorType: m.authorType,
      author: m.authorType === 'agent' ? agentLabel(m.authorId) : null,
      text: m.text === null ? null : await maskText(m.text, pseudonym),
      createdAt: m.createdAt,
    });
  return {
    conversation: await pseudonym('v', view.id),
    customer: await pseudonym('c', view.customerId),
    channel: view.channel,
    status: view.status,
    queueId: view.queueId,
    agent: blind ? null : view.assigneeId,
    blind,
    createdAt: view.createdAt,
    subject: view.subject === null ? null : await maskText(view.subject, pseudonym),
    erased: view.erased,
    messages,
  };
}
