import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each run starts the binary (E2E_BIN; scripts/test uses the debug build) on a fresh data directory seeded with the demo, and a real
// SMTP server (aiosmtpd) whose Maildir the tests read mail from.
const port = Number(process.env.E2E_PORT ?? 3131);
process.env.E2E_BIN = process.env.E2E_BIN ?? '../target/debug/vouchsafe';
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3132);
// A real OpenID provider (npm oidc-provider) for staff single sign-on; its people are in oidc/users.json.
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 3133);
const oidcSecret = 'e2e-client-secret';
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'vouchsafe-e2e-'));
process.env.E2E_DATA_DIR = dataDir;
process.env.E2E_MAILDIR = join(dataDir, 'maildir');
process.env.E2E_BASE_URL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 45_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: [
    {
      command: `python3 -m aiosmtpd -n -l 127.0.0.1:${smtpPort} -c aiosmtpd.handlers.Mailbox ${join(dataDir, 'maildir')}`,
      port: smtpPort,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: 'node oidc/provider.mjs',
      cwd: __dirname,
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { OIDC_PORT: String(oidcPort), OIDC_USERS: join(__dirname, 'oidc', 'users.json'), OIDC_CLIENT_SECRET: oidcSecret },
    },
    {
      command: `${process.env.E2E_BIN} serve --demo`,
      cwd: __dirname,
      url: `http://127.0.0.1:${port}/readyz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        VOUCHSAFE_DATA_DIR: dataDir,
        VOUCHSAFE_ADDR: `127.0.0.1:${port}`,
        VOUCHSAFE_BASE_URL: `http://127.0.0.1:${port}`,
        VOUCHSAFE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}?tls=none`,
        VOUCHSAFE_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
        VOUCHSAFE_OIDC_CLIENT_ID: 'vouchsafe',
        VOUCHSAFE_OIDC_CLIENT_SECRET: oidcSecret,
        VOUCHSAFE_OIDC_NAME: 'Northwind SSO',
        VOUCHSAFE_OIDC_DOMAINS: 'northwind-analytics.example',
        VOUCHSAFE_OIDC_ROLES: 'trust-admins=admin,sales=sales,security=security',
        VOUCHSAFE_OIDC_SCOPES: 'email profile groups',
        RUST_LOG: 'warn',
      },
    },
  ],
});
