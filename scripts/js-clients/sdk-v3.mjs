// sdk-v3.mjs signs a phone number up and in against the local stack with
// the AWS SDK for JavaScript v3, the way docs/app-developers.md tells apps to:
//
//   SignUp with a phone_number attribute -> NotAuthorizedException (the app
//     client may not write it), then the documented SignUp: the number as
//     Username, a random password, no attributes (UsernameExistsException
//     is fine)
//   InitiateAuth CUSTOM_AUTH -> CUSTOM_CHALLENGE, code read from the outbox
//   RespondToAuthChallenge with a wrong code -> another CUSTOM_CHALLENGE
//   RespondToAuthChallenge with the right code (still valid) -> tokens
//   GetUser, UpdateUserAttributes(phone_number) -> NotAuthorizedException
//     (no takeover), InitiateAuth REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken,
//   RevokeToken, and a refresh after the revocation -> NotAuthorizedException
//
// GetTokensFromRefreshToken is the newer refresh call (Amplify v6 uses it).
// A server that lacks it is reported as a "GAP:" line; with
// OTP_LOCAL_STRICT=0 a gap does not fail the script.
//
// Usage: OTP_LOCAL_OUTBOX=/path/outbox.jsonl node sdk-v3.mjs [+14155550123]
// Env: OTP_LOCAL_ENDPOINT (http://127.0.0.1:9229), OTP_LOCAL_POOL_ID,
// OTP_LOCAL_CLIENT_ID. Exits 1 on any failure.

import {
  CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRequire } from 'node:module';

import {
  describe, fail, jwtClaims, outboxMark, randomPassword, settings, waitForCode, wrongCode,
} from './lib.mjs';

const SCRIPT = 'sdk-v3';
const cfg = settings(SCRIPT);
const strict = process.env.OTP_LOCAL_STRICT !== '0';
const gaps = [];
const sdkVersion = createRequire(import.meta.url)('@aws-sdk/client-cognito-identity-provider/package.json').version;

const cognito = new CognitoIdentityProviderClient({
  region: cfg.region,
  endpoint: cfg.endpoint,
  // These operations are unsigned (the API needs no AWS credentials for
  // them), so the SDK never uses these; they only keep it from searching
  // the default credential chain should it ever want to.
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1, // a retry would hide what the server answered first
});

let step = '';
function log(msg) {
  console.log(`${SCRIPT}: ${msg}`);
}
async function call(name, command) {
  step = name;
  return cognito.send(command);
}
function expect(cond, msg) {
  if (!cond) throw new Error(`${step}: ${msg}`);
}

// expectRefused sends command and wants it refused with name and message.
async function expectRefused(name, command, errName, message) {
  try {
    await call(name, command);
  } catch (err) {
    expect(err?.name === errName && err?.message === message, `want ${errName}: ${message}, got ${describe(err)}`);
    log(`${name}: ${err.name}: ${err.message} (as wanted)`);
    return;
  }
  throw new Error(`${name}: succeeded; want ${errName}`);
}

