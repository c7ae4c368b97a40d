// Fake values for the corpus and the specs. Secrets are assembled from pieces so that no committed text
// looks like a real key to secret scanners; none of them is or was ever valid.
import { itemAt } from '@navplane/core';

/** Fake values, one or more per detector and secret kind. */
export const FAKE = {
  email: 'jane.doe@example.com',
  email2: 'ops-team+alerts@corp.example.org',
  phoneUs: '(415) 555-0132',
  phoneUsDashed: '415-555-0132',
  phoneIntl: '+44 20 7946 0958',
  phoneE164: '+14155550132',
  ssn: '123-45-6789',
  visa: '4111 1111 1111 1111',
  visaCompact: '4111111111111111',
  mastercard: '5555-5555-5555-4444',
  amex: '3782 822463 10005',
  openai: 'sk-' + 'proj-' + 'A1b2C3d4E5f6'.repeat(4),
  anthropic: 'sk-' + 'ant-' + 'api03-' + 'Z9y8X7w6V5u4'.repeat(4),
  navplane: 'np_' + 'Ab12Cd34Ef56' + '_' + 'Gh78Ij90Kl12'.repeat(3) + 'Mn',
  aws: 'AK' + 'IA' + 'QX7ZT3M4' + 'NP5RK2WA',
  github: 'gh' + 'p_' + 'aB3dE5fG7hJ9'.repeat(3),
  githubPat: 'github' + '_pat_' + '11ABCDEFG0' + 'a1B2c3D4e5F6'.repeat(5),
  bearerToken: 'tok_' + 'Q2x5Vb8Nm3Lp'.repeat(2),
  privateKey: [
    '-----BEGIN ' + 'RSA PRIVATE KEY-----',
    'MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu',
    'KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm',
    'o3qGy0t6z09AIJtH+5OeRV1be+N4cDYJKffGzDa88vQENZiRm0GRq6a+HPGQMd2k',
    '-----END ' + 'RSA PRIVATE KEY-----',
  ].join('\n'),
} as const;

/** A line of the fake private key's body (the corpus checks it never survives redaction). */
export const PRIVATE_KEY_BODY_LINE = itemAt(FAKE.privateKey.split('\n'), 1);
