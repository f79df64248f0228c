import { expect } from '@playwright/test';
import { createStaff, staffFirstSignIn, test, waitForHydration } from './helpers';
import { readMails, waitForLink } from './mail';

const maildir = process.env.E2E_MAILDIR!;
const base = process.env.E2E_BASE_URL!;

test('a visitor subscribes with double opt-in, hears about an update, and unsubscribes from the mail', async ({ browser }) => {
  test.setTimeout(90_000);
  const address = 'pat.subscriber@buyer-corp.example';
  const visitor = await (await browser.newContext()).newPage();

  // Subscribe to incident notices only: nothing is confirmed until the mailed link's button is pressed.
  await visitor.goto('/');
  await waitForHydration(visitor);
  await visitor.getByText('Get updates by e-mail').click();
  await visitor.getByLabel('Work e-mail').fill(address);
  for (const topic of ['New report or certification', 'Subprocessor change', 'Policy change', 'General news']) {
    await visitor.getByLabel(topic).uncheck();
  }
  await visitor.getByRole('button', { name: 'Subscribe' }).click();
  await expect(visitor.getByRole('heading', { name: 'Check your e-mail' })).toBeVisible();
  const confirm = await waitForLink(maildir, address, `${base}/updates/confirm?`);
  await visitor.goto(confirm);
  await visitor.getByRole('button', { name: 'Confirm subscription' }).click();
  await expect(visitor.getByRole('heading', { name: 'Subscribed' })).toBeVisible();

  // Staff publish an incident notice: the subscriber is mailed, with a one-click unsubscribe link.
  createStaff('ursula@northwind-analytics.example', 'Ursula Updates', 'security', 'the updates passphrase');
  const staff = await (await browser.newContext()).newPage();
  await staffFirstSignIn(staff, 'ursula@northwind-analytics.example', 'the updates passphrase');
  await staff.goto('/admin/updates');
  await waitForHydration(staff);
  await staff.locator('#kind-new').selectOption({ label: 'Incident notice' });
  await staff.locator('#title-new').fill('Degraded exports on 20 November');
  await staff.locator('#body-new').fill('Exports were delayed for 40 minutes. No data was exposed.');
  await staff.getByRole('button', { name: 'Save draft' }).first().click();
  const draft = staff.locator('[data-test-update="Degraded exports on 20 November"]');
  await draft.getByRole('button', { name: 'Publish and notify subscribers' }).click();
  await expect(staff.locator('[data-test-update="Degraded exports on 20 November"]')).toContainText('Published');

  const unsubscribe = await waitForLink(maildir, address, `${base}/updates/unsubscribe?`);
  const mailsBefore = readMails(maildir).filter((m) => m.to.includes(address));
  expect(mailsBefore.some((m) => m.text.includes('Degraded exports on 20 November'))).toBe(true);
  expect(mailsBefore.some((m) => /^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m.test(m.text))).toBe(true);
  await visitor.goto('/');
  await expect(visitor.locator('#updates')).toContainText('Degraded exports on 20 November');

  // Unsubscribe from the mail's link; the next notice is not sent to this address.
  await visitor.goto(unsubscribe);
  await visitor.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(visitor.getByRole('heading', { name: 'Unsubscribed' })).toBeVisible();
  await staff.goto('/admin/updates');
  await staff.locator('#kind-new').selectOption({ label: 'Incident notice' });
  await staff.locator('#title-new').fill('Exports fully restored');
  await staff.locator('#body-new').fill('Root cause fixed and monitored.');
  await staff.getByRole('button', { name: 'Save draft' }).first().click();
  await staff
    .locator('[data-test-update="Exports fully restored"]')
    .getByRole('button', { name: 'Publish and notify subscribers' })
    .click();
  await expect(staff.locator('[data-test-update="Exports fully restored"]')).toContainText('Published');
  await visitor.goto('/');
  await expect(visitor.locator('#updates')).toContainText('Exports fully restored');
  await new Promise((r) => setTimeout(r, 3_000)); // the outbox would have sent it by now
  const mailsAfter = readMails(maildir).filter((m) => m.to.includes(address));
  expect(mailsAfter.length).toBe(mailsBefore.length);
});

test('staff rename the company and reorder the public page; visitors see it only after publishing', async ({ browser }) => {
  test.setTimeout(90_000);
  createStaff('pia@northwind-analytics.example', 'Pia Profile', 'security', 'the profile passphrase');
  const staff = await (await browser.newContext()).newPage();
  const visitor = await (await browser.newContext()).newPage();
  await staffFirstSignIn(staff, 'pia@northwind-analytics.example', 'the profile passphrase');
  await staff.goto('/admin/content');
  await waitForHydration(staff);
  await staff.getByRole('link', { name: /Edit name, description/ }).click();

  // Too light an accent: refused next to the field, what was typed kept.
  await staff.getByLabel('Company name').fill('Northwind Data');
  await staff.getByLabel('Accent colour').fill('#f0f0f0');
  await staff.getByRole('button', { name: 'Save draft' }).click();
  await expect(staff.locator('#field-accent_color-error')).toContainText('4.5:1');
  await expect(staff.getByLabel('Company name')).toHaveValue('Northwind Data');

  // A good edit: FAQ hidden, subprocessors first.
  await staff.getByLabel('Accent colour').fill('#0b4f6c');
  await staff.getByLabel('FAQ', { exact: true }).selectOption('hidden');
  await staff.getByLabel('Subprocessors', { exact: true }).selectOption('1');
  await staff.getByRole('button', { name: 'Save draft' }).click();
  await expect(staff.locator('[data-test="pending"]')).toContainText('company profile');
  await visitor.goto('/');
  await expect(visitor.locator('#faq')).toHaveCount(1);

  await staff.locator('[data-test="pending"]').getByRole('button', { name: 'Publish' }).click();
  await expect(staff.getByRole('status')).toContainText('Published: company profile.');
  await visitor.goto('/');
  await waitForHydration(visitor);
  await expect(visitor.getByRole('heading', { level: 1 })).toContainText('Northwind Data');
  await expect(visitor.locator('#faq')).toHaveCount(0);
  const order = await visitor.locator('main section[id]').evaluateAll((s) => s.map((e) => e.id));
  expect(order.indexOf('subprocessors')).toBeLessThan(order.indexOf('compliance'));

  // Put the demo back (other specs read its name and FAQ).
  await staff.goto('/admin/content/profile');
  await staff.getByLabel('Company name').fill('Northwind Analytics');
  await staff.getByLabel('Accent colour').fill('#1d5c8f');
  await staff.getByLabel('FAQ', { exact: true }).selectOption('5');
  await staff.getByLabel('Subprocessors', { exact: true }).selectOption('4');
  await staff.getByLabel('Compliance', { exact: true }).selectOption('1');
  await staff.getByLabel('Documents', { exact: true }).selectOption('2');
  await staff.getByLabel('Controls', { exact: true }).selectOption('3');
  await staff.getByRole('button', { name: 'Save draft' }).click();
  await staff.locator('[data-test="pending"]').getByRole('button', { name: 'Publish' }).click();
  await expect(staff.getByRole('status')).toContainText('Published: company profile.');
});
