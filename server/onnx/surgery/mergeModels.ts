/**
 * Joins two models into one graph by wiring tensors of the first into inputs of the second (text encoder
 * hidden states → UNet `encoder_hidden_states`). Both keep their nodes; prefixes keep torch's generic names
 * apart; opsets are raised to the newer one only where no op of the older graph changes meaning.
 */
import { onnx, int64ToNumber, type ModelProto } from '../proto';
import { definedNames, graphOf, type IOperatorSetIdProto } from './graphIndex';
import { prefixNames } from './renameTensors';
import { removeDeadNodes } from './removeDeadNodes';
import { assertOpsetUpgrade } from './opsetCompat';

export interface MergeOptions {
  /** Input of the second model (unprefixed name) → tensor of the first model (unprefixed) that feeds it. */
  readonly connect: Readonly<Record<string, string>>;
  /** Prefix for every name of the first / second model (default none). */
  readonly firstPrefix?: string;
  readonly secondPrefix?: string;
  /** Keep the first model's graph outputs as outputs of the result (default false: only the second's). */
  readonly keepFirstOutputs?: boolean;
  /** Drop inputs nothing reads after the merge and pruning (default false). */
  readonly pruneInputs?: boolean;
}

function opsetMap(model: ModelProto): Map<string, number> {
  return new Map(
    (model.opsetImport ?? []).map((o) => [
      o.domain === 'ai.onnx' ? '' : (o.domain ?? ''),
      int64ToNumber(o.version),
    ]),
  );
}

/**
 * One model computing `second(first(...))`. Unconnected inputs of both remain inputs; nodes that no longer
 * reach an output (such as a pooled output nobody reads) are removed. External-data references are kept as
 * they are, so both models must share one folder (or be inlined first with `inlineExternalData`).
 */
export function mergeModels(first: ModelProto, second: ModelProto, options: MergeOptions): ModelProto {
  const a = prefixNames(first, options.firstPrefix ?? '');
  const b = prefixNames(second, options.secondPrefix ?? '');
  const ga = graphOf(a);
  const gb = graphOf(b);
  const pa = options.firstPrefix ?? '';
  const pb = options.secondPrefix ?? '';

  const wiring = new Map<string, string>();
  const aNames = definedNames(ga);
  const bInputs = new Set((gb.input ?? []).map((v) => v.name ?? ''));
  for (const [input, tensor] of Object.entries(options.connect)) {
    if (!bInputs.has(pb + input)) {
      throw new Error(
        `second model has no input "${input}"; its inputs are ${[...bInputs].map((n) => n.slice(pb.length)).join(', ')}`,
      );
    }
    if (!aNames.has(pa + tensor))
      throw new Error(`first model has no tensor "${tensor}" to connect to input "${input}"`);
    wiring.set(pb + input, pa + tensor);
  }

  const clashes = [...definedNames(gb)].filter((n) => aNames.has(n) && !wiring.has(n));
  if (clashes.length) {
    throw new Error(
      `both models define ${clashes
        .slice(0, 5)
        .map((n) => `"${n}"`)
        .join(
          ', ',
        )}${clashes.length > 5 ? ` and ${clashes.length - 5} more` : ''}; pass firstPrefix/secondPrefix`,
    );
  }

  const rewire = (n: string): string => wiring.get(n) ?? n;
  const bNodes = (gb.node ?? []).map((n) =>
    onnx.NodeProto.create({ ...n, input: (n.input ?? []).map(rewire) }),
  );
  const bOutputs = (gb.output ?? []).map((v) =>
    wiring.has(v.name ?? '') ? onnx.ValueInfoProto.create({ ...v, name: rewire(v.name ?? '') }) : v,
  );

  const opsA = opsetMap(a);
  const opsB = opsetMap(b);
  const opsetImport: IOperatorSetIdProto[] = [];
  for (const domain of new Set([...opsA.keys(), ...opsB.keys()])) {
    const va = opsA.get(domain);
    const vb = opsB.get(domain);
    const version = Math.max(va ?? 0, vb ?? 0);
    if (domain === '') {
      if (va !== undefined) assertOpsetUpgrade(ga, va, version, 'the first model');
      if (vb !== undefined) assertOpsetUpgrade(gb, vb, version, 'the second model');
    } else if (va !== undefined && vb !== undefined && va !== vb) {
      throw new Error(
        `models import domain "${domain}" at different versions ${va} and ${vb}; align them before merging`,
      );
    }
    opsetImport.push({ domain, version });
  }

  const graph = onnx.GraphProto.create({
    name: `${ga.name ?? 'first'}+${gb.name ?? 'second'}`,
    node: [...(ga.node ?? []), ...bNodes],
    input: [...(ga.input ?? []), ...(gb.input ?? []).filter((v) => !wiring.has(v.name ?? ''))],
    output: [...(options.keepFirstOutputs ? (ga.output ?? []) : []), ...bOutputs],
    initializer: [...(ga.initializer ?? []), ...(gb.initializer ?? [])],
    valueInfo: [...(ga.valueInfo ?? []), ...(gb.valueInfo ?? [])],
  });
  const merged = onnx.ModelProto.create({
    irVersion: Math.max(int64ToNumber(a.irVersion), int64ToNumber(b.irVersion)),
    producerName: 'inversion-studio',
    opsetImport,
    graph,
  });
  return removeDeadNodes(merged, { pruneInputs: options.pruneInputs });
}
