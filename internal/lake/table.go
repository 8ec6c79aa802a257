package lake

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// History operations, the _op column of DIR/_history/TABLE.
const (
	OpInsert = "insert"
	OpUpdate = "update"
	OpDelete = "delete"
)

// HistoryColumns are the columns every history file starts with, before the table's own.
var HistoryColumns = []Column{
	{Name: "_op", Type: sqltypes.Text},
	{Name: "_event_id", Type: sqltypes.Text},
	{Name: "_synced_at", Type: sqltypes.Timestamptz},
}

// NullPartition is the partition of rows whose partition column is NULL (Hive's name for it,
// which DuckDB and Spark read back as NULL).
const NullPartition = "__HIVE_DEFAULT_PARTITION__"

// Spec describes a table a run writes.
type Spec struct {
	Columns []Column
	// Key is the column that identifies a row (normally "id"); "" identifies a row by all its
	// values, which only a full copy (Replace) can maintain.
	Key string
	// Partition is a timestamptz column to hive-partition by month (its value must never change
	// for a row), or "" for one unpartitioned directory.
	Partition string
	// Replace makes the run a full copy: the rows Put are the table's whole new content. Without
	// it, Put and Delete are changes merged into the committed rows.
	Replace bool
}

// SameLayout reports whether a committed table has exactly spec's columns, key and partitioning,
// so changes can be merged into it; otherwise a run must Replace it.
func SameLayout(ts *TableState, spec Spec) bool {
	if ts == nil || ts.Key != spec.Key || ts.Partition != spec.Partition || len(ts.Columns) != len(spec.Columns) {
		return false
	}
	for i, c := range columnStates(spec.Columns) {
		if ts.Columns[i] != c {
			return false
		}
	}
	return true
}

// Counts are what a table's run changed.
type Counts struct {
	Inserted, Updated, Deleted, Unchanged int64
	// Rows is the table's row count after the run.
	Rows int64
}

// TableWriter stages one table's new state in a run. It is used by one goroutine at a time.
type TableWriter struct {
	tx      *Txn
	name    string
	spec    Spec
	keyIdx  int
	partIdx int
	old     *TableState // committed state, nil for a new table
	first   bool        // no committed rows: every row Put is an insert

	// Replace: one open file per partition; the key (or, keyless, the row hash) of each row.
	writers map[string]*fileWriter
	keys    map[string]uint64
	multi   map[uint64]int

	// Merge: the latest change per partition and key, in arrival order.
	changes map[string]map[string]*change
	order   map[string][]string
	dropCol int
	dropVal map[string]bool

	hist   *fileWriter
	counts Counts
	done   bool
}

type change struct {
	row     []any
	del     bool
	keyOnly bool // a delete by key: the history keeps the committed row
	eventID string
	applied bool
}

// Table starts writing table name in the run. A table whose committed layout differs from spec
// must be written with spec.Replace.
func (tx *Txn) Table(name string, spec Spec) (*TableWriter, error) {
	if !validName.MatchString(name) {
		return nil, sqlstate.New(sqlstate.InvalidParameterValue, "invalid lake table name %q", name).
			WithHint("use lowercase letters, digits and _, starting with a letter")
	}
	w := &TableWriter{tx: tx, name: name, spec: spec, keyIdx: -1, partIdx: -1, dropCol: -1}
	for i, c := range spec.Columns {
		if c.Name == spec.Key {
			w.keyIdx = i
		}
		if c.Name == spec.Partition {
			w.partIdx = i
		}
	}
	switch {
	case spec.Key != "" && w.keyIdx < 0:
		return nil, fmt.Errorf("lake table %s: key column %q is not a column", name, spec.Key)
	case spec.Partition != "" && (w.partIdx < 0 || spec.Columns[w.partIdx].Type != sqltypes.Timestamptz):
		return nil, fmt.Errorf("lake table %s: partition column %q is not a timestamptz column", name, spec.Partition)
	}
	w.old = tx.l.Manifest().Tables[name]
	if !spec.Replace {
		if w.keyIdx < 0 {
			return nil, fmt.Errorf("lake table %s: changes can only be merged by a key column", name)
		}
		if w.old == nil || !SameLayout(w.old, spec) {
			return nil, fmt.Errorf("lake table %s: the committed layout differs; write it with Replace", name)
		}
		w.changes, w.order = map[string]map[string]*change{}, map[string][]string{}
	} else {
		w.writers, w.keys, w.multi = map[string]*fileWriter{}, map[string]uint64{}, map[uint64]int{}
	}
	w.first = w.old == nil || len(w.old.Files) == 0
	tx.mu.Lock()
	tx.open[w] = true
	tx.mu.Unlock()
	return w, nil
}

