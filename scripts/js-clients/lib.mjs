// Shared helpers for sdk-v3.mjs and amplify-v6.mjs: settings from the
// environment, random phone numbers and passwords, the outbox reader and
// JWT decoding. Nothing here talks to Cognito.

import { readFile } from 'node:fs/promises';
import { randomBytes, randomInt } from 'node:crypto';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9229';
export const DEFAULT_POOL_ID = 'us-east-1_L0ca1P00l';
export const DEFAULT_CLIENT_ID = '10ca1otpc1ient000000000000';

// settings reads OTP_LOCAL_* and the phone number (argv[2], default a
// random +1415555xxxx).
export function settings(script) {
  const outbox = process.env.OTP_LOCAL_OUTBOX;
  if (!outbox) {
    fail(script, 'OTP_LOCAL_OUTBOX is required: the --outbox file of go run ./cmd/otp-local');
  }
  const phone = process.argv[2] || `+1415555${String(randomInt(0, 10000)).padStart(4, '0')}`;
  if (!/^\+[0-9]{4,15}$/.test(phone)) {
    fail(script, `phone number ${JSON.stringify(phone)} is not E.164 (+ and digits)`);
  }
  const poolId = process.env.OTP_LOCAL_POOL_ID || DEFAULT_POOL_ID;
  return {
    endpoint: process.env.OTP_LOCAL_ENDPOINT || DEFAULT_ENDPOINT,
    outbox,
    poolId,
    clientId: process.env.OTP_LOCAL_CLIENT_ID || DEFAULT_CLIENT_ID,
    region: poolId.split('_')[0],
    phone,
  };
}

// randomPassword is docs/app-developers.md's: 32 random bytes, base64url,
// plus one character of each class. Nobody ever sees it.
export function randomPassword() {
  return randomBytes(32).toString('base64url') + 'Aa1!';
}

// outboxLines returns the outbox's records (a missing file is empty).
async function outboxLines(path) {
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

// outboxMark is how many lines the outbox has now; waitForCode reads only
// lines after it.
export async function outboxMark(path) {
  return (await outboxLines(path)).length;
}

// waitForCode polls the outbox for a new SMS to phone (after line `after`)
// for up to timeoutMs and returns its code and record.
export async function waitForCode(path, phone, after, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = await outboxLines(path);
    const sms = lines.slice(after).find((r) => r.to === phone);
    if (sms) {
      const m = /\b(\d{4,10})\b/.exec(sms.body ?? '');
      if (!m) throw new Error(`SMS ${sms.id} to ${phone} has no code: ${JSON.stringify(sms.body)}`);
      return { code: m[1], sms };
    }
    if (Date.now() > deadline) {
      throw new Error(`no new SMS to ${phone} in ${path} within ${timeoutMs / 1000} s (outbox has ${lines.length} lines)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// jwtClaims decodes a JWT's payload (no signature check: display only).
export function jwtClaims(jwt) {
  const parts = String(jwt).split('.');
  if (parts.length !== 3) throw new Error(`not a JWT: ${String(jwt).slice(0, 20)}...`);
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

// wrongCode returns a code of the same length that differs from code in
// every digit.
export function wrongCode(code) {
  return [...code].map((d) => String((Number(d) + 5) % 10)).join('');
}

export function fail(script, message) {
  console.error(`${script}: FAIL: ${message}`);
  process.exit(1);
}

// describe renders an SDK or Amplify error with what helps to debug it.
export function describe(err) {
  const name = err?.name && err.name !== 'Error' ? `${err.name}: ` : '';
  const parts = [`${name}${err?.message ?? String(err)}`];
  const meta = err?.$metadata;
  if (meta?.httpStatusCode) parts.push(`HTTP ${meta.httpStatusCode}`);
  if (meta?.requestId) parts.push(`request id ${meta.requestId}`);
  if (err?.underlyingError) parts.push(`underlying: ${describe(err.underlyingError)}`);
  if (err?.cause && err.cause !== err.underlyingError) parts.push(`cause: ${describe(err.cause)}`);
  return parts.join('; ');
}
