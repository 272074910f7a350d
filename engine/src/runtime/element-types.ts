/** Element instance types that contain other element instances (their flow scope). */
export const CONTAINER_TYPES: ReadonlySet<string> = new Set([
  'PROCESS',
  'SUB_PROCESS',
  'EVENT_SUB_PROCESS',
  'AD_HOC_SUB_PROCESS',
]);
