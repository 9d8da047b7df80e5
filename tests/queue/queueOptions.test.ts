import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../server/config';
import { checkQueueOptions } from '../../server/studio';

describe('queue-mode options', () => {
  it('reads --queue and --secret', () => {
    const options = parseCliArgs(['--queue', 'redis://10.0.0.2:6379', '--secret', 's'.repeat(16)]);
    expect(checkQueueOptions(options)).toEqual({ url: 'redis://10.0.0.2:6379', secret: 's'.repeat(16) });
    expect(checkQueueOptions(parseCliArgs([]))).toBeNull();
  });

  it.each([
    [{ queue: 'redis://127.0.0.1:6379' }, 'pass --secret S or set STUDIO_SECRET'],
    [{ queue: 'redis://127.0.0.1:6379', secret: 'short' }, 'at least 16 characters for the workers (got 5)'],
    [{ queue: 'localhost:6379', secret: 's'.repeat(16) }, 'expected redis://HOST:PORT'],
  ])('refuses %j', (options, message) => {
    expect(() => checkQueueOptions(options)).toThrow(message);
  });
});
