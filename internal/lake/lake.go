package lake

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Directory names inside DIR. Table names cannot start with "_", so they never collide.
const (
	metaDir    = "_stripesql"
	tmpDir     = "tmp"
	historyDir = "_history"
)

// SQLSTATE codes of the lake's own failures (PostgreSQL's lock_not_available and io_error).
const (
	codeLockNotAvailable = "55P03"
	codeIOError          = "58030"
)

func ioError(err error, format string, args ...any) error {
	return sqlstate.New(codeIOError, format, args...).WithDetail("%s", err.Error())
}

// Options tune a Lake.
type Options struct {
	// Now is the clock for run ids and sync times; nil means time.Now.
	Now func() time.Time
	// BeforeManifest, when set, is called by Commit after the new files are renamed into place
	// and before the manifest is replaced. An error stops the commit right there, as a crash
	// would: tests use it to prove that an interrupted commit leaves the last committed state.
	BeforeManifest func() error
}

// Lake is an open lake directory. Only one process writes a lake at a time: Open takes an
// exclusive lock on DIR/_stripesql/lock that Close releases.
type Lake struct {
	dir       string
	opts      Options
	unlock    func()
	mu        sync.Mutex
	man       *Manifest
	recovered int
}

// Open opens (creating it if needed) the lake in dir, takes its write lock, reads the manifest
// and removes what an interrupted run left: the temporary directory, and every part-*.parquet
// file under DIR that the manifest does not list (files renamed into place by a run that died
// before replacing the manifest, or old files a run had not yet removed after replacing it).
func Open(dir string, opts Options) (*Lake, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, ioError(err, "cannot use %s as a lake directory", dir)
	}
	if err := os.MkdirAll(filepath.Join(abs, metaDir), 0o755); err != nil {
		return nil, ioError(err, "cannot create the lake directory %s", abs)
	}
	unlock, err := lockDir(filepath.Join(abs, metaDir, "lock"))
	if err != nil {
		return nil, err
	}
	l := &Lake{dir: abs, opts: opts, unlock: unlock}
	if l.man, err = ReadManifest(abs); err != nil {
		unlock()
		return nil, err
	}
	if err := l.recover(); err != nil {
		unlock()
		return nil, err
	}
	return l, nil
}

// Dir is the lake's absolute directory.
func (l *Lake) Dir() string { return l.dir }

// Recovered is the number of files of interrupted runs that Open removed.
func (l *Lake) Recovered() int { return l.recovered }

// Manifest is the committed manifest. Callers must not modify it.
func (l *Lake) Manifest() *Manifest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.man
}

// Close releases the lake's lock.
func (l *Lake) Close() error {
	if l.unlock != nil {
		l.unlock()
		l.unlock = nil
	}
	return nil
}

// isPart reports whether name is a data or history file the lake writes.
func isPart(name string) bool {
	return strings.HasPrefix(name, "part-") && strings.HasSuffix(name, ".parquet")
}

func (l *Lake) recover() error {
	if err := os.RemoveAll(filepath.Join(l.dir, metaDir, tmpDir)); err != nil {
		return ioError(err, "removing the temporary files of an interrupted run")
	}
	keep := map[string]bool{}
	for _, ts := range l.man.Tables {
		for _, f := range ts.Files {
			keep[f.Path] = true
		}
		for _, h := range ts.History {
			keep[h] = true
		}
	}
	var dirs []string
	err := filepath.WalkDir(l.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(l.dir, p)
		if d.IsDir() {
			if rel == metaDir {
				return filepath.SkipDir
			}
			if rel != "." {
				dirs = append(dirs, p)
			}
			return nil
		}
		if isPart(d.Name()) && !keep[filepath.ToSlash(rel)] {
			if err := os.Remove(p); err != nil {
				return err
			}
			l.recovered++
		}
		return nil
	})
	if err != nil {
		return ioError(err, "cleaning up after an interrupted run")
	}
	removeEmptyDirs(dirs)
	return nil
}

// removeEmptyDirs removes the directories of dirs that are empty, deepest first.
func removeEmptyDirs(dirs []string) {
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	for _, d := range dirs {
		_ = os.Remove(d) // fails, harmlessly, when not empty
	}
}

