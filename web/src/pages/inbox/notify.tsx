// Telling the agent about new work: a desktop notification (the Notification API, permission asked
// only on a click), a short sound (Web Audio, no file), an announcement for screen readers and the
// count in the tab title. Texts are fixed phrases: no customer data in a notification.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n';
import { Button } from '../../ui';

type Permission = 'default' | 'granted' | 'denied' | 'unsupported';
const permissionNow = (): Permission =>
  typeof Notification === 'undefined' ? 'unsupported' : (Notification.permission as Permission);

/** A short two-tone chime; silently nothing where audio is blocked. */
function chime() {
  try {
    const Ctx =
      window.AudioContext ??
      (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    const gain = ctx.createGain();
    gain.gain.value = 0.08;
    gain.connect(ctx.destination);
    [880, 660].forEach((f, i) => {
      const o = ctx.createOscillator();
      o.frequency.value = f;
      o.connect(gain);
      o.start(ctx.currentTime + i * 0.15);
      o.stop(ctx.currentTime + i * 0.15 + 0.12);
    });
    setTimeout(() => void ctx.close(), 600);
  } catch {
    // no audio here
  }
}

export function useNotifier(unread: number) {
  const { t } = useI18n();
  const [permission, setPermission] = useState<Permission>(permissionNow);
  const [pending, setPending] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const focused = useRef(true);

  useEffect(() => {
    const seen = () => {
      focused.current = document.visibilityState === 'visible';
      if (focused.current) setPending(0);
    };
    document.addEventListener('visibilitychange', seen);
    window.addEventListener('focus', seen);
    return () => {
      document.removeEventListener('visibilitychange', seen);
      window.removeEventListener('focus', seen);
    };
  }, []);

  // The tab title counts unread messages plus assignments not yet looked at.
  useEffect(() => {
    const base = t('app.title');
    const n = unread + pending;
    document.title = n > 0 ? `(${n}) ${base}` : base;
    return () => {
      document.title = base;
    };
  }, [unread, pending, t]);

  const notify = useCallback(
    (kind: 'message' | 'assigned', conversationId: string, onOpen: (id: string) => void) => {
      const text = t(kind === 'message' ? 'inbox.notify.message' : 'inbox.notify.assigned');
      setAnnouncement(text);
      if (kind === 'assigned') setPending((n) => n + 1);
      chime();
      if (permissionNow() !== 'granted') return;
      try {
        const n = new Notification(t('app.title'), { body: text, tag: `vigil-${conversationId}` });
        n.onclick = () => {
          window.focus();
          onOpen(conversationId);
          n.close();
        };
      } catch {
        // some browsers only notify from a service worker
      }
    },
    [t],
  );

  const ask = useCallback(async () => {
    if (typeof Notification === 'undefined') return;
    setPermission((await Notification.requestPermission()) as Permission);
  }, []);

  const control =
    permission === 'default' ? (
      <Button size="sm" variant="ghost" onClick={() => void ask()} data-testid="enable-notifications">
        {t('inbox.notify.enable')}
      </Button>
    ) : null;
  const live = (
    <p className="sr-only" role="status" aria-live="polite" data-testid="notification-announcement">
      {announcement}
    </p>
  );
  return { notify, control, live, seen: () => setPending(0) };
}
