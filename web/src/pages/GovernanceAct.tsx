// One action with a busy flag, a toast on success or failure, and a reload of the list.
import { useState } from 'react';
import { useI18n } from '../i18n';
import { errorText, useToast } from '../ui';

export type Act = (fn: () => Promise<unknown>, done: string) => Promise<boolean>;

export function useAct(reload: () => void): { act: Act; busy: boolean } {
  const { t } = useI18n();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const act: Act = async (fn, done) => {
    setBusy(true);
    try {
      await fn();
      toast(done);
      reload();
      return true;
    } catch (e) {
      toast(errorText(t, e), 'danger');
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { act, busy };
}
