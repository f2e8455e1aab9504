// Slack's request signing, v0: HMAC-SHA256 over "v0:{timestamp}:{raw body}" with the app's signing secret
// (https://api.slack.com/authentication/verifying-requests-from-slack).
import { createHmac } from 'node:crypto';

export function slackSignature(signingSecret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

export function signedHeaders(
  signingSecret: string,
  body: string,
  contentType: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestampSeconds),
    'x-slack-signature': slackSignature(signingSecret, timestampSeconds, body),
  };
}
