/** UI workflows the browser tests open (built here so each test starts from a known graph). */
import type { UiWorkflow } from '../../protocol/uiWorkflowSchema';
import { WIDGET_KINDS_NODE } from './testNodes';

/** EmptyImage → SaveImage, plus a node with every widget kind (ids 1–3). */
export function widgetsWorkflow(): UiWorkflow {
  return {
    last_node_id: 3,
    last_link_id: 1,
    nodes: [
      {
        id: 1,
        type: 'EmptyImage',
        pos: [40, 80],
        size: [300, 150],
        flags: {},
        order: 0,
        mode: 0,
        outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1], slot_index: 0 }],
        properties: {},
        widgets_values: [96, 64, 1, 0x2a9d8f],
      },
      {
        id: 2,
        type: 'SaveImage',
        pos: [420, 80],
        size: [300, 300],
        flags: {},
        order: 1,
        mode: 0,
        inputs: [{ name: 'images', type: 'IMAGE', link: 1 }],
        properties: {},
        widgets_values: ['widgets'],
      },
      {
        id: 3,
        type: WIDGET_KINDS_NODE,
        pos: [40, 330],
        size: [320, 320],
        flags: {},
        order: 2,
        mode: 0,
        properties: {},
        widgets_values: ['a photo of <cat-toy> on a beach', 42, 'increment', 7.5, true, 'ddim'],
      },
    ],
    links: [[1, 1, 0, 2, 0, 'IMAGE']],
    groups: [],
    config: {},
    extra: {},
    version: 0.4,
  };
}
