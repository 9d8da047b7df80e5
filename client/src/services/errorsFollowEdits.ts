/**
 * A node's error outline goes away once the node is edited (a widget value, a link or its mode changed):
 * the message described the node as it was, and a stale red outline hides whether the fix took.
 */
import { watch } from 'vue';
import { graphHost } from '../canvas/graphHost';
import { useExecutionStore } from '../stores/executionStore';
import { useUndoStore } from '../stores/undoStore';

/** What an edit that could fix a node changes. */
function editState(id: string): string | undefined {
  const node = graphHost.nodeById(id);
  if (!node) return undefined;
  const o = node.serialize();
  return JSON.stringify([o.widgets_values, o.inputs?.map((i) => i.link), o.mode]);
}

export function clearErrorsOnEdit(): void {
  const exec = useExecutionStore();
  const stamps = new Map<string, string | undefined>();
  watch(
    () => exec.errors,
    (errors) => {
      stamps.clear();
      for (const id of Object.keys(errors)) stamps.set(id, editState(id));
    },
    { immediate: true },
  );
  watch(
    () => useUndoStore().revision,
    () => {
      for (const [id, stamp] of stamps) if (editState(id) !== stamp) exec.clearNodeError(id);
    },
  );
}
