export { createSql } from './createSql';
export type { SqlOptions } from './createSql';