var validName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Txn is one run's staged changes: tables written into DIR/_stripesql/tmp/RUN, made visible all
// at once by Commit. Tables may be written by several goroutines at once.
type Txn struct {
	l      *Lake
	run    string
	at     time.Time
	tmp    string
	mu     sync.Mutex
	seq    int
	staged map[string]*stagedTable
	open   map[*TableWriter]bool
}

type stagedTable struct {
	state *TableState
	moves [][2]string // temporary path → final path (absolute)
}

// Begin starts a run. Its id orders runs by time and is unique: "20261107T031500Z-9f3a2c".
func (l *Lake) Begin() (*Txn, error) {
	at := l.opts.Now().UTC()
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	run := at.Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])
	tmp := filepath.Join(l.dir, metaDir, tmpDir, run)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, ioError(err, "creating the run's temporary directory")
	}
	return &Txn{l: l, run: run, at: at, tmp: tmp, staged: map[string]*stagedTable{}, open: map[*TableWriter]bool{}}, nil
}

// Run is the run's id, recorded in file names and in the manifest.
func (tx *Txn) Run() string { return tx.run }

// At is the run's sync time, recorded in the history.
func (tx *Txn) At() time.Time { return tx.at }

func (tx *Txn) tmpPath() string {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	tx.seq++
	return filepath.Join(tx.tmp, fmt.Sprintf("part-%s-%05d.parquet", tx.run, tx.seq))
}

func (tx *Txn) stage(name string, st *stagedTable) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	tx.staged[name] = st
}

// Commit makes every finished table of the run visible at once: the new files are renamed from
// the temporary directory into place (and their directories synced), then the manifest is
// replaced by rename, and only then are the files the new manifest no longer lists removed. A
// table whose writer was aborted, or never finished, keeps its committed state. A crash at any
// point leaves either the old manifest with its files or the new one with its files; Open
// removes whatever else was left.
func (tx *Txn) Commit() error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	defer os.RemoveAll(tx.tmp)
	for w := range tx.open {
		w.abortLocked()
	}
	if len(tx.staged) == 0 {
		return nil
	}
	dirs := map[string]bool{}
	names := make([]string, 0, len(tx.staged))
	for n := range tx.staged {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, mv := range tx.staged[n].moves {
			d := filepath.Dir(mv[1])
			if err := os.MkdirAll(d, 0o755); err != nil {
				return ioError(err, "creating %s", d)
			}
			if err := os.Rename(mv[0], mv[1]); err != nil {
				return ioError(err, "moving a new file of %s into place", n)
			}
			dirs[d] = true
		}
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	if tx.l.opts.BeforeManifest != nil {
		if err := tx.l.opts.BeforeManifest(); err != nil {
			return err
		}
	}
	old := tx.l.Manifest()
	next := &Manifest{Version: ManifestVersion, Run: tx.run, Committed: tx.l.opts.Now().UTC(), Tables: map[string]*TableState{}}
	for n, ts := range old.Tables {
		next.Tables[n] = ts
	}
	for _, n := range names {
		next.Tables[n] = tx.staged[n].state
	}
	if err := writeManifest(tx.l.dir, tx.tmp, next); err != nil {
		return err
	}
	tx.l.mu.Lock()
	tx.l.man = next
	tx.l.mu.Unlock()
	var emptied []string
	for _, n := range names {
		prev := old.Tables[n]
		if prev == nil {
			continue
		}
		kept := map[string]bool{}
		for _, f := range next.Tables[n].Files {
			kept[f.Path] = true
		}
		for _, f := range prev.Files {
			if !kept[f.Path] {
				p := filepath.Join(tx.l.dir, filepath.FromSlash(f.Path))
				_ = os.Remove(p) // a file left behind is removed by the next Open
				emptied = append(emptied, filepath.Dir(p))
			}
		}
	}
	removeEmptyDirs(emptied)
	tx.staged = map[string]*stagedTable{}
	return nil
}

// Rollback drops the run: no table changes, the temporary files are removed.
func (tx *Txn) Rollback() {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	for w := range tx.open {
		w.abortLocked()
	}
	tx.staged = map[string]*stagedTable{}
	_ = os.RemoveAll(tx.tmp)
}

// errNotExist reports whether err says a file is missing.
func errNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
