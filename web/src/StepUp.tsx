// The step-up prompt: when the API answers step_up_required (insider monitoring wants a fresh
// second factor), every waiting request shares one dialog; after the code is accepted they retry.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, setStepUpHandler } from './api';
import { useI18n } from './i18n';
import { Button, Dialog, errorText, Input } from './ui';

export function StepUpPrompt() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<{ promise: Promise<boolean>; resolve(ok: boolean): void } | null>(null);

  useEffect(() => {
    setStepUpHandler(() => {
      if (!pending.current) {
        let resolve!: (ok: boolean) => void;
        const promise = new Promise<boolean>((r) => {
          resolve = r;
        });
        pending.current = { promise, resolve };
        setCode('');
        setError(null);
        setOpen(true);
      }
      return pending.current.promise;
    });
    return () => setStepUpHandler(null);
  }, []);

  const finish = (ok: boolean) => {
    pending.current?.resolve(ok);
    pending.current = null;
    setOpen(false);
    setCode('');
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/v1/auth/step-up', { code: code.replace(/\s+/g, '') });
      finish(true);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} title={t('stepUp.title')} onClose={() => finish(false)}>
      <form className="stack" onSubmit={submit} noValidate>
        <p>{t('stepUp.body')}</p>
        <Input
          label={t('signIn.totpCode')}
          hint={t('signIn.totpHint')}
          error={error}
          name="step-up-code"
          autoComplete="one-time-code"
          inputMode="numeric"
          maxLength={6}
          value={code}
          data-autofocus
          onChange={(e) => setCode(e.target.value)}
        />
        <div className="dialog-footer">
          <Button variant="ghost" onClick={() => finish(false)}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="primary" busy={busy} disabled={code.trim().length < 6}>
            {t('stepUp.confirm')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
