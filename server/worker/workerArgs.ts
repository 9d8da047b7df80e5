/** `npm run worker` flags: where Redis and the server are, this worker's folders, name and secret. */

export interface WorkerArgs {
  queue: string;
  server: string;
  secret: string;
  modelsDir: string;
  /** Scratch folders (mirrored inputs, outputs before upload). */
  dataDir: string;
  name?: string;
  executionProvider: 'auto' | 'cpu' | 'cuda';
  /** How long a job's lock lasts without renewal before another worker may take it over (ms). */
  lockMs: number;
  /** Upload what a running prompt wrote at most this often (ms); 0: after every event. */
  uploadEveryMs: number;
  /** Modules whose `nodes` export adds node declarations (custom nodes; the tests' slow nodes). */
  extraNodes: string[];
  help?: boolean;
}

export const WORKER_USAGE = `Usage: npm run worker -- --queue redis://HOST:PORT --server http://HOST:PORT --models-dir DIR [flags]
  --queue redis://HOST:PORT  the Redis the studio server queues prompts in (its --queue)
  --server URL               the studio server (events, inputs and outputs go through it)
  --secret S                 the server's --secret (default: the STUDIO_SECRET environment variable)
  --models-dir DIR           this worker's model folders (checkpoints/, clip/, embeddings/ …)
  --data-dir DIR             scratch folders for inputs and outputs (default ./worker-data)
  --name NAME                how the server lists this worker (default HOSTNAME-PID)
  --execution-provider P     auto | cuda | cpu (default auto)
  --extra-nodes FILE         also load the nodes FILE exports as \`nodes\` (the server needs them too)
  --upload-every-ms N        send a running prompt's new files (checkpoints) at most this often (default 1000)
  --lock-ms N                a prompt whose worker is silent this long runs again elsewhere (default 30000)
  --help                     show this help`;

/** Parses the flags; throws with the usage text when one is missing or wrong. */
export function parseWorkerArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): WorkerArgs {
  const values = new Map<string, string>();
  const extraNodes: string[] = [];
  const fail = (message: string): never => {
    throw new Error(`${message}\n\n${WORKER_USAGE}`);
  };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    if (flag === '--help' || flag === '-h') return { help: true } as WorkerArgs;
    if (!flag.startsWith('--')) fail(`unexpected argument "${flag}"`);
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      fail(`${flag} needs a value`);
    if (inline === undefined) i += 1;
    if (flag === '--extra-nodes') extraNodes.push(value as string);
    else values.set(flag, value as string);
  }
  const known = [
    '--queue',
    '--server',
    '--secret',
    '--models-dir',
    '--data-dir',
    '--name',
    '--execution-provider',
    '--lock-ms',
    '--upload-every-ms',
  ];
  if (extraNodes.some((file) => file === '')) fail('--extra-nodes needs a file');
  for (const flag of values.keys()) if (!known.includes(flag)) fail(`unknown flag ${flag}`);
  const required = (flag: string): string => values.get(flag) ?? fail(`${flag} is required`);
  const queue = required('--queue');
  const server = required('--server').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(server)) fail(`--server ${server}: expected http://HOST:PORT of the studio`);
  const secret = values.get('--secret') ?? env.STUDIO_SECRET ?? '';
  if (!secret)
    fail(
      "the worker needs the server's shared secret: pass --secret S or set STUDIO_SECRET; it refuses to run without one",
    );
  const provider = values.get('--execution-provider') ?? 'auto';
  if (provider !== 'auto' && provider !== 'cpu' && provider !== 'cuda')
    fail(`--execution-provider ${provider}: expected auto, cuda or cpu`);
  const lockMs = Number(values.get('--lock-ms') ?? 30_000);
  if (!Number.isInteger(lockMs) || lockMs < 1000)
    fail(`--lock-ms ${values.get('--lock-ms')}: expected an integer ≥ 1000`);
  const uploadEveryMs = Number(values.get('--upload-every-ms') ?? 1000);
  if (!Number.isInteger(uploadEveryMs) || uploadEveryMs < 0)
    fail(`--upload-every-ms ${values.get('--upload-every-ms')}: expected an integer ≥ 0`);
  return {
    queue,
    server,
    secret,
    modelsDir: required('--models-dir'),
    dataDir: values.get('--data-dir') ?? 'worker-data',
    ...(values.has('--name') ? { name: values.get('--name') } : {}),
    executionProvider: provider as WorkerArgs['executionProvider'],
    lockMs,
    uploadEveryMs,
    extraNodes,
  };
}
