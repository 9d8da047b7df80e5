/**
 * `npm run bench -- ti-learning`: textual inversion of the toy world's unnamed shape on the shipped toy model,
 * as the learning test runs it but longer and scored at every checkpoint: the oracle's shape rate of the
 * initializer word (the baseline) and of the learned word every `EVAL_EVERY` steps; the steps and training
 * seconds until the rate first reaches 70 %; CLIP-I/T at the end against the baseline; samples per second.
 */
import {
  CONCEPT_TOKEN,
  conceptConfig,
  INITIALIZER,
  openToyModel,
  openToyScorer,
  prepareConceptRun,
  scoreConcept,
  type ConceptScores,
} from '../support/toyConceptLearning';
import type { LearnedEmbedding } from '../../server/training/textualInversion/trainingRun';
import type { Benchmark } from './benchmark';

const STEPS = 300;
const EVAL_EVERY = 50;
const PER_PROMPT = 8;
const TARGET_RATE = 0.7;

export const tiLearningBenchmark: Benchmark = {
  name: 'ti-learning',
  description: `textual inversion of the unnamed toy shape: oracle rate per checkpoint, steps/seconds to ${TARGET_RATE * 100} %, CLIP-I/T`,
  async run({ log }) {
    const model = await openToyModel();
    const scorer = openToyScorer();
    try {
      log(`baseline: the initializer word "${INITIALIZER}" alone`);
      const sampleStart = performance.now();
      const baseline = await scoreConcept(model, scorer, INITIALIZER, undefined, PER_PROMPT);
      const samplesPerSecond = baseline.samples / ((performance.now() - sampleStart) / 1000);
      const snapshots: { step: number; seconds: number; embedding: LearnedEmbedding }[] = [];
      const run = await prepareConceptRun(model, conceptConfig({ steps: STEPS }));
      const start = performance.now();
      let trainingMs = 0;
      let last = start;
      await run.run({
        onStep: (r) => {
          const now = performance.now();
          trainingMs += now - last;
          if (r.step % EVAL_EVERY === 0)
            snapshots.push({ step: r.step, seconds: trainingMs / 1000, embedding: run.embedding() });
          last = performance.now();
        },
      });
      const curve: ({ step: number; seconds: number } & ConceptScores)[] = [];
      for (const s of snapshots) {
        log(`scoring step ${s.step}`);
        const scores = await scoreConcept(model, scorer, CONCEPT_TOKEN, s.embedding, PER_PROMPT);
        curve.push({ step: s.step, seconds: s.seconds, ...scores });
      }
      const reached = curve.find((c) => c.shapeRate >= TARGET_RATE);
      const end = curve.at(-1)!;
      const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
      return {
        summary: [
          `baseline "${INITIALIZER}": shape ${pct(baseline.shapeRate)}, green background ${pct(baseline.backgroundRate)}, CLIP-I ${baseline.clipI.toFixed(3)}, CLIP-T ${baseline.clipT.toFixed(3)}`,
          ...curve.map(
            (c) =>
              `step ${c.step} (${c.seconds.toFixed(0)} s): shape ${pct(c.shapeRate)}, background ${pct(c.backgroundRate)}, CLIP-I ${c.clipI.toFixed(3)}, CLIP-T ${c.clipT.toFixed(3)}`,
          ),
          reached
            ? `oracle rate ≥ ${pct(TARGET_RATE)} first at step ${reached.step}, ${reached.seconds.toFixed(0)} s of training`
            : `oracle rate never reached ${pct(TARGET_RATE)} in ${STEPS} steps`,
          `${samplesPerSecond.toFixed(2)} samples/s`,
        ],
        targets: [
          {
            name: 'oracle shape-rate shortfall below 70 % at the end',
            value: TARGET_RATE - end.shapeRate,
            limit: 0,
          },
          {
            name: 'green-background shortfall below 90 % at the end',
            value: 0.9 - end.backgroundRate,
            limit: 0,
          },
          { name: 'CLIP-I gain over the baseline (negated)', value: baseline.clipI - end.clipI, limit: 0 },
          { name: 'CLIP-T drop below the baseline', value: baseline.clipT - end.clipT, limit: 0.02 },
        ],
        data: {
          config: conceptConfig({ steps: STEPS }),
          perPrompt: PER_PROMPT,
          baseline,
          curve,
          stepsToTarget: reached?.step ?? null,
          secondsToTarget: reached?.seconds ?? null,
          trainingSeconds: (performance.now() - start) / 1000,
          samplesPerSecond,
        },
      };
    } finally {
      await scorer.close();
      await model.close();
    }
  },
};
