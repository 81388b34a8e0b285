import generationCycle from './generation-cycle.workflow.json';
import improvement from './improvement.workflow.json';

/**
 * Workflows that ship with the mesh, registered at start-up (a new version
 * whenever their content changes). Operators may register newer versions of
 * their own; triggers start the latest `generation-cycle`.
 */
export const BUILT_IN_WORKFLOWS: unknown[] = [improvement, generationCycle];

export const GENERATION_CYCLE_WORKFLOW = 'generation-cycle';
