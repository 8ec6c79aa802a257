// Package lake owns the Parquet lake that `stripesql sync` writes: the files, the type mapping,
// the manifest and the atomic commit of a run. It knows nothing of Stripe; package ingest decides
// what rows a run writes.
//
// Layout of a lake directory DIR:
//
//	DIR/TABLE/created_month=2026-11/part-RUN-00001.parquet   current rows, hive-partitioned
//	DIR/TABLE/part-RUN-00002.parquet                         (tables without a partition column)
//	DIR/_history/TABLE/synced_date=2026-11-07/part-RUN-….parquet   every version seen
//	DIR/_stripesql/manifest.json                             the committed files and cursors
//	DIR/_stripesql/lock                                      one writer at a time (flock)
//	DIR/_stripesql/tmp/RUN/                                  a run's files before they commit
//
// How a run flows: Open takes the lock, reads the manifest and removes what an interrupted run
// left (tmp/, and any part-*.parquet the manifest does not list). Begin starts a Txn; Txn.Table
// gives a TableWriter per table, which either writes a full copy (Spec.Replace: rows stream into
// one Parquet file per partition) or merges changes (Put is an upsert by key, Delete and
// DeleteWhere remove rows): a merge rewrites only the partitions its changes touch, reading their
// committed rows back and writing them again with the changes applied, and keeps every other
// partition's files as they are. Finish writes the table's files into tmp/RUN, including one
// history file with a row per version that differs from the committed one (_op insert, update
// or delete, _event_id, _synced_at, then the table's columns). Commit renames every finished
// table's files into place, syncs their directories, replaces the manifest by rename, and only
// then removes the files the new manifest no longer lists. A table whose writer failed keeps its
// committed state while the others commit.
//
// The contract with readers: a table's rows are exactly those of the files its manifest entry
// lists. Temporary files live under DIR/_stripesql/tmp, outside every table directory, so a
// reader that globs DIR/TABLE/**/*.parquet never sees a file that is being written; between the
// renames and the removal of the replaced files (milliseconds, or until the next run after a
// crash in that window) such a reader can see a row twice, which a reader of the manifest's file
// list never does.
//
// Types (Mappings lists them): bigint → INT64, integer → INT32, smallint → INT32 (INT16),
// boolean → BOOLEAN, double precision → DOUBLE, timestamptz → TIMESTAMP(MICROS, UTC adjusted),
// timestamp → TIMESTAMP(MICROS), date → DATE, text → STRING, jsonb and json → Parquet's JSON
// logical type (Arrow's arrow.json extension in the Arrow schema), arrays → LIST, bytea → BYTE_ARRAY,
// numeric and every other type → STRING holding PostgreSQL's text form. The Parquet schema is
// built here (ParquetSchema) and columns are written through pqarrow.WriteArrowToColumn, because
// pqarrow v15 derives STRING, not JSON, from an Arrow string field. Files are snappy-compressed
// with dictionaries and statistics.
package lake
