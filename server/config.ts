/**
 * Studio options: their defaults, the `npm start` command-line flags that set them, and the resolution
 * of `--execution-provider auto` (CUDA when onnxruntime-node's CUDA provider and an NVIDIA driver exist).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionProvider, NodeDefinition } from './engine/nodeDefinition';

/** The repository root (this file lives in server/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type ExecutionProviderChoice = 'auto' | ExecutionProvider;

export interface StudioLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

export const consoleLogger: StudioLogger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(`warning: ${message}`),
  error: (message, err) => console.error(`error: ${message}`, err ?? ''),
};

export const silentLogger: StudioLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface StudioOptions {
  /** TCP port; 0 picks a free one. Default 8188. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  listen?: string;
  /** input/, output/, temp/, user/, history and queue. Default ./data. */
  dataDir?: string;
  /** checkpoints/, embeddings/, clip/, cache/ … Default ./models. */
  modelsDir?: string;
  executionProvider?: ExecutionProviderChoice;
  /** Allow cross-origin requests: true or '*' for any origin, or one origin. Default off (403 on mismatch). */
  enableCorsHeader?: boolean | string;
  /** Host names served besides loopback names, IP literals and `listen` (`.x.com`: subdomains; `*`: any). */
  allowedHosts?: readonly string[];
  /** Largest tensor a node may allocate, in pixels × batch × channels. Default 8192² × 4. */
  maxPixels?: number;
  /** Largest upload / request body in bytes. Default 50 MB. */
  maxUploadBytes?: number;
  /** Serve the built client (client/dist) at `/`. Default false. */
  serveClient?: boolean;
  /** Where the built client is. Default client/dist. */
  clientDistDir?: string;
  /** Shipped read-only workflows. Default workflows/. */
  workflowsDir?: string;
  /** Replaces the node list of nodes/index.ts (tests). */
  nodes?: readonly NodeDefinition[];
  /** Added to the node list (tests declare their own slow/failing nodes this way). */
  extraNodes?: readonly NodeDefinition[];
  /** Run server/startupTasks.ts. Default true. */
  runStartupTasks?: boolean;
  /** History entries kept. Default 10000. */
  maxHistoryEntries?: number;
  /** JSON bytes of history kept (oldest entries go first). Default 256 MB. */
  maxHistoryBytes?: number;
  logger?: StudioLogger;
  /** Queue mode: `redis://HOST:PORT` of the BullMQ queue workers take prompts from. Default: in-process. */
  queue?: string;
  /** Queue mode: the secret workers authenticate with (`--secret` or STUDIO_SECRET). */
  secret?: string;
}

export const DEFAULT_PORT = 8188;
export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

function cudaProviderInstalled(): boolean {
  const bin = path.join(repoRoot, 'node_modules', 'onnxruntime-node', 'bin');
  const napiDirs = existsSync(bin) ? readdirSync(bin).filter((d) => d.startsWith('napi-v')) : [];
  return napiDirs.some((d) =>
    existsSync(path.join(bin, d, process.platform, process.arch, 'libonnxruntime_providers_cuda.so')),
  );
}

function nvidiaDriverPresent(): boolean {
  return existsSync('/proc/driver/nvidia/version') || existsSync('/dev/nvidia0');
}

/** `auto` → cuda when usable, else cpu; `cuda` without the provider installed is an error with the fix. */
export function resolveExecutionProvider(choice: ExecutionProviderChoice): ExecutionProvider {
  if (choice === 'cpu') return 'cpu';
  const usable = cudaProviderInstalled() && nvidiaDriverPresent();
  if (choice === 'auto') return usable ? 'cuda' : 'cpu';
  if (!cudaProviderInstalled()) {
    throw new Error(
      '--execution-provider cuda: the onnxruntime CUDA provider is not installed; run `npm run setup:cuda` first',
    );
  }
  return 'cuda';
}

