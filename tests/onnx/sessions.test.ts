import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../server/onnx/graphBuilder';
import { cudaAvailable, createSession, ort, resolveProviders } from '../../server/onnx/sessions';
import { loadModel } from '../../server/onnx/modelIO';
import { datasetPath } from '../support/referenceData';
import { withSkipReason } from '../support/skipReason';

function addModel() {
  const g = new GraphBuilder();
  const a = g.input('a', 'float32', ['n']);
  const b = g.input('b', 'float32', ['n']);
  g.input('c', 'int64', [1]);
  g.output(g.op('Add', [a, b]), 'float32', ['n'], 'sum');
  return g.toModel();
}

describe('provider selection', () => {
  it('uses only the CPU when asked, without a notice', () => {
    const notices: string[] = [];
    expect(resolveProviders('cpu', (m) => notices.push(m))).toEqual(['cpu']);
    expect(notices).toEqual([]);
  });

  it.skipIf(cudaAvailable())(
    withSkipReason(
      'falls back to the CPU with a visible message when CUDA is asked for but not installed',
      cudaAvailable() ? 'the CUDA provider is installed here' : undefined,
    ),
    async () => {
      const notices: string[] = [];
      expect(resolveProviders('cuda', (m) => notices.push(m))).toEqual(['cpu']);
      expect(notices).toEqual([
        'CUDA execution provider requested but not installed; running on CPU. Run `npm run setup:cuda` on a machine with CUDA 12.',
      ]);
      const quiet: string[] = [];
      expect(resolveProviders('auto', (m) => quiet.push(m))).toEqual(['cpu']);
      expect(quiet).toEqual([]);

      const fromSession: string[] = [];
      const session = await createSession(addModel(), {
        provider: 'cuda',
        onNotice: (m) => fromSession.push(m),
      });
      expect(fromSession).toHaveLength(1);
      const out = await session.run({
        a: new ort.Tensor('float32', Float32Array.of(1, 2), [2]),
        b: new ort.Tensor('float32', Float32Array.of(3, 4), [2]),
        c: new ort.Tensor('int64', BigInt64Array.of(0n), [1]),
      });
      expect(Array.from(out.sum!.data as Float32Array)).toEqual([4, 6]);
    },
  );

  it.skipIf(!cudaAvailable())(
    withSkipReason(
      'prefers CUDA with CPU fallback when the CUDA binaries are installed',
      cudaAvailable() ? undefined : 'the CUDA provider is not installed (npm run setup:cuda)',
    ),
    () => {
      const notices: string[] = [];
      expect(resolveProviders('cuda', (m) => notices.push(m))).toEqual(['cuda', 'cpu']);
      expect(resolveProviders('auto', (m) => notices.push(m))).toEqual(['cuda', 'cpu']);
      expect(notices).toEqual([]);
    },
  );
});

describe('ModelSession.run checks', () => {
  it('lists every missing input and every unknown feed', async () => {
    const session = await createSession(addModel(), { provider: 'cpu' }, 'adder');
    const a = new ort.Tensor('float32', Float32Array.of(1), [1]);
    await expect(session.run({})).rejects.toThrow('adder: missing inputs "a", "b", "c"');
    await expect(session.run({ a, bb: a })).rejects.toThrow(
      'adder: missing inputs "b", "c"; unknown inputs "bb" (model inputs: a, b, c)',
    );
  });

  it('reports the dtype and dims of every feed when the runtime fails', async () => {
    const session = await createSession(addModel(), { provider: 'cpu' }, 'adder');
    const run = session.run({
      a: new ort.Tensor('float32', Float32Array.of(1, 2, 3), [3]),
      b: new ort.Tensor('float32', Float32Array.of(1, 2), [2]),
      c: new ort.Tensor('int64', BigInt64Array.of(7n), [1]),
    });
    await expect(run).rejects.toThrow(
      /^adder failed: .*\n {2}inputs: a: float32\[3\]; b: float32\[2\]; c: int64\[1\]$/s,
    );
  });
});

describe('createSession from an in-memory model with external data', () => {
  it('runs the reference UNet loaded lazily from its folder', async () => {
    const { model, baseDir } = loadModel(datasetPath('onnx', 'unet', 'model.onnx'));
    const session = await createSession(model, { provider: 'cpu', sourceDir: baseDir }, 'unet');
    expect([...session.inputNames].sort()).toEqual(['encoder_hidden_states', 'sample', 'timestep']);
    await expect(createSession(model, { provider: 'cpu' })).rejects.toThrow(
      /has external data but no model folder was given/,
    );
    await session.release();
  });
});
