import type { EgressGuard } from '@navplane/egress';
import type { WebhookSend } from '@navplane/limits';
import { Agent, request } from 'undici';

/** Options of createWebhookSender. */
export interface WebhookSenderOptions {
  /** The egress rules of tenant-supplied URLs (NAVPLANE_UPSTREAM_ALLOWLIST): checked before and at every connection. */
  egress: Pick<EgressGuard, 'checkUrl' | 'lookup'>;
  /** Longest a POST may take, connect to answer (default 10000 ms). */
  timeoutMs?: number;
}

/** A webhook sender and the connection pool it owns (closed at shutdown). */
export interface WebhookSender {
  readonly send: WebhookSend;
  close(): Promise<void>;
}

/**
 * POSTs spend alerts to tenant webhooks under the SSRF rules (docs/security-egress.md): the URL must be https (http
 * only for an allowlisted host) and every address it connects to public unless allowlisted — judged at connect time,
 * so a name that turns private later is refused then. Redirects are not followed. The answer's body is discarded.
 */
export function createWebhookSender({ egress, timeoutMs = 10_000 }: WebhookSenderOptions): WebhookSender {
  const agent = new Agent({ connect: { lookup: egress.lookup, timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return {
    async send(url, body, headers) {
      const checked = egress.checkUrl(url);
      if (!checked.ok) return { error: `refused by the egress rules: ${checked.error.message}`, refused: true };
      try {
        const answer = await request(checked.value, { method: 'POST', body, headers, dispatcher: agent });
        await answer.body.dump();
        return { status: answer.statusCode };
      } catch (error) {
        const code: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
        if (code === 'ERR_NAVPLANE_EGRESS_REFUSED')
          return { error: 'refused by the egress rules: a private or reserved address', refused: true };
        return { error: typeof code === 'string' ? code : 'the webhook could not be reached' };
      }
    },
    close: () => agent.close(),
  };
}
