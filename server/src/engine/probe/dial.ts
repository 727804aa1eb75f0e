// The dialer the CLI and the language server share: a TCP connection and a TLS handshake with node:tls, then
// hang up. No request is sent, the server's certificate is not verified here (judge.ts does, with Go's rules,
// against the workspace's CA), and no client certificate is presented unless the caller gives one. Every dial
// ends within its timeout, whatever the other side does (accepts and stays silent, answers in plain HTTP).
import * as tls from 'node:tls';
import type { DialOutcome, DialRequest, UnreachableReason } from './types';

/** OpenSSL's errors when the bytes that come back are no TLS record: a plain HTTP (or other) server. */
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_HTTPS_PROXY_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_RECORD_LAYER_FAILURE',
]);

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function classify(err: NodeJS.ErrnoException, connected: boolean): { reason: UnreachableReason; detail: string } {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return { reason: 'refused', detail: 'nothing listens on the port (ECONNREFUSED)' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { reason: 'unresolved', detail: `the name does not resolve (${code})` };
  if (NOT_TLS.has(code)) return { reason: 'not-tls', detail: `the port answered, but not with TLS: a plain HTTP port? (${code})` };
  if (code === 'ECONNRESET' && connected)
    return {
      reason: 'not-tls',
      detail: 'the connection was reset during the TLS handshake: not a TLS port, or the server refused the handshake (ECONNRESET)',
    };
  // Alerts and other handshake failures: OpenSSL's words, never data from the peer beyond them.
  const words = (err.message ?? '').split('\n')[0].slice(0, 200);
  return { reason: 'error', detail: code ? `${words} (${code})` : words };
}

/** The chain as the server sent it, leaf first (DER). */
function peerChain(socket: tls.TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let c: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(Buffer.from(c.raw));
    c = c.issuerCertificate;
  }
  return out;
}

export function tlsDialer(request: DialRequest): Promise<DialOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    let socket: tls.TLSSocket | undefined;
    const finish = (outcome: DialOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () =>
        finish({
          kind: 'unreachable',
          reason: 'timeout',
          detail: connected
            ? `the TCP connection was accepted, but no TLS handshake completed within ${seconds(request.timeoutMs)}`
            : `no connection within ${seconds(request.timeoutMs)}`,
        }),
      request.timeoutMs,
    );
    try {
      socket = tls.connect({
        host: request.host,
        port: request.port,
        // SNI only for a name: an IP address in SNI is not allowed (RFC 6066 §3) and Node refuses it.
        ...(request.serverName && !/^[\d.]+$|:/.test(request.serverName) ? { servername: request.serverName } : { servername: '' }),
        rejectUnauthorized: false,
        ...(request.clientCert ? { cert: request.clientCert.cert, key: request.clientCert.key } : {}),
      });
    } catch (err) {
      finish({ kind: 'unreachable', ...classify(err as NodeJS.ErrnoException, false) });
      return;
    }
    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => {
      const chain = peerChain(socket!);
      finish({ kind: 'served', chain, protocol: socket!.getProtocol() ?? undefined });
    });
    socket.on('error', (err) => finish({ kind: 'unreachable', ...classify(err, connected) }));
    socket.once('close', () =>
      finish({ kind: 'unreachable', reason: connected ? 'not-tls' : 'error', detail: 'the connection closed before a TLS handshake completed' }),
    );
  });
}
