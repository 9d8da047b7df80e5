import { defineNode } from '../../server/engine/nodeDefinition';
import { expectImage } from '../../server/image/imageIO';
import { writeScoresFile } from '../../server/scoring/scoresFile';
import { judgeImages, oracleAccuracy } from '../../server/scoring/toyWorldEvaluation';
import {
  COLOUR_NAMES,
  SHAPE_NAMES,
  SIZE_CLASSES,
  type Expectation,
  type Judgement,
  type OracleVerdict,
} from '../../server/world';

const ANY = 'any';
const PARTS = ['shape', 'colour', 'background', 'size'] as const;
type Part = (typeof PARTS)[number];

/** The asked-for parts of the node's inputs ('any' leaves a part unchecked). */
function expectationOf(inputs: Record<string, unknown>): Expectation {
  const asked = PARTS.flatMap((part) => {
    const value = String(inputs[part] ?? ANY);
    return value === ANY ? [] : [[part, value] as const];
  });
  return Object.fromEntries(asked) as Expectation;
}

/** "small red ring on white", with "none" where the oracle could not read a part. */
function describeVerdict(verdict: OracleVerdict): string {
  return `${verdict.size} ${verdict.colour} ${verdict.shape} on ${verdict.background}`;
}

/** "#2 large red ring on white: shape ✓ size ✗" */
function verdictLine(judgement: Judgement, index: number): string {
  const checks = PARTS.filter((part) => judgement.holds[part] !== undefined).map(
    (part) => `${part} ${judgement.holds[part] ? '✓' : '✗'}`,
  );
  return `#${index + 1} ${describeVerdict(judgement.verdict)}: ${checks.join(' ')}`;
}

/**
 * The toy shapes world's pixel-level oracle as a scoring node: reads shape, colour, background and size
 * back from every image and reports the share of images in which each asked-for part holds, on the node
 * and as `oracle_00001_.json` in output/. Only meaningful for images of the toy shapes model.
 */
export const shapesWorldOracle = defineNode({
  type: 'ShapesWorldOracle',
  displayName: 'Shapes World Oracle',
  category: 'scoring',
  description:
    'Judges images of the toy shapes model with the world’s pixel-level oracle: the share of images showing the ' +
    'asked-for shape, colour, background and size (any: not checked). Output: the share where every asked part holds.',
  outputNode: true,
  inputs: {
    required: {
      images: ['IMAGE', { tooltip: 'Square RGB images of the toy shapes world (32×32).' }],
      shape: [[ANY, ...SHAPE_NAMES], { default: ANY, tooltip: 'The shape each image should show.' }],
      colour: [[ANY, ...COLOUR_NAMES], { default: ANY, tooltip: 'The colour of the shape.' }],
      background: [[ANY, ...COLOUR_NAMES], { default: ANY, tooltip: 'The background colour.' }],
      size: [[ANY, ...SIZE_CLASSES], { default: ANY, tooltip: 'The size word (small or large).' }],
      filename_prefix: [
        'STRING',
        { default: 'oracle', tooltip: 'Name of the JSON file in output/; may include subfolders.' },
      ],
    },
  },
  outputs: [{ type: 'FLOAT', name: 'rate' }],
  validateInputs: (inputs) =>
    PARTS.every((part) => (inputs[part] ?? ANY) === ANY)
      ? 'shape, colour, background and size are all "any"; pick at least one part for the oracle to check'
      : true,
  execute: async (inputs, ctx) => {
    const images = expectImage(inputs.images, 'images');
    const expected = expectationOf(inputs);
    const judgements = judgeImages(images, expected);
    const accuracy = oracleAccuracy(judgements);
    const askedParts = PARTS.filter((part) => expected[part] !== undefined);
    const rates: Partial<Record<Part | 'all', number>> = Object.fromEntries([
      ...askedParts.map((part) => [part, accuracy[part]] as const),
      ['all', accuracy.all] as const,
    ]);
    const file = await writeScoresFile(ctx.dirs.output, String(inputs.filename_prefix ?? 'oracle'), {
      expected,
      rates,
      images: judgements.length,
      per_image: judgements.map((j) => ({
        holds: j.holds,
        all: j.all,
        read: {
          shape: j.verdict.shape,
          colour: j.verdict.colour,
          background: j.verdict.background,
          size: j.verdict.size,
        },
        iou: j.verdict.iou,
        confident: j.verdict.confident,
        problem: j.verdict.problem,
      })),
      prompt_id: ctx.promptId,
      node: ctx.nodeId,
      created: new Date().toISOString(),
    });
    return {
      outputs: [accuracy.all],
      ui: {
        ...Object.fromEntries(Object.entries(rates).map(([part, rate]) => [`${part}_rate`, [rate]])),
        verdicts: judgements.map(verdictLine),
        files: [file],
      },
    };
  },
});
