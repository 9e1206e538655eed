import { generateWebhookSecret } from '../auth/api-key.store';
import { signWebhook } from './webhook-signature';

describe('signWebhook', () => {
  // The example of the Standard Webhooks specification (github.com/standard-webhooks), with its published signature.
  it('matches the Standard Webhooks reference example', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('changes with the id, the timestamp, the body and the secret', () => {
    const secret = generateWebhookSecret();
    const base = signWebhook(secret, 'a', 1, '{}');
    expect(signWebhook(secret, 'b', 1, '{}')).not.toBe(base);
    expect(signWebhook(secret, 'a', 2, '{}')).not.toBe(base);
    expect(signWebhook(secret, 'a', 1, '{ }')).not.toBe(base);
    expect(signWebhook(generateWebhookSecret(), 'a', 1, '{}')).not.toBe(base);
  });

  it('makes secrets of 32 random bytes in the whsec_ form', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('refuses a secret not in the whsec_ form', () => {
    expect(() => signWebhook('plain', 'a', 1, '{}')).toThrow('whsec_');
  });
});
