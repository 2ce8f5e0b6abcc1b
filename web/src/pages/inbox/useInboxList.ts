// The inbox list: a view (all, mine, unassigned, snoozed) or a queue, filters, and a server-side
// search. The query goes in a POST body (it may be an e-mail address): never into a URL. Pages
// follow the server's keyset cursor ("load more").
import { useCallback, useEffect, useState } from 'react';
import { api, query, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import type { Summary } from './types';

export const VIEWS = ['all', 'mine', 'unassigned', 'snoozed'] as const;
export type View = (typeof VIEWS)[number];

export interface ListFilters {
  view: View;
  queue: string;
  status: string;
  channel: string;
  q: string;
}

type Page = { items: Summary[]; nextCursor: string | null };

export function useInboxList(slug: string, f: ListFilters) {
  const fetchPage = useCallback(
    (cursor?: string) => {
      const common = {
        ...(f.view !== 'all' ? { view: f.view } : {}),
        ...(f.queue ? { queue: f.queue } : {}),
        ...(f.status ? { status: f.status } : {}),
        ...(f.channel ? { channel: f.channel } : {}),
        ...(cursor ? { cursor } : {}),
        limit: 50,
      };
      return f.q.trim()
        ? api<Page>('POST', tenantPath(slug, '/conversations/search'), { q: f.q.trim(), ...common })
        : api<Page>('GET', tenantPath(slug, `/conversations${query(common)}`));
    },
    [slug, f.view, f.queue, f.status, f.channel, f.q],
  );
  const first = useLoad(() => fetchPage(), [fetchPage]);
  const [more, setMore] = useState<Page | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // A new first page (filters, live reload) starts the list over.
  useEffect(() => setMore(null), [first.data]);

  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);
  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const next = await fetchPage(cursor);
      setMore((m) => ({ items: [...(m?.items ?? []), ...next.items], nextCursor: next.nextCursor }));
    } finally {
      setLoadingMore(false);
    }
  };
  return { ...first, items, hasMore: !!cursor, loadMore, loadingMore };
}
