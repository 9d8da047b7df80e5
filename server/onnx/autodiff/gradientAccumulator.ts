/**
 * Gradient contributions per tensor, summed once: every consumer's rule adds its contribution, and the
 * first read (by the tensor's producer, which the reverse walk reaches after all consumers) emits one Sum.
 */
import type { GraphFacts } from '../shapes/shapeInference';
import type { GraphOps } from './graphOps';

export class GradientAccumulator {
  private readonly contributions = new Map<string, string[]>();
  private readonly totals = new Map<string, string>();

  constructor(
    private readonly ops: GraphOps,
    private readonly facts: GraphFacts,
  ) {}

  /** Adds a contribution `g` (shaped like `tensor`) to the gradient of `tensor`. */
  add(tensor: string, g: string): void {
    if (this.totals.has(tensor))
      throw new Error(`gradient of "${tensor}" was read before all its contributions were added`);
    this.facts.assumeShapeOf(g, this.facts.get(tensor));
    const list = this.contributions.get(tensor);
    if (list) list.push(g);
    else this.contributions.set(tensor, [g]);
  }

  /** The total gradient of `tensor`, or undefined when none reached it. */
  gradientOf(tensor: string): string | undefined {
    const done = this.totals.get(tensor);
    if (done) return done;
    const list = this.contributions.get(tensor);
    if (!list) return undefined;
    const total = list.length === 1 ? list[0]! : this.ops.op('Sum', list);
    this.facts.assumeShapeOf(total, this.facts.get(tensor));
    this.totals.set(tensor, total);
    return total;
  }

  /** Whether any contribution reached `tensor`. */
  reached(tensor: string): boolean {
    return this.contributions.has(tensor);
  }
}
