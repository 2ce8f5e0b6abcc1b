// Shapes of the agent API answers the inbox renders.
import type { Tone } from '../../ui';

export interface Summary {
  id: string;
  channel: string;
  status: string;
  priority: string;
  tags: string[];
  queueId: string | null;
  assigneeId: string | null;
  customerId: string;
  /** Detected in the first customer message (issue 29). */
  language?: string | null;
  createdAt: string;
  lastMessageAt: string;
  /** Pseudonymous reference of the customer (list only). */
  customerRef?: string;
  /** Subject or latest customer message, as stored (redacted), first line (list only). */
  preview?: string | null;
  /** The customer's latest message when it is still unanswered. */
  waitingSince?: string | null;
  unread?: number;
  /** Against the service-level target (list only); dueAt is null while nobody waits. */
  sla?: { targetSeconds: number; dueAt: string | null; state: 'ok' | 'due_soon' | 'breached' | 'none' };
  /** Set while the conversation is snoozed. */
  snoozedUntil?: string | null;
}
export interface Message {
  id: string;
  kind: string;
  channel: string;
  direction: string;
  authorType: string;
  text: string | null;
  findings: Array<{ type: string; operator: string }>;
  createdAt: string;
  speaker?: string;
  /** Outbound e-mail: queued, sent, deferred or bounced, as the relay answered. */
  deliveryState?: string;
}
export interface Detail extends Summary {
  subject: string | null;
  erased: boolean;
  messages: Message[];
  call: {
    callId: string;
    consent: string;
    startedAt: string;
    endedAt: string | null;
    hasRecording: boolean;
  } | null;
}
export interface Customer {
  id: string;
  name?: string | null;
  emails?: string[];
  phones?: string[];
  address?: { street?: string; postalCode?: string; city?: string; country?: string } | null;
  dateOfBirth?: string | null;
  customerNumber?: string | null;
  language?: string | null;
  masked?: string[];
}
export interface VerificationState {
  verified: boolean;
  locked: boolean;
  passedFactors: string[];
  failedAttempts: number;
  attemptsLeft: number;
  required: number;
  factors: string[];
  expiresAt: string | null;
  unlocked: string[];
}

export const STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
export const CHANNELS = ['chat', 'email', 'voice'] as const;
export const statusTone = (s: string): Tone =>
  s === 'open' ? 'info' : s === 'pending' ? 'warning' : 'success';

/** True when a key press belongs to a form field or a dialog, not to the inbox shortcuts. */
export const isTyping = (e: KeyboardEvent) => {
  const el = e.target as HTMLElement | null;
  return (
    e.ctrlKey ||
    e.metaKey ||
    e.altKey ||
    (!!el &&
      (el.tagName === 'INPUT' ||
        el.tagName === 'TEXTAREA' ||
        el.tagName === 'SELECT' ||
        el.isContentEditable ||
        !!el.closest('dialog')))
  );
};
