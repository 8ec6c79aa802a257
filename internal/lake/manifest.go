package lake

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// ManifestVersion is the layout version of manifest.json; a lake written by a later layout is
// refused rather than misread.
const ManifestVersion = 1

// Manifest is DIR/_stripesql/manifest.json: the committed state of the lake. A table's rows are
// exactly the rows of the files its entry lists; nothing else under DIR is part of the lake.
type Manifest struct {
	Version int `json:"version"`
	// Run is the id of the run that committed this manifest.
	Run string `json:"run"`
	// Committed is when that run committed.
	Committed time.Time `json:"committed_at"`
	// Tables are the lake's tables by name.
	Tables map[string]*TableState `json:"tables"`
}

// TableState is one table's committed files and what the run that wrote them needs to go on.
type TableState struct {
	// Columns are the table's columns, in file order.
	Columns []ColumnState `json:"columns"`
	// Key is the column that identifies a row ("id"), or "" when a row is identified by all its
	// values.
	Key string `json:"key,omitempty"`
	// Partition is the timestamptz column the table is hive-partitioned by, month by month
	// ("created" gives directories created_month=2026-11), or "" for an unpartitioned table.
	Partition string `json:"partition,omitempty"`
	// Files are the current data files, relative to DIR, with their partition and row count.
	Files []FileState `json:"files"`
	// History are the history files, relative to DIR, oldest first.
	History []string `json:"history,omitempty"`
	// Rows is the number of current rows (the sum over Files).
	Rows int64 `json:"rows"`
	// Synced is when the table was last committed.
	Synced time.Time `json:"synced_at"`
	// Cursor is the state the writer keeps between runs (package ingest: created and events
	// cursors, the strategy, the source's fingerprint). The lake does not read it.
	Cursor json.RawMessage `json:"cursor,omitempty"`
}

// ColumnState is a column as the manifest records it: the name, PostgreSQL's type name and
// the type's OID (which is what is read back).
type ColumnState struct {
	Name string `json:"name"`
	Type string `json:"type"`
	OID  uint32 `json:"oid"`
}

// FileState is one committed data file.
type FileState struct {
	Path      string `json:"path"`
	Partition string `json:"partition,omitempty"`
	Rows      int64  `json:"rows"`
	Bytes     int64  `json:"bytes"`
}

// LakeColumns returns the table's columns.
func (ts *TableState) LakeColumns() []Column {
	out := make([]Column, len(ts.Columns))
	for i, c := range ts.Columns {
		out[i] = Column{Name: c.Name, Type: sqltypes.Type(c.OID)}
	}
	return out
}

func columnStates(cols []Column) []ColumnState {
	out := make([]ColumnState, len(cols))
	for i, c := range cols {
		out[i] = ColumnState{Name: c.Name, Type: sqltypes.FormatType(c.Type), OID: uint32(c.Type)}
	}
	return out
}

// FilePaths returns the table's data files as absolute paths under dir, for a reader that wants
// exactly the committed files (read_parquet([...]) in DuckDB).
func (ts *TableState) FilePaths(dir string) []string {
	out := make([]string, len(ts.Files))
	for i, f := range ts.Files {
		out[i] = filepath.Join(dir, filepath.FromSlash(f.Path))
	}
	return out
}

// Names returns the manifest's table names, sorted.
func (m *Manifest) Names() []string {
	names := make([]string, 0, len(m.Tables))
	for n := range m.Tables {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ReadManifest reads DIR/_stripesql/manifest.json. A lake with no manifest yet is an empty
// manifest, not an error.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(manifestPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return &Manifest{Version: ManifestVersion, Tables: map[string]*TableState{}}, nil
	}
	if err != nil {
		return nil, ioError(err, "reading the manifest")
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, ioError(err, "the manifest %s is not valid JSON", manifestPath(dir))
	}
	if m.Version != ManifestVersion {
		return nil, ioError(fmt.Errorf("manifest version %d", m.Version), "the lake at %s was written by another version of stripesql (manifest version %d, this one reads %d)", dir, m.Version, ManifestVersion)
	}
	if m.Tables == nil {
		m.Tables = map[string]*TableState{}
	}
	return &m, nil
}

func manifestPath(dir string) string { return filepath.Join(dir, metaDir, "manifest.json") }

// writeManifest replaces the manifest atomically: the new text goes to a temporary file that
// is synced and then renamed over manifest.json, and the directory is synced, so after a crash
// the manifest is either the old one or the new one, whole.
func writeManifest(dir, tmpDir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(tmpDir, "manifest.json")
	if err := writeFileSync(tmp, append(b, '\n')); err != nil {
		return ioError(err, "writing the manifest")
	}
	if err := os.Rename(tmp, manifestPath(dir)); err != nil {
		return ioError(err, "replacing the manifest")
	}
	return syncDir(filepath.Join(dir, metaDir))
}

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the renames inside dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return ioError(err, "syncing %s", dir)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return ioError(err, "syncing %s", dir)
	}
	return nil
}
