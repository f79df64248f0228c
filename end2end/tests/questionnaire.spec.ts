import { expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaff, expectAccessible, staffFirstSignIn, test, waitForHydration } from './helpers';

/** One part of an xlsx package, as text. */
function part(file: string, name: string) {
  return execFileSync('unzip', ['-p', file, name]).toString();
}

test('upload a questionnaire, review rows with the keyboard and the forms, download it answered', async ({ browser }) => {
  test.setTimeout(120_000);
  createStaff('quinn@northwind-analytics.example', 'Quinn Security', 'security', 'the security passphrase');
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await staffFirstSignIn(page, 'quinn@northwind-analytics.example', 'the security passphrase');
  const dir = mkdtempSync(join(tmpdir(), 'vs-qn-'));

  // The sample questionnaire: several sheets, merged headers, dropdowns, formulas.
  await page.goto('/admin/questionnaires');
  await waitForHydration(page);
  const samplePromise = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download a sample questionnaire' }).click();
  const sample = join(dir, 'acme-assessment.xlsx');
  await (await samplePromise).saveAs(sample);

  await page.getByLabel("Buyer's file (.xlsx or .csv)").setInputFiles(sample);
  await page.getByLabel("New company's domain").fill('acme.example');
  await page.getByLabel("New company's name").fill('Acme Corp');
  await page.getByLabel('Due').fill('2031-03-01');
  await page.getByRole('button', { name: 'Upload and suggest answers' }).click();
  await expect(page).toHaveURL(/\/admin\/questionnaires\/\d+$/);
  // The page refreshes itself while suggestions are computed.
  await expect(page.getByRole('button', { name: 'Download the answered file' })).toBeVisible({ timeout: 60_000 });
  await waitForHydration(page);
  await expect(page.locator('[data-test="counts"]')).toContainText('9 questions');
  await expect(page.locator('[data-test-sheet="Security"]')).toContainText('dropdown: Yes, No, N/A');
  await expectAccessible(page);

  // Keyboard: j to the first question, a to accept its first suggestion; the page comes back
  // at the next question needing a person.
  const rows = page.locator('[data-q-row]');
  const first = rows.first();
  await page.keyboard.press('j');
  await expect(first).toBeFocused();
  await page.keyboard.press('a');
  await expect(page).toHaveURL(/#row-\d+$/);
  await waitForHydration(page);
  await expect(rows.first()).toHaveAttribute('data-state', 'accepted');
  await expect(rows.first()).toContainText('Accepted');

  // A question's card, found by the question's own text (suggestions may quote similar words).
  const card = (question: string) =>
    page.locator('[data-q-row]').filter({ has: page.locator('p.question', { hasText: question }) });

  // Write an answer by hand for the ISO 27701 row, kept as a knowledge-base draft.
  const iso = card('ISO 27701');
  await iso.getByText('Edit or write the answer').click();
  await iso.getByLabel('Short answer').selectOption('No');
  await iso.getByLabel('Answer', { exact: true }).fill('We are not certified against ISO 27701.');
  await iso.getByLabel(/Also save to the knowledge base/).check();
  await iso.getByRole('button', { name: 'Save answer' }).click();
  await expect(page.getByRole('status')).toContainText('added to the knowledge base as a draft');
  await expect(card('ISO 27701')).toHaveAttribute('data-state', 'written');

  // Leave the retention question blank; filter to the Privacy sheet.
  await card('after the contract ends').getByRole('button', { name: 'Leave blank' }).click();
  await expect(card('after the contract ends')).toHaveAttribute('data-state', 'skipped');
  await page.getByLabel('Sheet', { exact: true }).selectOption({ label: 'Privacy (3)' });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('[data-q-row]')).toHaveCount(3);

  // Download the same workbook, answered.
  const exportPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download the answered file' }).click();
  const exported = await exportPromise;
  expect(exported.suggestedFilename()).toBe('acme-assessment (answered).xlsx');
  const answered = join(dir, 'answered.xlsx');
  await exported.saveAs(answered);
  const security = part(answered, 'xl/worksheets/sheet2.xml');
  expect(security).toContain('t="inlineStr"');
  expect(security).toContain('<dataValidations');
  expect(part(answered, 'xl/styles.xml')).toBe(part(sample, 'xl/styles.xml'));
  expect(part(answered, 'xl/worksheets/sheet1.xml')).toBe(part(sample, 'xl/worksheets/sheet1.xml'));

  // The company's page lists what it was told.
  await page.goto('/admin/questionnaires');
  await page.getByRole('link', { name: 'Acme Corp' }).first().click();
  await expect(page.getByRole('heading', { name: 'What we told them' })).toBeVisible();
  await expect(page.locator('[data-test="told"] tbody tr').first()).toBeVisible();
});
