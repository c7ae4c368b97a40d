import { newId } from '@navplane/core';
import { BASE62_ALPHABET } from './base62';
import { ADMIN_TOKEN_LENGTH, adminTokenDisplayPrefix, generateAdminToken, parseAdminToken } from './admin-token-format';

describe('admin token format', () => {
  it('is npa_<adm id>_<32-char secret><6-char checksum> and parses back to its id', () => {
    const id = newId('adminToken');
    const token = generateAdminToken(id);
    expect(token).toMatch(/^npa_adm_[0-9a-z]{26}_[0-9A-Za-z]{38}$/);
    expect(token).toHaveLength(ADMIN_TOKEN_LENGTH);
    expect(parseAdminToken(token)).toEqual({ id, token });
    expect(generateAdminToken(id)).not.toBe(token);
  });

  it('refuses every single-character typo and foreign shapes', () => {
    const token = generateAdminToken(newId('adminToken'));
    for (let i = 0; i < token.length; i += 1) {
      for (const char of `${BASE62_ALPHABET}_`) {
        if (char === token[i]) continue;
        expect(parseAdminToken(token.slice(0, i) + char + token.slice(i + 1))).toBeUndefined();
      }
    }
    expect(parseAdminToken(token.replace('npa_adm_', 'npa_org_'))).toBeUndefined();
    expect(parseAdminToken(`np_${token.slice(4)}`)).toBeUndefined();
    expect(parseAdminToken(null)).toBeUndefined();
  });

  it('shows people npa_<id>… and nothing of the secret', () => {
    const id = newId('adminToken');
    expect(adminTokenDisplayPrefix(id)).toBe(`npa_${id}…`);
  });
});
