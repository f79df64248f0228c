// A real OpenID provider for the tests: npm `oidc-provider` (OpenID-certified), on a loopback
// port, with its development login pages (any password; the login name picks the account).
//
//   node end2end/oidc/provider.mjs   (environment below; prints {"issuer": "..."} when ready)
//
// OIDC_USERS        a JSON file read at every sign-in, so tests can change a person's groups:
//                   { "<login>": { "email": "...", "email_verified": true, "name": "...",
//                                  "groups": ["sec-team"], "tamper": "aud" } }
// OIDC_PORT         the port (default: any free one)
// OIDC_CLIENT_ID, OIDC_CLIENT_SECRET   the one client (redirect URIs: any loopback
//                   http://127.0.0.1:<port>/staff/sso/callback).
//
// `tamper` makes the provider misbehave for that person only, as an attacker or a broken
// provider would, by rewriting the ID token in the token response: "aud" (another audience,
// signed with the real key), "expired" (expired an hour ago, signed), "none" (alg none, no
// signature), "key" (signed by a key the provider never published), "iss" (another issuer,
// signed), "mfa" (a well-signed token whose `amr` says a second factor was used: the development
// login pages record none). POST /test/rotate makes
// the provider sign with a new key, published alongside the old one.
import Provider from 'oidc-provider';
import * as jose from 'jose';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const usersFile = process.env.OIDC_USERS;
const clientId = process.env.OIDC_CLIENT_ID ?? 'vouchsafe';
const clientSecret = process.env.OIDC_CLIENT_SECRET;
if (!usersFile || !clientSecret) {
  console.error('OIDC_USERS and OIDC_CLIENT_SECRET are required');
  process.exit(2);
}
const users = () => JSON.parse(readFileSync(usersFile, 'utf8'));

async function newKey(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' } };
}
const first = await newKey('k1');
const stranger = await newKey('never-published');
let rotated = null; // the key in use after POST /test/rotate

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(process.env.OIDC_PORT ?? 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: ['http://127.0.0.1/staff/sso/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [first.jwk] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
  claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name'], groups: ['groups'] },
  conformIdTokenClaims: false, // claims go in the ID token, as Okta and Entra ID put groups there
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const user = users()[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        const { tamper, ...claims } = user;
        return { sub: id, ...claims };
      },
    };
  },
});
// Any loopback port: the tests start Vouchsafe on a port of its own.
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(uri) {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && url.hostname === '127.0.0.1' && url.pathname === '/staff/sso/callback';
  } catch {
    return false;
  }
};

async function resign(payload, key, header = {}) {
  return new jose.SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid, ...header }).sign(key.privateKey);
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/rotate' && ctx.method === 'POST') {
    rotated = await newKey(`k${Date.now()}`);
    ctx.body = { kid: rotated.kid };
    return;
  }
  await next();
  if (ctx.path === '/jwks' && rotated && ctx.body?.keys) {
    const { d, p, q, dp, dq, qi, ...pub } = rotated.jwk;
    ctx.body = { keys: [...ctx.body.keys, pub] };
  }
  if (ctx.path !== '/token' || !ctx.body?.id_token) return;
  const payload = jose.decodeJwt(ctx.body.id_token);
  const tamper = users()[payload.sub]?.tamper;
  const now = Math.floor(Date.now() / 1000);
  if (tamper === 'aud') {
    ctx.body.id_token = await resign({ ...payload, aud: 'someone-else' }, first);
  } else if (tamper === 'expired') {
    ctx.body.id_token = await resign({ ...payload, iat: now - 7200, exp: now - 3600 }, first);
  } else if (tamper === 'none') {
    ctx.body.id_token = `${jose.base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${jose.base64url.encode(JSON.stringify(payload))}.`;
  } else if (tamper === 'iss') {
    ctx.body.id_token = await resign({ ...payload, iss: 'https://evil.example' }, first);
  } else if (tamper === 'mfa') {
    ctx.body.id_token = await resign({ ...payload, amr: ['pwd', 'mfa'] }, rotated ?? first);
  } else if (tamper === 'key') {
    ctx.body.id_token = await resign(payload, stranger);
  } else if (rotated) {
    ctx.body.id_token = await resign(payload, rotated);
  }
});

server.on('request', provider.callback());
console.log(JSON.stringify({ issuer }));
