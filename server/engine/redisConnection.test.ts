import { describe, expect, it } from 'vitest';
import { redisConnection } from './redisConnection';

describe('redisConnection', () => {
  it('reads host, port, password and database', () => {
    expect(redisConnection('redis://:s3cret@10.0.0.5:6380/2')).toEqual({
      host: '10.0.0.5',
      port: 6380,
      password: 's3cret',
      db: 2,
      maxRetriesPerRequest: null,
    });
    expect(redisConnection('redis://localhost')).toMatchObject({ host: 'localhost', port: 6379, db: 0 });
  });

  it.each([
    ['http://127.0.0.1:6379', 'expected redis://HOST:PORT'],
    ['127.0.0.1:6379', 'expected redis://HOST:PORT'],
    ['redis://127.0.0.1:6379/x', 'database "x" is not a number'],
  ])('refuses %s', (url, message) => {
    expect(() => redisConnection(url)).toThrow(message);
  });
});
