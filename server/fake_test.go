package server

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// fakeEngine answers a tiny statement language, so protocol tests do not depend on the planner:
//
//	SELECT numbers(N)   rows n (int8), label (text) for n = 1..N
//	SELECT types        one row with a value of every type stripesql emits
//	SELECT fail         42P01 with a hint and position
//	SELECT sleep        blocks until cancelled
//	SELECT slowrows     a row every 10 ms until cancelled
//	SELECT progress     one NOTICE via the session's Notice, then one row
//	SELECT panic        panics
//	SELECT $1, $2 …     echoes its parameters (typed as given, else text)
//	SET x = v / SET x TO v, SHOW x, RESET x / RESET ALL, CLOSE ALL, INSERT … (INSERT 0 1)
type fakeEngine struct {
	mu       sync.Mutex
	sessions []*fakeSession
}

func (e *fakeEngine) NewSession(p SessionParams) EngineSession {
	s := &fakeSession{params: p, settings: map[string]string{}}
	for k, v := range p.Settings {
		s.settings[strings.ToLower(k)] = v
	}
	e.mu.Lock()
	e.sessions = append(e.sessions, s)
	e.mu.Unlock()
	return s
}

type fakeSession struct {
	params   SessionParams
	mu       sync.Mutex
	settings map[string]string
	closed   bool
	// cancelled records that a sleeping statement saw its context end.
	cancelled bool
}

type fakeStmt struct{ text, kind string }

func (s *fakeStmt) Text() string { return s.text }
func (s *fakeStmt) Kind() string { return s.kind }

func (s *fakeSession) Parse(sql string) ([]Statement, error) {
	var out []Statement
	for _, part := range strings.Split(sql, ";") {
		t := strings.TrimSpace(part)
		if t == "" {
			continue
		}
		if strings.HasPrefix(strings.ToLower(t), "selec ") {
			return nil, sqlstate.New(sqlstate.SyntaxError, "syntax error at or near \"selec\"").WithPosition(1)
		}
		kind := strings.ToUpper(strings.Fields(t)[0])
		if kind == "START" {
			kind = "START TRANSACTION"
		}
		out = append(out, &fakeStmt{text: t, kind: kind})
	}
	return out, nil
}

var (
	numbersRE = regexp.MustCompile(`(?i)^select numbers\((\d+)\)$`)
	paramRE   = regexp.MustCompile(`\$(\d+)`)
	setRE     = regexp.MustCompile(`(?i)^set (\w+)\s*(?:=|to)\s*'?([^']*)'?$`)
)

var typesCols = []Column{
	{Name: "b", Type: sqltypes.Bool}, {Name: "i2", Type: sqltypes.Int2}, {Name: "i4", Type: sqltypes.Int4},
	{Name: "i8", Type: sqltypes.Int8}, {Name: "f4", Type: sqltypes.Float4}, {Name: "f8", Type: sqltypes.Float8},
	{Name: "num", Type: sqltypes.Numeric}, {Name: "t", Type: sqltypes.Text}, {Name: "vc", Type: sqltypes.Varchar},
	{Name: "nm", Type: sqltypes.Name}, {Name: "by", Type: sqltypes.Bytea}, {Name: "d", Type: sqltypes.Date},
	{Name: "ts", Type: sqltypes.Timestamp}, {Name: "tstz", Type: sqltypes.Timestamptz},
	{Name: "iv", Type: sqltypes.Interval}, {Name: "js", Type: sqltypes.JSON}, {Name: "jb", Type: sqltypes.JSONB},
	{Name: "o", Type: sqltypes.OID}, {Name: "rc", Type: sqltypes.Regclass}, {Name: "ta", Type: sqltypes.TextArray},
	{Name: "ia", Type: sqltypes.Int8Array}, {Name: "nul", Type: sqltypes.Text},
}

func typesRow() []any {
	num, _ := sqltypes.ParseDecimal("1234.5600")
	return []any{
		true, int64(-2), int64(40000), int64(9007199254740993), 1.5, 2.25,
		num, "héllo", "vc", "nm", []byte{0xde, 0xad}, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC), time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		sqltypes.IntervalValue{Months: 14, Days: 3, Micros: 4 * sqltypes.MicrosPerHour},
		sqltypes.JSONValue{V: map[string]any{"a": "x"}}, sqltypes.JSONValue{V: []any{"y", true, nil}},
		int64(16385), int64(16386), sqltypes.Array{Elem: sqltypes.Text, Items: []any{"a", nil, "b c"}},
		sqltypes.Array{Elem: sqltypes.Int8, Items: []any{int64(1), int64(2)}}, nil,
	}
}

func (s *fakeSession) Describe(st Statement, given []sqltypes.Type) ([]sqltypes.Type, []Column, error) {
	text := st.Text()
	params := append([]sqltypes.Type(nil), given...)
	for _, m := range paramRE.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		if n > 65535 { // as the planner: a client cannot send more values (found by FuzzMessageReader)
			return nil, nil, sqlstate.New(sqlstate.UndefinedParameter, "there is no parameter $%d", n)
		}
		for len(params) < n {
			params = append(params, 0)
		}
	}
	for i := range params {
		if params[i] == 0 {
			params[i] = sqltypes.Text
		}
	}
	cols, err := s.columns(text, params)
	return params, cols, err
}

