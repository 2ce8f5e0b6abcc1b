// TypeBox schemas of the agent conversation API.
import Type from 'typebox';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
export const ConversationParams = Type.Object(
  { tenantSlug: Slug, conversationId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export const Status = Type.Union([
  Type.Literal('open'),
  Type.Literal('pending'),
  Type.Literal('resolved'),
  Type.Literal('closed'),
]);
export const Priority = Type.Union([
  Type.Literal('low'),
  Type.Literal('normal'),
  Type.Literal('high'),
  Type.Literal('urgent'),
]);
export const ChannelName = Type.Union([Type.Literal('chat'), Type.Literal('email'), Type.Literal('voice')]);

/** Inbox views: mine, unassigned, snoozed; a queue's view is the queue filter. */
export const View = Type.Union([
  Type.Literal('mine'),
  Type.Literal('unassigned'),
  Type.Literal('snoozed'),
  Type.Literal('all'),
]);

export const ListQuery = Type.Object(
  {
    status: Type.Optional(Status),
    queue: Type.Optional(Type.String({ format: 'uuid' })),
    assignee: Type.Optional(
      Type.Union([Type.String({ format: 'uuid' }), Type.Literal('me'), Type.Literal('none')]),
    ),
    channel: Type.Optional(ChannelName),
    customer: Type.Optional(Type.String({ format: 'uuid' })),
    view: Type.Optional(View),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);

export const Summary = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  status: Type.String(),
  priority: Type.String(),
  tags: Type.Array(Type.String()),
  queueId: Type.Union([Type.String(), Type.Null()]),
  assigneeId: Type.Union([Type.String(), Type.Null()]),
  customerId: Type.String(),
  /** Detected in the first customer message (ISO 639-1), null when unknown. */
  language: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  createdAt: Type.String(),
  lastMessageAt: Type.String(),
  snoozedUntil: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

/** An inbox list item: the summary plus what the agent scans the list by (issue 25). */
export const InboxItem = Type.Object({
  ...Summary.properties,
  customerRef: Type.Optional(Type.String()),
  preview: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  waitingSince: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  unread: Type.Optional(Type.Integer()),
  /** Against the service-level target: 'none' while the customer is not waiting for an answer. */
  sla: Type.Optional(
    Type.Object({
      targetSeconds: Type.Integer(),
      dueAt: Type.Union([Type.String(), Type.Null()]),
      state: Type.Union([
        Type.Literal('ok'),
        Type.Literal('due_soon'),
        Type.Literal('breached'),
        Type.Literal('none'),
      ]),
    }),
  ),
});

const Finding = Type.Object({ type: Type.String(), operator: Type.String() });

export const MessageView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  channel: Type.String(),
  direction: Type.String(),
  authorType: Type.String(),
  authorId: Type.Union([Type.String(), Type.Null()]),
  text: Type.Union([Type.String(), Type.Null()]),
  findings: Type.Array(Finding),
  deliveryState: Type.String(),
  createdAt: Type.String(),
  speaker: Type.Optional(Type.String()),
  startMs: Type.Optional(Type.Integer()),
  endMs: Type.Optional(Type.Integer()),
});

export const Detail = Type.Object({
  ...Summary.properties,
  subject: Type.Union([Type.String(), Type.Null()]),
  erased: Type.Boolean(),
  messages: Type.Array(MessageView),
  call: Type.Union([
    Type.Object({
      callId: Type.String(),
      direction: Type.String(),
      consent: Type.String(),
      consentMethod: Type.Union([Type.String(), Type.Null()]),
      startedAt: Type.String(),
      endedAt: Type.Union([Type.String(), Type.Null()]),
      hasRecording: Type.Boolean(),
    }),
    Type.Null(),
  ]),
});

export const TextBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 20_000 }) },
  { additionalProperties: false },
);

export const Written = Type.Object({
  messageId: Type.String(),
  conversationId: Type.String(),
  deliveryState: Type.Optional(Type.String()),
  text: Type.String(),
  findings: Type.Array(Finding),
});

export const AssignBody = Type.Object(
  {
    userId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    mode: Type.Optional(Type.Literal('round_robin')),
  },
  { additionalProperties: false },
);

export const PatchBody = Type.Object(
  {
    status: Type.Optional(Status),
    priority: Type.Optional(Priority),
    tags: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' }), { maxItems: 20 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const RevealBody = Type.Object(
  {
    token: Type.String({ minLength: 24, maxLength: 80 }),
    reason: Type.String({ minLength: 10, maxLength: 500 }),
    /** Confirms a reveal on a conversation not assigned to the caller (it raises an alert). */
    acknowledgeUnassigned: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
