/** The screenshots `npm run docs:images` writes to docs/images/ and README.md shows (repo-relative paths). */
export const DOCS_IMAGES = {
  /** The default canvas, train-sample-score, while its trainer runs: progress bar and live loss chart. */
  training: 'docs/images/canvas-train-sample-score-training.png',
  /** The same canvas after the run: the sampled images and their CLIP-I/T and oracle scores. */
  finished: 'docs/images/canvas-train-sample-score.png',
  /** The checkpoint-curve workflow after its run, the chart on the Checkpoint Curve node. */
  curveCanvas: 'docs/images/checkpoint-curve.png',
  /** The chart PNG the Checkpoint Curve node wrote to output/. */
  curveChart: 'docs/images/checkpoint-curve-chart.png',
  /** The two checkpoint curves compare-base-models stitched: the toy SD 1.x model and its SD 2.x twin. */
  compareCharts: 'docs/images/compare-base-models.png',
} as const;