func (s *fakeSession) columns(text string, params []sqltypes.Type) ([]Column, error) {
	low := strings.ToLower(text)
	switch {
	case numbersRE.MatchString(text):
		return []Column{{Name: "n", Type: sqltypes.Int8, TableOID: 16400, AttNum: 1}, {Name: "label", Type: sqltypes.Text, TableOID: 16400, AttNum: 2}}, nil
	case low == "select types":
		return typesCols, nil
	case low == "select fail":
		return nil, sqlstate.New(sqlstate.UndefinedTable, "relation \"nope\" does not exist").WithPosition(8).WithHint("did you mean \"notes\"?")
	case low == "select sleep", low == "select slowrows", low == "select progress", low == "select panic":
		return []Column{{Name: "x", Type: sqltypes.Int8}}, nil
	case strings.HasPrefix(low, "select $"):
		cols := make([]Column, len(params))
		for i, t := range params {
			cols[i] = Column{Name: fmt.Sprintf("p%d", i+1), Type: t}
		}
		return cols, nil
	case strings.HasPrefix(low, "show "):
		return []Column{{Name: strings.TrimSpace(text[5:]), Type: sqltypes.Text}}, nil
	case strings.HasPrefix(low, "select"):
		return nil, sqlstate.New(sqlstate.SyntaxError, "fake engine cannot run %q", text)
	}
	return nil, nil
}

func (s *fakeSession) Run(ctx context.Context, st Statement, args []any) (Rows, error) {
	text := st.Text()
	low := strings.ToLower(text)
	var params []sqltypes.Type
	for range args {
		params = append(params, sqltypes.Text)
	}
	cols, err := s.columns(text, params)
	if err != nil {
		return nil, err
	}
	r := &fakeRows{cols: cols}
	switch {
	case numbersRE.MatchString(text):
		n, _ := strconv.Atoi(numbersRE.FindStringSubmatch(text)[1])
		if n > benchRows {
			return nil, sqlstate.New(sqlstate.ProgramLimitExceeded, "the fake engine makes at most %d numbers", benchRows)
		}
		r.rows = numberRows(n)
		r.tag = "SELECT " + strconv.Itoa(n)
	case low == "select types":
		r.rows = [][]any{typesRow()}
		r.tag = "SELECT 1"
	case low == "select sleep":
		<-ctx.Done()
		s.mu.Lock()
		s.cancelled = true
		s.mu.Unlock()
		return nil, ctx.Err()
	case low == "select slowrows":
		r.gen = func(ctx context.Context, i int) ([]any, error) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(10 * time.Millisecond):
				return []any{int64(i)}, nil
			}
		}
	case low == "select progress":
		s.params.Notice("scanned 10 rows")
		r.rows = [][]any{{int64(1)}}
		r.tag = "SELECT 1"
	case low == "select panic":
		panic("fake engine panic")
	case strings.HasPrefix(low, "select $"):
		r.cols = make([]Column, len(args))
		for i := range args {
			r.cols[i] = Column{Name: fmt.Sprintf("p%d", i+1), Type: sqltypes.Text}
		}
		row := make([]any, len(args))
		for i, a := range args {
			if a != nil {
				row[i] = fmt.Sprint(a)
			}
		}
		r.rows = [][]any{row}
		r.tag = "SELECT 1"
	case setRE.MatchString(text):
		m := setRE.FindStringSubmatch(text)
		s.mu.Lock()
		s.settings[strings.ToLower(m[1])] = m[2]
		s.mu.Unlock()
		r.tag = "SET"
	case strings.HasPrefix(low, "show "):
		v, _ := s.Setting(strings.TrimSpace(text[5:]))
		r.rows = [][]any{{v}}
		r.tag = "SHOW"
	case low == "reset all":
		s.mu.Lock()
		s.settings = map[string]string{}
		s.mu.Unlock()
		r.tag = "RESET"
	case low == "close all":
		r.tag = "CLOSE CURSOR ALL"
	case strings.HasPrefix(low, "insert"):
		r.tag = "INSERT 0 1"
	default:
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "fake engine cannot run %q", text)
	}
	return r, nil
}

func (s *fakeSession) Setting(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.settings[strings.ToLower(name)]
	return v, ok
}

func (s *fakeSession) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

var numbersCache sync.Map

// numberRows builds the rows of numbers(n) once, so that benchmarks measure streaming rows that
// were already fetched, not building them.
func numberRows(n int) [][]any {
	if v, ok := numbersCache.Load(n); ok {
		return v.([][]any)
	}
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{int64(i + 1), "n" + strconv.Itoa(i+1)}
	}
	numbersCache.Store(n, rows)
	return rows
}

type fakeRows struct {
	cols []Column
	rows [][]any
	gen  func(ctx context.Context, i int) ([]any, error)
	i    int
	tag  string
}

func (r *fakeRows) Columns() []Column { return r.cols }
func (r *fakeRows) Close() error      { return nil }
func (r *fakeRows) Tag() string       { return r.tag }
func (r *fakeRows) Next(ctx context.Context) ([]any, error) {
	if r.gen != nil {
		r.i++
		return r.gen(ctx, r.i)
	}
	if r.i >= len(r.rows) {
		return nil, io.EOF
	}
	r.i++
	return r.rows[r.i-1], nil
}