// partition names the directory a row belongs in ("created_month=2026-11"), "" unpartitioned.
func (w *TableWriter) partition(row []any) string {
	if w.partIdx < 0 {
		return ""
	}
	month := NullPartition
	if t, ok := row[w.partIdx].(time.Time); ok {
		month = t.UTC().Format("2006-01")
	}
	return w.spec.Partition + "_month=" + month
}

func (w *TableWriter) key(row []any) string {
	if w.keyIdx < 0 || row[w.keyIdx] == nil {
		return fmt.Sprintf("#%016x", rowHash(row, w.spec.Columns))
	}
	return sqltypes.FormatText(row[w.keyIdx], w.spec.Columns[w.keyIdx].Type)
}

// rowHash identifies a row's values: equal rows (as PostgreSQL would print them) hash equal.
func rowHash(row []any, cols []Column) uint64 {
	h := fnv.New64a()
	for i, v := range row {
		if v == nil {
			h.Write([]byte{0})
			continue
		}
		h.Write([]byte{1})
		h.Write([]byte(sqltypes.FormatText(v, cols[i].Type)))
		h.Write([]byte{0xff})
	}
	return h.Sum64()
}

func (w *TableWriter) check(row []any) error {
	if w.done {
		return fmt.Errorf("lake table %s: already finished", w.name)
	}
	if len(row) != len(w.spec.Columns) {
		return fmt.Errorf("lake table %s: row has %d values for %d columns", w.name, len(row), len(w.spec.Columns))
	}
	return nil
}

// Put adds a row. In a full copy it is part of the new content (a second row with the same key
// is ignored: the first one read wins); in a merge it is an upsert, and a later Put or Delete of
// the same key replaces it. eventID names the Stripe event the version came from, if any; a later
// Put of the same version without one keeps it.
func (w *TableWriter) Put(row []any, eventID string) error {
	if err := w.check(row); err != nil {
		return err
	}
	if !w.spec.Replace {
		w.merge(row, false, eventID)
		return nil
	}
	h := rowHash(row, w.spec.Columns)
	if w.keyIdx >= 0 {
		k := w.key(row)
		if _, dup := w.keys[k]; dup {
			return nil
		}
		w.keys[k] = h
	} else {
		w.multi[h]++
	}
	p := w.partition(row)
	fw := w.writers[p]
	if fw == nil {
		var err error
		if fw, err = newFileWriter(w.tx.tmpPath(), w.spec.Columns); err != nil {
			return ioError(err, "creating a file of %s", w.name)
		}
		w.writers[p] = fw
	}
	if err := fw.Append(row); err != nil {
		return err
	}
	if w.first {
		w.counts.Inserted++
		return w.history(OpInsert, eventID, row)
	}
	return nil
}

// Delete removes the row with row's key (a merge only); row is the last version seen, kept in
// the history. Its partition column must be set unless the table is unpartitioned.
func (w *TableWriter) Delete(row []any, eventID string) error {
	if err := w.check(row); err != nil {
		return err
	}
	if w.spec.Replace {
		return fmt.Errorf("lake table %s: Delete in a full copy (leave the row out instead)", w.name)
	}
	w.merge(row, true, eventID)
	return nil
}

