/**
 * Ranks node types for the canvas search box (double-click on empty canvas). Every query word must match
 * the title, class name, category or description; title matches rank first.
 */

/** What the search knows about one node type. */
export interface SearchableNode {
  type: string;
  title: string;
  category: string;
  description: string;
  /** Types of its linkable input slots and of its outputs, for search from a dragged link. */
  inputTypes: readonly string[];
  outputTypes: readonly string[];
}

/** Restricts a search to nodes that can take (`input`) or produce (`output`) a link type. */
export interface SlotTypeFilter {
  input?: string;
  output?: string;
}

function fitsFilter(entry: SearchableNode, filter: SlotTypeFilter): boolean {
  const ok = (types: readonly string[], t: string | undefined) =>
    !t || t === '*' || types.includes(t) || types.includes('*');
  return ok(entry.inputTypes, filter.input) && ok(entry.outputTypes, filter.output);
}

function wordScore(entry: SearchableNode, word: string): number {
  const title = entry.title.toLowerCase();
  const type = entry.type.toLowerCase();
  if (title === word || type === word) return 100;
  if (title.startsWith(word) || type.startsWith(word)) return 60;
  if (title.split(/[\s_/-]+/).some((w) => w.startsWith(word))) return 45;
  // CamelCase words of the class name: "ksampler" and "sampler" both find KSampler
  if (entry.type.split(/(?=[A-Z][a-z])/).some((w) => w.toLowerCase().startsWith(word))) return 40;
  if (title.includes(word) || type.includes(word)) return 30;
  if (entry.category.toLowerCase().includes(word)) return 15;
  if (entry.description.toLowerCase().includes(word)) return 5;
  return 0;
}

/**
 * Returns the node types matching `query`, best first (ties by title). An empty query lists every type
 * sorted by category then title. With a `filter`, only nodes that fit the dragged link's type are listed.
 */
export function rankNodes(
  all: readonly SearchableNode[],
  query: string,
  limit = 50,
  filter: SlotTypeFilter = {},
): string[] {
  const entries = all.filter((e) => fitsFilter(e, filter));
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return [...entries]
      .sort((a, b) => a.category.localeCompare(b.category) || a.title.localeCompare(b.title))
      .slice(0, limit)
      .map((e) => e.type);
  }
  const scored: { type: string; title: string; score: number }[] = [];
  for (const entry of entries) {
    let score = 0;
    for (const word of words) {
      const s = wordScore(entry, word);
      if (s === 0) {
        score = 0;
        break;
      }
      score += s;
    }
    if (score > 0) scored.push({ type: entry.type, title: entry.title, score });
  }
  scored.sort((a, b) => b.score - a.score || a.title.localeCompare(b.title));
  return scored.slice(0, limit).map((s) => s.type);
}
