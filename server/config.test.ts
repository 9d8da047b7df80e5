import { describe, expect, it } from 'vitest';
import { parseCliArgs, resolveExecutionProvider } from './config';

describe('parseCliArgs', () => {
  it('reads every flag, in both --flag value and --flag=value forms', () => {
    expect(
      parseCliArgs([
        '--port=0',
        '--listen',
        '--data-dir',
        '/d',
        '--models-dir=/m',
        '--execution-provider',
        'cpu',
        '--enable-cors-header',
        '--max-upload-size',
        '1.5',
      ]),
    ).toEqual({
      port: 0,
      listen: '0.0.0.0',
      dataDir: '/d',
      modelsDir: '/m',
      executionProvider: 'cpu',
      enableCorsHeader: true,
      maxUploadBytes: 1572864,
    });
    expect(parseCliArgs(['--listen', '::1', '--enable-cors-header', 'http://a.example'])).toEqual({
      listen: '::1',
      enableCorsHeader: 'http://a.example',
    });
  });

  it.each([
    [['--port', 'http'], /--port http: expected an integer 0–65535/],
    [['--execution-provider', 'tpu'], /expected auto, cuda or cpu/],
    [['--max-upload-size', '0'], /expected a positive number of megabytes/],
    [['--data-dir'], /--data-dir needs a value/],
    [['--colour'], /unknown flag --colour/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('resolves cpu as cpu', () => {
    expect(resolveExecutionProvider('cpu')).toBe('cpu');
    expect(['cpu', 'cuda']).toContain(resolveExecutionProvider('auto'));
  });
});
