// Columns holding keyring ciphertexts, registered by the modules that own them, so that the
// tenant-key rotation job can re-encrypt every one of them without knowing those modules.
import { VigilError } from '../platform/errors.ts';

export interface EncryptedColumn {
  table: string;
  column: string;
  /** Primary key column; its value is the row id in the associated data. */
  idColumn: string;
  tenantColumn: string;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const columns = new Map<string, EncryptedColumn>();

export const encryptedColumnKey = (c: Pick<EncryptedColumn, 'table' | 'column'>) => `${c.table}.${c.column}`;

export function registerEncryptedColumn(c: {
  table: string;
  column: string;
  idColumn?: string;
  tenantColumn?: string;
}): EncryptedColumn {
  const entry: EncryptedColumn = {
    table: c.table,
    column: c.column,
    idColumn: c.idColumn ?? 'id',
    tenantColumn: c.tenantColumn ?? 'tenant_id',
  };
  // Identifiers are interpolated into SQL by the rotation job: accept plain names only.
  for (const name of [entry.table, entry.column, entry.idColumn, entry.tenantColumn]) {
    if (!IDENT.test(name))
      throw new VigilError('invalid_input', 'encrypted column names must be plain identifiers');
  }
  columns.set(encryptedColumnKey(entry), entry);
  return entry;
}

export function unregisterEncryptedColumn(c: Pick<EncryptedColumn, 'table' | 'column'>): void {
  columns.delete(encryptedColumnKey(c));
}

/** Sorted by key so a resumed job walks the columns in the same order. */
export function listEncryptedColumns(): EncryptedColumn[] {
  return [...columns.values()].sort((a, b) => encryptedColumnKey(a).localeCompare(encryptedColumnKey(b)));
}
