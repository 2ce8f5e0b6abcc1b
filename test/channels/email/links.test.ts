// Links in e-mail are shown to agents as text with their real target, never as clickable links.
import { describe, expect, it } from 'vitest';
import { sanitizeEmailHtml } from '../../../src/channels/email/html.ts';

describe('links in e-mail HTML', () => {
  it('shows the real target beside the link text and drops the anchor', () => {
    const out = sanitizeEmailHtml(
      '<p>Bitte <a href="https://evil.example/login?x=1">https://bank.example</a> öffnen</p>',
    );
    expect(out).not.toMatch(/<a\b|href=/i);
    expect(out).toContain('<span class="link">https://bank.example</span>');
    expect(out).toContain('<span class="link-target">[https://evil.example/login?x=1]</span>');
  });

  it('shows no target for javascript: or protocol-relative links, and keeps nested formatting', () => {
    const out = sanitizeEmailHtml(
      '<a href="javascript:alert(1)">a</a><a href="//x.example">b</a><a href="https://ok.example"><b>c</b></a>',
    );
    expect(out).not.toMatch(/javascript:|x\.example/);
    expect(out).toContain(
      '<span class="link"><b>c</b></span> <span class="link-target">[https://ok.example]</span>',
    );
  });
});
