// Assignments this console made itself (assign to me, reveal's "assign first"): their live event
// is no news to the agent, so it raises no notification.
const mine = new Map<string, number>();

export function markSelfAssigned(conversationId: string): void {
  mine.set(conversationId, Date.now());
}

/** True when this console assigned the conversation within the last ten seconds. */
export function selfAssigned(conversationId: string): boolean {
  const at = mine.get(conversationId);
  if (at === undefined) return false;
  if (Date.now() - at > 10_000) {
    mine.delete(conversationId);
    return false;
  }
  return true;
}
