/** Compares a model's weights with the parameters its config implies and reports every difference at once. */
import type { ShapeTable } from './parameterShapes';
import type { WeightSource } from './weightSource';

/** Buffers some exporters save next to the parameters; present or not, they are never used. */
export const IGNORABLE_BUFFERS: readonly RegExp[] = [/(^|\.)position_ids$/];

/** How many names of each kind an error message shows before "… and N more". */
const SHOWN = 12;

/** The differences between `source` and `expected`. */
export interface WeightProblems {
  readonly missing: string[];
  readonly unexpected: string[];
  readonly wrongShape: string[];
}

/** Missing, unexpected and mis-shaped weights of `source` relative to `expected`. */
export function compareWeights(source: WeightSource, expected: ShapeTable): WeightProblems {
  const missing: string[] = [];
  const wrongShape: string[] = [];
  for (const [name, shape] of expected) {
    if (!source.has(name)) missing.push(name);
    else if (source.shape(name).join(',') !== shape.join(',')) {
      wrongShape.push(`${name} is [${source.shape(name).join(', ')}], expected [${shape.join(', ')}]`);
    }
  }
  const unexpected = source
    .names()
    .filter((name) => !expected.has(name) && !IGNORABLE_BUFFERS.some((re) => re.test(name)));
  return { missing, unexpected, wrongShape };
}

/** "N kind: a, b, c … and M more" for a non-empty list. */
export function listNames(kind: string, names: readonly string[], shown = SHOWN): string {
  const head = names.slice(0, shown).join(', ');
  const more = names.length > shown ? ` … and ${names.length - shown} more` : '';
  return `${names.length} ${kind}: ${head}${more}`;
}

/** Throws one error listing every problem; `hint` says how to fix it. */
export function assertWeightsMatch(source: WeightSource, expected: ShapeTable, hint: string): void {
  const { missing, unexpected, wrongShape } = compareWeights(source, expected);
  if (missing.length + unexpected.length + wrongShape.length === 0) return;
  const parts: string[] = [];
  if (missing.length) parts.push(listNames('missing', missing));
  if (unexpected.length) parts.push(listNames('unexpected', unexpected));
  if (wrongShape.length) parts.push(listNames('with the wrong shape', wrongShape));
  throw new Error(`${source.label}: weights do not match the model config — ${parts.join('; ')}. ${hint}`);
}
