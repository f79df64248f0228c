import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Decodes a quoted-printable body (soft line breaks and =XX escapes). */
function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(joined.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Every mail the test SMTP server (aiosmtpd's Maildir) received, decoded. */
export function readMails(maildir: string): { to: string; text: string }[] {
  const mails: { to: string; text: string }[] = [];
  for (const sub of ['new', 'cur']) {
    let files: string[] = [];
    try {
      files = readdirSync(join(maildir, sub)).sort();
    } catch {
      continue;
    }
    for (const file of files) {
      const raw = readFileSync(join(maildir, sub, file), 'utf8');
      const to = /^To: (.*)$/m.exec(raw)?.[1] ?? '';
      mails.push({ to, text: decodeQuotedPrintable(raw) });
    }
  }
  return mails;
}

/** Waits for a mail to `address` and returns the first link starting with `prefix`. */
export async function waitForLink(maildir: string, address: string, prefix: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const mail = readMails(maildir).reverse().find((m) => m.to.includes(address));
    const link = mail?.text.match(new RegExp(`${prefix.replace(/[.?*+^$[\]\\(){}|-]/g, '\\$&')}[^\\s"<]+`))?.[0];
    if (link) return link;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail with ${prefix} to ${address}`);
}
