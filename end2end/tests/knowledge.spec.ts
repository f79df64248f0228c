import { expect } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaff, staffFirstSignIn, test, waitForHydration } from './helpers';

test('security staff import knowledge-base entries from a file on the page; a bad file changes nothing', async ({ browser }) => {
  createStaff('kim@northwind-analytics.example', 'Kim Security', 'security', 'the knowledge passphrase');
  const page = await (await browser.newContext()).newPage();
  await staffFirstSignIn(page, 'kim@northwind-analytics.example', 'the knowledge passphrase');
  const dir = mkdtempSync(join(tmpdir(), 'vs-kb-'));

  const good = join(dir, 'answers.csv');
  writeFileSync(
    good,
    'id,category,question,answer,short_answer,tags\r\n' +
      'KB-E2E-1,Endpoint,Do laptops require a hardware security key?,Yes. Every laptop signs in with a FIDO2 key.,Yes,laptop;fido2\r\n',
  );
  await page.goto('/admin/kb');
  await waitForHydration(page);
  await page.getByLabel('File', { exact: true }).setInputFiles(good);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page).toHaveURL(/\/admin\/kb$/);
  await expect(page.getByText('Imported: 1 new, 0 updated')).toBeVisible();
  await expect(page.locator('[data-test-kb="KB-E2E-1"]')).toContainText('Do laptops require a hardware security key?');

  // A file with a bad row is refused whole, the problem named by its line.
  const bad = join(dir, 'bad.csv');
  writeFileSync(
    bad,
    'id,category,question,answer,short_answer,tags\r\n' +
      'KB-E2E-2,Endpoint,Are USB ports disabled?,They are.,Maybe,usb\r\n',
  );
  await waitForHydration(page);
  await page.getByLabel('File', { exact: true }).setInputFiles(bad);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toContainText('line 2');
  await expect(page.locator('[data-test-kb="KB-E2E-2"]')).toHaveCount(0);
});
