import { queryCarriesNavPlaneKey } from './authenticate.step';

describe('queryCarriesNavPlaneKey', () => {
  const key = 'np_AbCdEfGh1234_0123456789abcdefghijABCDEFGHIJ0123456789';

  it.each([
    `key=${key}`,
    `alt=sse&key=${key}`,
    `key=${key.replace('_', '%5F')}`,
    `key=${key.replace('_', '%5f')}`,
    `x=1&token=${key.slice(0, 20)}`,
    key,
  ])('finds a NavPlane key in %s', (query) => {
    expect(queryCarriesNavPlaneKey(query)).toBe(true);
  });

  it.each(['', 'alt=sse', 'key=AIzaSyExample', 'model=np', 'q=snp_abcdefgh123', 'limit=20&beta=true', 'name=np_ab'])(
    'finds none in %s',
    (query) => {
      expect(queryCarriesNavPlaneKey(query)).toBe(false);
    },
  );
});