// DeleteKey removes the row whose key column holds key (a merge only), when no snapshot of the
// row is at hand; the history keeps the committed row. partitionValue is the row's partition
// column value (ignored for an unpartitioned table).
func (w *TableWriter) DeleteKey(key, partitionValue any, eventID string) error {
	if w.spec.Replace || w.keyIdx < 0 {
		return fmt.Errorf("lake table %s: DeleteKey needs a merge by key", w.name)
	}
	row := make([]any, len(w.spec.Columns))
	row[w.keyIdx] = key
	if w.partIdx >= 0 {
		row[w.partIdx] = partitionValue
	}
	w.merge(row, true, eventID)
	w.changes[w.partition(row)][w.key(row)].keyOnly = true
	return nil
}

// DeleteWhere removes, in a merge, every committed row whose column holds one of values and that
// this run does not Put: how a child list drops the children a re-listed parent no longer has.
func (w *TableWriter) DeleteWhere(column string, values []string) error {
	if w.spec.Replace {
		return fmt.Errorf("lake table %s: DeleteWhere in a full copy", w.name)
	}
	for i, c := range w.spec.Columns {
		if c.Name == column {
			w.dropCol = i
		}
	}
	if w.dropCol < 0 {
		return fmt.Errorf("lake table %s: no column %q", w.name, column)
	}
	if w.dropVal == nil {
		w.dropVal = map[string]bool{}
	}
	for _, v := range values {
		w.dropVal[v] = true
	}
	return nil
}

func (w *TableWriter) merge(row []any, del bool, eventID string) {
	p, k := w.partition(row), w.key(row)
	m := w.changes[p]
	if m == nil {
		m = map[string]*change{}
		w.changes[p] = m
	}
	prev, seen := m[k]
	if !seen {
		w.order[p] = append(w.order[p], k)
	}
	if seen && eventID == "" && !del && !prev.del && rowHash(prev.row, w.spec.Columns) == rowHash(row, w.spec.Columns) {
		eventID = prev.eventID // the same version read again: keep the event it came from
	}
	m[k] = &change{row: row, del: del, eventID: eventID}
}

func (w *TableWriter) history(op, eventID string, row []any) error {
	if w.hist == nil {
		var err error
		cols := append(append([]Column(nil), HistoryColumns...), w.spec.Columns...)
		if w.hist, err = newFileWriter(w.tx.tmpPath(), cols); err != nil {
			return ioError(err, "creating the history file of %s", w.name)
		}
	}
	var ev any
	if eventID != "" {
		ev = eventID
	}
	full := append([]any{op, ev, w.tx.at}, row...)
	return w.hist.Append(full)
}

// Abort drops the table's staged files; the table keeps its committed state.
func (w *TableWriter) Abort() {
	w.tx.mu.Lock()
	defer w.tx.mu.Unlock()
	w.abortLocked()
}

func (w *TableWriter) abortLocked() {
	if w.done {
		return
	}
	w.done = true
	for _, fw := range w.writers {
		fw.abort()
	}
	if w.hist != nil {
		w.hist.abort()
	}
	delete(w.tx.open, w)
}

// newFile is a file staged for a partition.
type newFile struct {
	tmp       string
	partition string
	rows      int64
}

// Finish writes the table's staged files and stages its new state with cursor (the caller's
// state between runs, kept in the manifest). Nothing is visible before the run commits.
func (w *TableWriter) Finish(cursor json.RawMessage) (Counts, error) {
	if w.done {
		return Counts{}, fmt.Errorf("lake table %s: already finished", w.name)
	}
	files, keptOld, err := w.finishFiles()
	if err != nil {
		w.Abort()
		return Counts{}, err
	}
	state := &TableState{Columns: columnStates(w.spec.Columns), Key: w.spec.Key, Partition: w.spec.Partition,
		Synced: w.tx.at, Cursor: cursor}
	if w.old != nil {
		state.History = append(state.History, w.old.History...)
	}
	st := &stagedTable{state: state}
	state.Files = append(state.Files, keptOld...)
	for _, f := range files {
		rel := path.Join(w.name, f.partition, filepath.Base(f.tmp))
		st.moves = append(st.moves, [2]string{f.tmp, filepath.Join(w.tx.l.dir, filepath.FromSlash(rel))})
		fi, err := os.Stat(f.tmp)
		if err != nil {
			w.Abort()
			return Counts{}, ioError(err, "staging %s", w.name)
		}
		state.Files = append(state.Files, FileState{Path: rel, Partition: f.partition, Rows: f.rows, Bytes: fi.Size()})
	}
	sort.Slice(state.Files, func(i, j int) bool { return state.Files[i].Path < state.Files[j].Path })
	if w.hist != nil {
		if err := w.hist.Close(); err != nil {
			w.Abort()
			return Counts{}, ioError(err, "writing the history of %s", w.name)
		}
		rel := path.Join(historyDir, w.name, "synced_date="+w.tx.at.Format("2006-01-02"), filepath.Base(w.hist.path))
		st.moves = append(st.moves, [2]string{w.hist.path, filepath.Join(w.tx.l.dir, filepath.FromSlash(rel))})
		state.History = append(state.History, rel)
	}
	for _, f := range state.Files {
		state.Rows += f.Rows
	}
	w.counts.Rows = state.Rows
	w.tx.mu.Lock()
	w.done = true
	delete(w.tx.open, w)
	w.tx.mu.Unlock()
	w.tx.stage(w.name, st)
	return w.counts, nil
}