async function main() {
  log(`@aws-sdk/client-cognito-identity-provider ${sdkVersion}, Node ${process.version}`);
  log(`endpoint ${cfg.endpoint}, pool ${cfg.poolId}, client ${cfg.clientId}, phone ${cfg.phone}`);

  // 1. Sign up. The password is random and thrown away. The number goes in
  // Username only: it fills phone_number, which the app client may not
  // write (template.yaml's WriteAttributes; docs/security.md).
  await expectRefused('SignUp with a phone_number attribute', new SignUpCommand({
    ClientId: cfg.clientId,
    Username: cfg.phone,
    Password: randomPassword(),
    UserAttributes: [{ Name: 'phone_number', Value: cfg.phone }],
  }), 'NotAuthorizedException', 'A client attempted to write unauthorized attribute');
  try {
    const up = await call('SignUp', new SignUpCommand({
      ClientId: cfg.clientId,
      Username: cfg.phone,
      Password: randomPassword(),
    }));
    expect(up.UserConfirmed === true, `UserConfirmed is ${up.UserConfirmed}: PreSignUp did not auto-confirm`);
    expect(typeof up.UserSub === 'string' && up.UserSub !== '', 'no UserSub');
    log(`SignUp: UserConfirmed=${up.UserConfirmed} UserSub=${up.UserSub}`);
  } catch (err) {
    if (err?.name !== 'UsernameExistsException') throw err;
    log('SignUp: UsernameExistsException (already registered, continuing)');
  }

  // 2. Ask for a code.
  const mark = await outboxMark(cfg.outbox);
  const start = await call('InitiateAuth CUSTOM_AUTH', new InitiateAuthCommand({
    ClientId: cfg.clientId,
    AuthFlow: 'CUSTOM_AUTH',
    AuthParameters: { USERNAME: cfg.phone },
  }));
  expect(start.ChallengeName === 'CUSTOM_CHALLENGE', `ChallengeName is ${start.ChallengeName}, want CUSTOM_CHALLENGE`);
  expect(!start.AuthenticationResult, 'tokens before any answer');
  expect(start.Session, 'no Session');
  const params = start.ChallengeParameters ?? {};
  expect(params.USERNAME, 'ChallengeParameters has no USERNAME');
  log(`InitiateAuth: ${start.ChallengeName} ${JSON.stringify(params)}`);

  step = 'read the outbox';
  const { code, sms } = await waitForCode(cfg.outbox, cfg.phone, mark);
  log(`outbox: SMS ${sms.id} to ${sms.to}: ${JSON.stringify(sms.body)}`);
  if (params.codeLength) {
    expect(code.length === Number(params.codeLength), `code ${code} is not codeLength=${params.codeLength} digits`);
  }

  // 3. A wrong code is not an error: another round with a new Session.
  const wrong = wrongCode(code);
  const again = await call('RespondToAuthChallenge (wrong code)', new RespondToAuthChallengeCommand({
    ClientId: cfg.clientId,
    ChallengeName: 'CUSTOM_CHALLENGE',
    Session: start.Session,
    ChallengeResponses: { USERNAME: params.USERNAME, ANSWER: wrong },
  }));
  expect(!again.AuthenticationResult, `the wrong code ${wrong} returned tokens`);
  expect(again.ChallengeName === 'CUSTOM_CHALLENGE', `ChallengeName is ${again.ChallengeName}, want CUSTOM_CHALLENGE`);
  expect(again.Session && again.Session !== start.Session, 'no new Session after a wrong code');
  const params2 = again.ChallengeParameters ?? {};
  expect(params2.USERNAME, 'ChallengeParameters has no USERNAME');
  log(`RespondToAuthChallenge(${wrong}, wrong): ${again.ChallengeName} again, new Session, ${JSON.stringify(params2)}`);

  // 4. The same code is still valid in the new round.
  const done = await call('RespondToAuthChallenge (right code)', new RespondToAuthChallengeCommand({
    ClientId: cfg.clientId,
    ChallengeName: 'CUSTOM_CHALLENGE',
    Session: again.Session,
    ChallengeResponses: { USERNAME: params2.USERNAME, ANSWER: code },
  }));
  const tokens = done.AuthenticationResult;
  expect(tokens, `no AuthenticationResult (ChallengeName ${done.ChallengeName})`);
  expect(tokens.AccessToken && tokens.IdToken && tokens.RefreshToken, 'a token is missing');
  expect(tokens.TokenType === 'Bearer', `TokenType is ${tokens.TokenType}`);
  log(`RespondToAuthChallenge(${code}): signed in, ExpiresIn=${tokens.ExpiresIn} TokenType=${tokens.TokenType}`);

  const id = jwtClaims(tokens.IdToken);
  const access = jwtClaims(tokens.AccessToken);
  log(`ID token claims: ${JSON.stringify(id)}`);
  log(`access token claims: ${JSON.stringify(access)}`);
  expect(id.phone_number === cfg.phone, `ID token phone_number is ${id.phone_number}`);
  expect(id.phone_number_verified === true, `ID token phone_number_verified is ${id.phone_number_verified}`);
  expect(id.aud === cfg.clientId && access.client_id === cfg.clientId, 'tokens are for another client');

  // 5. GetUser with the access token.
  const me = await call('GetUser', new GetUserCommand({ AccessToken: tokens.AccessToken }));
  const attrs = Object.fromEntries((me.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
  log(`GetUser: Username=${me.Username} ${JSON.stringify(attrs)}`);
  expect(me.Username === access.username, `Username ${me.Username} is not the token's ${access.username}`);
  expect(attrs.phone_number === cfg.phone, `phone_number is ${attrs.phone_number}`);
  expect(attrs.phone_number_verified === 'true', `phone_number_verified is ${attrs.phone_number_verified}`);

  // 5b. A signed-in user cannot point their codes at another number.
  await expectRefused('UpdateUserAttributes(phone_number)', new UpdateUserAttributesCommand({
    AccessToken: tokens.AccessToken,
    UserAttributes: [{ Name: 'phone_number', Value: '+14155550000' }],
  }), 'NotAuthorizedException', 'A client attempted to write unauthorized attribute');
  const after = await call('GetUser (after the refused update)', new GetUserCommand({ AccessToken: tokens.AccessToken }));
  const phoneAfter = (after.UserAttributes ?? []).find((a) => a.Name === 'phone_number')?.Value;
  expect(phoneAfter === cfg.phone, `phone_number is ${phoneAfter} after a refused update`);

  // 6. Refresh.
  const refreshed = await call('InitiateAuth REFRESH_TOKEN_AUTH', new InitiateAuthCommand({
    ClientId: cfg.clientId,
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
  }));
  const fresh = refreshed.AuthenticationResult;
  expect(fresh?.AccessToken && fresh?.IdToken, 'no new access and ID tokens');
  expect(jwtClaims(fresh.AccessToken).origin_jti === access.origin_jti, 'refreshed access token has another origin_jti');
  log(`REFRESH_TOKEN_AUTH: new tokens, ExpiresIn=${fresh.ExpiresIn}, RefreshToken ${fresh.RefreshToken ? 'rotated' : 'not returned (kept)'}`);

  try {
    const got = await call('GetTokensFromRefreshToken', new GetTokensFromRefreshTokenCommand({
      ClientId: cfg.clientId,
      RefreshToken: tokens.RefreshToken,
    }));
    const t = got.AuthenticationResult;
    expect(t?.AccessToken && t?.IdToken, 'no new access and ID tokens');
    expect(jwtClaims(t.AccessToken).origin_jti === access.origin_jti, 'new access token has another origin_jti');
    log(`GetTokensFromRefreshToken: new tokens, ExpiresIn=${t.ExpiresIn}`);
  } catch (err) {
    const gap = `${step} failed: ${describe(err)}`;
    if (strict) throw new Error(gap);
    gaps.push(gap);
    log(`GAP: ${gap}`);
  }

  // 7. Revoke, then a refresh must fail.
  await call('RevokeToken', new RevokeTokenCommand({ ClientId: cfg.clientId, Token: tokens.RefreshToken }));
  log('RevokeToken: ok');
  try {
    await call('InitiateAuth REFRESH_TOKEN_AUTH (after RevokeToken)', new InitiateAuthCommand({
      ClientId: cfg.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
    }));
  } catch (err) {
    expect(err?.name === 'NotAuthorizedException', `want NotAuthorizedException, got ${describe(err)}`);
    log(`REFRESH_TOKEN_AUTH after RevokeToken: ${err.name}: ${err.message}`);
    log(gaps.length ? `PASS, with ${gaps.length} server gap(s) (OTP_LOCAL_STRICT=0 lets them pass)` : 'PASS');
    return;
  }
  throw new Error(`${step}: succeeded; want NotAuthorizedException`);
}

main().catch((err) => {
  const where = step && !String(err?.message).startsWith(step) ? `${step}: ` : '';
  fail(SCRIPT, `${where}${describe(err)}`);
});
