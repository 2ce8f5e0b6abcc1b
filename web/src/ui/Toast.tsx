// Short confirmations in a polite live region; they disappear after a few seconds.
import { createContext, type ReactNode, useCallback, useContext, useState } from 'react';

type ToastTone = 'success' | 'danger' | 'info';
interface ToastItem {
  id: number;
  text: string;
  tone: ToastTone;
}
const Ctx = createContext<(text: string, tone?: ToastTone) => void>(() => {});
let next = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const push = useCallback((text: string, tone: ToastTone = 'success') => {
    const id = next++;
    // At most three at a time: a burst of actions must not cover the page.
    setItems((xs) => [...xs, { id, text, tone }].slice(-3));
    setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== id)), 5000);
  }, []);
  return (
    <Ctx.Provider value={push}>
      {children}
      <div className="toasts" aria-live="polite" aria-atomic="false">
        {items.map((i) => (
          <div key={i.id} className={`toast toast-${i.tone}`} role="status">
            {i.text}
          </div>
        ))}
      </div>
    </Ctx.Provider>
  );
}

export const useToast = () => useContext(Ctx);
