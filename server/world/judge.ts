/** Prompt-level verdicts: does an image show what its prompt asked for, part by part. */
import { classifyImage, type OracleVerdict } from './oracle';
import type { ColourName } from './palette';
import type { SizeClass } from './scene';
import type { ShapeName } from './shapeKinds';

/** What a prompt asked for; absent parts are not checked. */
export interface Expectation {
  readonly shape?: ShapeName;
  readonly colour?: ColourName;
  readonly background?: ColourName;
  readonly size?: SizeClass;
}

/** Per expected part, whether it holds. */
export type ExpectationChecks = { -readonly [K in keyof Expectation]?: boolean };

/** Which expectations hold, whether all of them do, and the oracle's full verdict. */
export interface Judgement {
  readonly holds: Readonly<ExpectationChecks>;
  readonly all: boolean;
  readonly verdict: OracleVerdict;
}

/** Judges a `size`×`size` HWC RGB image against `expected`. */
export function judge(
  image: { readonly rgb: Float32Array; readonly size: number },
  expected: Expectation,
): Judgement {
  const verdict = classifyImage(image.rgb, image.size);
  const holds: ExpectationChecks = {};
  for (const key of ['shape', 'colour', 'background', 'size'] as const) {
    if (expected[key] !== undefined) holds[key] = verdict[key] === expected[key];
  }
  return { holds, all: Object.values(holds).every(Boolean), verdict };
}