export const USAGE = `Usage: npm start -- [flags]
  --port N                  port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
  --listen [HOST]           address to listen on (default 127.0.0.1; without HOST: 0.0.0.0)
  --data-dir DIR            input/, output/, temp/, user workflows, history (default ./data)
  --models-dir DIR          model folders (default ./models)
  --execution-provider P    auto | cuda | cpu (default auto)
  --enable-cors-header [O]  allow cross-origin requests from origin O (default *)
  --allow-host NAME[,NAME]  also serve requests for these Host names (.example.com: subdomains; *: any)
  --max-upload-size MB      largest upload in MB (default 50)
  --max-history-items N     history entries kept (default 10000)
  --max-history-size MB     history kept, in MB of JSON; oldest entries go first (default 256)
  --queue redis://HOST:PORT run prompts on worker processes (npm run worker) through Redis instead of
                            in this process; needs --secret
  --secret S                queue mode: the shared secret of server and workers, at least 16 characters
                            (default: the STUDIO_SECRET environment variable)
  --max-pixels N            largest image tensor a prompt may ask for, pixels × batch × channels
                            (default 268435456 = 8192 × 8192 × 4); checked before anything runs
  --help                    show this help`;

/** Parses `npm start` flags. Throws with the usage text on a bad flag or value. */
export function parseCliArgs(argv: readonly string[]): StudioOptions & { help?: boolean } {
  const options: StudioOptions & { help?: boolean } = {};
  const args = argv.flatMap((arg) =>
    arg.startsWith('--') && arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg],
  );
  const fail = (message: string): never => {
    throw new Error(`${message}\n\n${USAGE}`);
  };
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i];
    const next = args[i + 1];
    const hasValue = next !== undefined && !next.startsWith('--');
    const value = (): string => {
      if (!hasValue) fail(`${flag} needs a value`);
      i += 1;
      return next as string;
    };
    switch (flag) {
      case '--port': {
        const raw = value();
        const port = Number(raw);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          fail(`--port ${raw}: expected an integer 0–65535`);
        options.port = port;
        break;
      }
      case '--listen':
        options.listen = hasValue ? value() : '0.0.0.0';
        break;
      case '--data-dir':
        options.dataDir = value();
        break;
      case '--models-dir':
        options.modelsDir = value();
        break;
      case '--execution-provider': {
        const raw = value();
        if (raw !== 'auto' && raw !== 'cuda' && raw !== 'cpu')
          fail(`--execution-provider ${raw}: expected auto, cuda or cpu`);
        options.executionProvider = raw as ExecutionProviderChoice;
        break;
      }
      case '--enable-cors-header':
        options.enableCorsHeader = hasValue ? value() : true;
        break;
      case '--allow-host':
        options.allowedHosts = [
          ...(options.allowedHosts ?? []),
          ...value()
            .split(',')
            .map((h) => h.trim())
            .filter(Boolean),
        ];
        break;
      case '--max-upload-size': {
        const raw = value();
        const mb = Number(raw);
        if (!Number.isFinite(mb) || mb <= 0)
          fail(`--max-upload-size ${raw}: expected a positive number of megabytes`);
        options.maxUploadBytes = Math.round(mb * 1024 * 1024);
        break;
      }
      case '--max-history-items': {
        const raw = value();
        const n = Number(raw);
        if (!Number.isSafeInteger(n) || n <= 0)
          fail(`--max-history-items ${raw}: expected a positive integer`);
        options.maxHistoryEntries = n;
        break;
      }
      case '--max-history-size': {
        const raw = value();
        const mb = Number(raw);
        if (!Number.isFinite(mb) || mb <= 0)
          fail(`--max-history-size ${raw}: expected a positive number of megabytes`);
        options.maxHistoryBytes = Math.round(mb * 1024 * 1024);
        break;
      }
      case '--max-pixels': {
        const raw = value();
        const n = Number(raw);
        if (!Number.isSafeInteger(n) || n <= 0) fail(`--max-pixels ${raw}: expected a positive integer`);
        options.maxPixels = n;
        break;
      }
      case '--queue':
        options.queue = value();
        break;
      case '--secret':
        options.secret = value();
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        fail(`unknown flag ${flag}`);
    }
  }
  return options;
}
