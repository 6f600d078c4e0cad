/**
 * Amazon SNS's side of an HTTP subscription: an RSA signing key with a self-signed X.509 certificate
 * (made with the openssl CLI at test time) served at a SigningCertURL, SNS-shaped messages signed
 * with SignatureVersion 1 (SHA1withRSA) or 2 (SHA256withRSA), and a SubscribeURL that records visits.
 */
import { execFileSync } from 'node:child_process';
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snsStringToSign, type SnsMessage } from '../../src/adapters/channels/ses/ses-receipts.ts';

export interface SnsFake {
  url: string;
  certUrl: string;
  topicArn: string;
  confirmations: number;
  /** A signed Notification; `at` is its Timestamp (SNS keeps the first one across retries). */
  notification(message: unknown, version?: '1' | '2', at?: Date): SnsMessage;
  subscriptionConfirmation(): SnsMessage;
  close(): Promise<void>;
}

export async function startSnsFake(): Promise<SnsFake> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(join(tmpdir(), 'herald-sns-'));
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const cert = execFileSync(
    'openssl',
    ['req', '-x509', '-key', keyFile, '-subj', '/CN=sns.amazonaws.com', '-days', '2'],
    {
      encoding: 'utf8',
    },
  );
  let confirmations = 0;
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/SimpleNotificationService-')) {
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' });
      res.end(cert);
    } else if (req.url?.startsWith('/?Action=ConfirmSubscription')) {
      confirmations++;
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<ConfirmSubscriptionResponse/>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const certUrl = `${url}/SimpleNotificationService-${randomUUID().replace(/-/g, '')}.pem`;
  const topicArn = 'arn:aws:sns:eu-west-1:123456789012:herald-ses-events';

  const sign = (m: Omit<SnsMessage, 'Signature'>): SnsMessage => {
    const unsigned = { ...m, Signature: '' };
    const algorithm = m.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1';
    return {
      ...unsigned,
      Signature: createSign(algorithm).update(snsStringToSign(unsigned)).sign(privateKey, 'base64'),
    };
  };

  return {
    url,
    certUrl,
    topicArn,
    get confirmations() {
      return confirmations;
    },
    notification(message, version = '1', at = new Date()) {
      return sign({
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: topicArn,
        Message: JSON.stringify(message),
        Timestamp: at.toISOString(),
        SignatureVersion: version,
        SigningCertURL: certUrl,
      });
    },
    subscriptionConfirmation() {
      return sign({
        Type: 'SubscriptionConfirmation',
        MessageId: randomUUID(),
        TopicArn: topicArn,
        Token: 'token-123',
        Message: 'You have chosen to subscribe to the topic.',
        SubscribeURL: `${url}/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=token-123`,
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
        SigningCertURL: certUrl,
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
