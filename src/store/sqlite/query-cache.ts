/**
 * Prepared statements for query shapes. A condition compiles to SQL whose text depends only on its
 * shape (ops, fields, sort), never on values, so a small cache keyed by the text covers the few
 * shapes clients really send; the bound keeps a stream of odd filters from growing it without end.
 */

import type Database from 'better-sqlite3';

const MAX_CACHED = 256;

export class QueryCache {
  readonly #statements = new Map<string, Database.Statement<unknown[], unknown>>();

  constructor(private readonly db: Database.Database) {}

  get<Row>(sql: string): Database.Statement<unknown[], Row> {
    let statement = this.#statements.get(sql);
    if (statement) {
      // Re-insert: the Map's order then doubles as least-recently-used order.
      this.#statements.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.#statements.size >= MAX_CACHED) {
        const oldest = this.#statements.keys().next();
        if (!oldest.done) this.#statements.delete(oldest.value);
      }
    }
    this.#statements.set(sql, statement);
    return statement as Database.Statement<unknown[], Row>;
  }

  clear(): void {
    this.#statements.clear();
  }
}
