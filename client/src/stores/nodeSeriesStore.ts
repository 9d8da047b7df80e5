/**
 * Live numeric series per node (e.g. the trainer's loss per step), filled from the chart events of
 * services/nodeEventTables.ts and drawn on the node by canvas/seriesChart.ts.
 */
import { defineStore } from 'pinia';
import { shallowRef, triggerRef } from 'vue';
import { CHART_EVENTS, chartPointFromEvent, type ChartEventSpec } from '../services/nodeEventTables';

export interface NodeSeries {
  spec: ChartEventSpec;
  xs: number[];
  /** One array per series key, aligned with `xs` (NaN where an event lacked the value). */
  ys: Record<string, number[]>;
}

/** Most points kept per node; older ones are dropped (a long run still shows its recent shape). */
const MAX_POINTS = 5000;

export const useNodeSeriesStore = defineStore('nodeSeries', () => {
  const byNode = shallowRef(new Map<string, NodeSeries>());

  /** Adds the point of a chart event; returns the node id it belongs to, or undefined if not a chart event. */
  function addEvent(type: string, data: Record<string, unknown>): string | undefined {
    const spec = CHART_EVENTS[type];
    if (!spec) return undefined;
    const point = chartPointFromEvent(spec, data);
    if (!point) return undefined;
    let series = byNode.value.get(point.nodeId);
    if (!series || series.spec !== spec) {
      series = { spec, xs: [], ys: Object.fromEntries(spec.series.map((s) => [s.key, []])) };
      byNode.value.set(point.nodeId, series);
    }
    series.xs.push(point.x);
    for (const s of spec.series) series.ys[s.key]!.push(point.values[s.key] ?? Number.NaN);
    if (series.xs.length > MAX_POINTS) {
      series.xs.splice(0, series.xs.length - MAX_POINTS);
      for (const key of Object.keys(series.ys))
        series.ys[key]!.splice(0, series.ys[key]!.length - MAX_POINTS);
    }
    triggerRef(byNode);
    return point.nodeId;
  }

  /**
   * Rebuilds a chart from a finished node's UI output (e.g. the trainer's `loss` list) when the live
   * events were missed — the page was reloaded mid-run, or the run was reopened from history.
   */
  function fillFromOutput(nodeId: string, output: Record<string, unknown[]>): void {
    for (const spec of Object.values(CHART_EVENTS)) {
      const values = spec.series.map((s) => output[s.key]);
      const first = values[0];
      if (!first || first.length < 2 || !values.every((v) => v?.every((x) => typeof x === 'number')))
        continue;
      const existing = byNode.value.get(nodeId);
      if (existing && existing.xs.length >= first.length) continue;
      byNode.value.set(nodeId, {
        spec,
        xs: first.map((_, i) => i + 1),
        ys: Object.fromEntries(spec.series.map((s, i) => [s.key, (values[i] ?? []).map(Number)])),
      });
      triggerRef(byNode);
      return;
    }
  }

  /** Forgets a node's points; called when the node starts executing again. */
  function clearNode(nodeId: string): void {
    if (byNode.value.delete(nodeId)) triggerRef(byNode);
  }

  function clearAll(): void {
    byNode.value = new Map();
  }

  return { byNode, addEvent, fillFromOutput, clearNode, clearAll };
});