// finishFiles writes the new data files and returns them with the committed files kept as
// they are (a merge keeps the partitions it did not change).
func (w *TableWriter) finishFiles() ([]newFile, []FileState, error) {
	if w.spec.Replace {
		return w.finishReplace()
	}
	return w.finishMerge()
}

func (w *TableWriter) finishReplace() ([]newFile, []FileState, error) {
	var files []newFile
	parts := make([]string, 0, len(w.writers))
	for p := range w.writers {
		parts = append(parts, p)
	}
	sort.Strings(parts)
	for _, p := range parts {
		fw := w.writers[p]
		if err := fw.Close(); err != nil {
			return nil, nil, ioError(err, "writing %s", w.name)
		}
		files = append(files, newFile{tmp: fw.path, partition: p, rows: fw.total})
	}
	if w.first {
		return files, nil, nil
	}
	// A copy over committed rows: diff the two into the history.
	cols := w.spec.Columns
	oldKeys := map[string]uint64{}
	oldMulti := map[uint64]int{}
	for _, f := range w.old.Files {
		err := scanFile(w.abs(f.Path), cols, func(row []any) error {
			if w.keyIdx >= 0 {
				oldKeys[w.key(row)] = rowHash(row, cols)
			} else {
				oldMulti[rowHash(row, cols)]++
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	inserts := map[uint64]int{} // keyless: how many copies of each row are new
	for h, n := range w.multi {
		if d := n - oldMulti[h]; d > 0 {
			inserts[h] = d
		}
	}
	for _, f := range files {
		err := scanFile(f.tmp, cols, func(row []any) error {
			h := rowHash(row, cols)
			if w.keyIdx < 0 {
				if inserts[h] > 0 {
					inserts[h]--
					w.counts.Inserted++
					return w.history(OpInsert, "", row)
				}
				w.counts.Unchanged++
				return nil
			}
			switch oh, ok := oldKeys[w.key(row)]; {
			case !ok:
				w.counts.Inserted++
				return w.history(OpInsert, "", row)
			case oh != h:
				w.counts.Updated++
				return w.history(OpUpdate, "", row)
			}
			w.counts.Unchanged++
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	deletes := map[uint64]int{}
	for h, n := range oldMulti {
		if d := n - w.multi[h]; d > 0 {
			deletes[h] = d
		}
	}
	for _, f := range w.old.Files {
		err := scanFile(w.abs(f.Path), cols, func(row []any) error {
			if w.keyIdx >= 0 {
				if _, ok := w.keys[w.key(row)]; ok {
					return nil
				}
			} else {
				h := rowHash(row, cols)
				if deletes[h] == 0 {
					return nil
				}
				deletes[h]--
			}
			w.counts.Deleted++
			return w.history(OpDelete, "", row)
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return files, nil, nil
}

func (w *TableWriter) abs(rel string) string {
	return filepath.Join(w.tx.l.dir, filepath.FromSlash(rel))
}

func (w *TableWriter) finishMerge() ([]newFile, []FileState, error) {
	cols := w.spec.Columns
	oldByPart := map[string][]FileState{}
	for _, f := range w.old.Files {
		oldByPart[f.Partition] = append(oldByPart[f.Partition], f)
	}
	touched := map[string]bool{}
	for p := range w.changes {
		touched[p] = true
	}
	if w.dropVal != nil {
		for p := range oldByPart {
			touched[p] = true
		}
	}
	var files []newFile
	var kept []FileState
	for p, fs := range oldByPart {
		if !touched[p] {
			kept = append(kept, fs...)
		}
	}
	parts := make([]string, 0, len(touched))
	for p := range touched {
		parts = append(parts, p)
	}
	sort.Strings(parts)
	for _, p := range parts {
		f, dirty, err := w.mergePartition(p, oldByPart[p], cols)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case !dirty:
			kept = append(kept, oldByPart[p]...)
			if f != nil {
				f.abort()
			}
		case f != nil:
			if err := f.Close(); err != nil {
				return nil, nil, ioError(err, "writing %s", w.name)
			}
			files = append(files, newFile{tmp: f.path, partition: p, rows: f.total})
		}
	}
	return files, kept, nil
}

// mergePartition writes partition p's committed rows with this run's changes applied. dirty is
// false when nothing in the partition changed, so its committed files stay.
func (w *TableWriter) mergePartition(p string, old []FileState, cols []Column) (*fileWriter, bool, error) {
	changes := w.changes[p]
	var out *fileWriter
	write := func(row []any) error {
		if out == nil {
			var err error
			if out, err = newFileWriter(w.tx.tmpPath(), cols); err != nil {
				return ioError(err, "creating a file of %s", w.name)
			}
		}
		return out.Append(row)
	}
	dirty := false
	fail := func(err error) (*fileWriter, bool, error) {
		if out != nil {
			out.abort()
		}
		return nil, false, err
	}
	for _, f := range old {
		err := scanFile(w.abs(f.Path), cols, func(row []any) error {
			if ch := changes[w.key(row)]; ch != nil && !ch.applied {
				ch.applied = true
				switch {
				case ch.del:
					dirty = true
					w.counts.Deleted++
					if ch.keyOnly {
						return w.history(OpDelete, ch.eventID, row)
					}
					return w.history(OpDelete, ch.eventID, ch.row)
				case rowHash(ch.row, cols) == rowHash(row, cols):
					w.counts.Unchanged++
					return write(row)
				}
				dirty = true
				w.counts.Updated++
				if err := w.history(OpUpdate, ch.eventID, ch.row); err != nil {
					return err
				}
				return write(ch.row)
			}
			if w.dropCol >= 0 && row[w.dropCol] != nil && w.dropVal[sqltypes.FormatText(row[w.dropCol], cols[w.dropCol].Type)] {
				dirty = true
				w.counts.Deleted++
				return w.history(OpDelete, "", row)
			}
			return write(row)
		})
		if err != nil {
			return fail(err)
		}
	}
	for _, k := range w.order[p] {
		ch := changes[k]
		if ch.applied || ch.del {
			continue
		}
		dirty = true
		w.counts.Inserted++
		if err := w.history(OpInsert, ch.eventID, ch.row); err != nil {
			return fail(err)
		}
		if err := write(ch.row); err != nil {
			return fail(err)
		}
	}
	return out, dirty, nil
}

// ReadRows calls fn with every committed row of table ts in dir, file by file, values in
// package sqltypes' representations: the lake's own reader, for tests and tools.
func ReadRows(dir string, ts *TableState, fn func(row []any) error) error {
	cols := ts.LakeColumns()
	for _, p := range ts.FilePaths(dir) {
		if err := scanFile(p, cols, fn); err != nil {
			return err
		}
	}
	return nil
}

// ReadHistory calls fn with every history row of table ts: the history columns, then the
// table's.
func ReadHistory(dir string, ts *TableState, fn func(row []any) error) error {
	cols := append(append([]Column(nil), HistoryColumns...), ts.LakeColumns()...)
	for _, h := range ts.History {
		if err := scanFile(filepath.Join(dir, filepath.FromSlash(h)), cols, fn); err != nil {
			return err
		}
	}
	return nil
}
