/** The server's node definitions (`/object_info`), loaded once at start and turned into canvas node types. */
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import { studioApi } from '../api/studioApi';
import type { ObjectInfo } from '../api/wire';
import { graphHost } from '../canvas/graphHost';
import { registerNodeDefs } from '../services/nodeDefService';
import type { SearchableNode } from '../services/nodeSearch';
import type { WidgetEnv } from '../widgets/widgetFactory';
import { useToastStore } from './toastStore';

export const useNodeDefStore = defineStore('nodeDefs', () => {
  const objectInfo = shallowRef<ObjectInfo>({});
  /** The registered node types as the search and the node library list them. */
  const searchable = shallowRef<SearchableNode[]>([]);

  /** Fetches `/object_info` and registers every node type; failures are shown, not thrown. */
  async function load(env: WidgetEnv): Promise<void> {
    const info = await studioApi.objectInfo();
    objectInfo.value = info;
    const result = registerNodeDefs(info, env);
    graphHost.setSearchable(result.searchable);
    searchable.value = result.searchable;
    for (const f of result.failed) useToastStore().show('error', `Node type ${f.type} is unusable`, f.error);
  }

  return { objectInfo, searchable, load };
});
