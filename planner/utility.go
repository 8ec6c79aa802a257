package planner

import (
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqlstate"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// planSet plans SET, SET LOCAL, SET TIME ZONE, RESET and RESET ALL. The value is validated now, so
// a bad SET fails before anything runs; the executor applies it.
func (pl *planCtx) planSet(s *pg.VariableSetStmt) (*Planned, error) {
	p := &Planned{Kind: pl.st.kind, Tag: pl.st.kind, Now: pl.now}
	switch s.Kind {
	case pg.VariableSetKind_VAR_RESET_ALL:
		p.Set = &SetAction{Reset: true, All: true}
		return p, nil
	case pg.VariableSetKind_VAR_RESET, pg.VariableSetKind_VAR_SET_DEFAULT:
		name := s.Name
		if _, ok := pl.sess.Setting(name); !ok && !strings.Contains(name, ".") {
			return nil, errUnknownSetting(name)
		}
		p.Set = &SetAction{Name: name, Reset: true}
		return p, nil
	case pg.VariableSetKind_VAR_SET_MULTI:
		return pl.planSetTransaction(p, s) // transaction.go
	case pg.VariableSetKind_VAR_SET_CURRENT:
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "SET ... FROM CURRENT is not supported")
	}
	var parts []string
	for _, a := range s.Args {
		v, err := setArgText(a)
		if err != nil {
			return nil, err
		}
		parts = append(parts, v)
	}
	value := strings.Join(parts, ", ")
	name := s.Name
	if name == "timezone" && len(s.Args) == 1 {
		if c := s.Args[0].GetAConst(); c != nil && c.GetIval() != nil {
			value = parts[0]
		}
	}
	// Validate against a scratch copy of the setting so a bad value fails at plan time.
	probe := NewSession(SessionConfig{Catalog: pl.sess.Catalog()})
	if err := probe.SetSetting(name, value); err != nil {
		return nil, err
	}
	p.Set = &SetAction{Name: name, Value: value}
	return p, nil
}

func setArgText(n *pg.Node) (string, error) {
	if c := n.GetAConst(); c != nil {
		switch v := c.Val.(type) {
		case *pg.A_Const_Sval:
			return v.Sval.Sval, nil
		case *pg.A_Const_Ival:
			return itoa(int64(v.Ival.Ival)), nil
		case *pg.A_Const_Fval:
			return v.Fval.Fval, nil
		case *pg.A_Const_Boolval:
			if v.Boolval.Boolval {
				return "on", nil
			}
			return "off", nil
		}
	}
	if tc := n.GetTypeCast(); tc != nil {
		// SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE
		return setArgText(tc.Arg)
	}
	return "", sqlstate.New(sqlstate.SyntaxError, "unsupported value in SET")
}

// explainOptionText reads an EXPLAIN option's value: the parser gives FORMAT JSON as a bare word
// (a String node), FORMAT 'json' as a constant.
func explainOptionText(n *pg.Node) string {
	if n == nil {
		return ""
	}
	if s := n.GetString_(); s != nil {
		return s.Sval
	}
	v, _ := setArgText(n)
	return v
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// planShow plans SHOW name and SHOW ALL as constant rows computed now.
func (pl *planCtx) planShow(s *pg.VariableShowStmt) (*Planned, error) {
	name := s.Name
	if strings.EqualFold(name, "all") {
		var rows [][]expr.Expr
		for _, r := range pl.sess.AllSettings() {
			rows = append(rows, []expr.Expr{expr.NewConst(r[0], sqltypes.Text), expr.NewConst(r[1], sqltypes.Text), expr.NewConst(r[2], sqltypes.Text)})
		}
		cols := []Column{{Name: "name", Type: sqltypes.Text}, {Name: "setting", Type: sqltypes.Text}, {Name: "description", Type: sqltypes.Text}}
		return &Planned{Kind: "SHOW", Tag: "SHOW", Columns: cols, Root: &Values{Rows: rows, Width: 3, Estimate: Estimate{Rows: float64(len(rows))}}, Now: pl.now}, nil
	}
	v, ok := pl.sess.Setting(name)
	if !ok {
		return nil, errUnknownSetting(name)
	}
	col := name
	switch canonicalSetting(name) {
	case "timezone":
		col = "TimeZone"
	case "datestyle":
		col = "DateStyle"
	case "transaction isolation level", "transaction_isolation":
		col = "transaction_isolation"
	}
	rows := [][]expr.Expr{{expr.NewConst(v, sqltypes.Text)}}
	return &Planned{Kind: "SHOW", Tag: "SHOW", Columns: []Column{{Name: col, Type: sqltypes.Text}}, Root: &Values{Rows: rows, Width: 1, Estimate: Estimate{Rows: 1}}, Now: pl.now}, nil
}

// planExplain plans EXPLAIN [ANALYZE] query. Without ANALYZE the plan text is computed now and
// returned as constant rows; with ANALYZE the executor runs Inner and prints actual figures.
func (pl *planCtx) planExplain(e *pg.ExplainStmt) (*Planned, error) {
	analyze, verbose := false, false
	for _, o := range e.Options {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		on := true
		if d.Arg != nil {
			// explainOptionText: OFF arrives as a bare word, which setArgText does not read
			if b, err := checkBool(explainOptionText(d.Arg)); err == nil {
				on = b == "on"
			}
		}
		switch strings.ToLower(d.Defname) {
		case "analyze":
			analyze = on
		case "verbose":
			verbose = on
		case "costs", "buffers", "timing", "summary", "settings", "wal":
		case "format":
			if v := explainOptionText(d.Arg); !strings.EqualFold(v, "text") {
				return nil, sqlstate.New(sqlstate.FeatureNotSupported, "EXPLAIN format %s is not supported", strings.ToLower(v)).WithHint("use FORMAT TEXT")
			}
		default:
			return nil, sqlstate.New(sqlstate.SyntaxError, "unrecognized EXPLAIN option %q", d.Defname)
		}
	}
	inner := &Statement{text: pl.st.text, full: pl.st.full, node: e.Query, kind: kindOf(e.Query)}
	sub := &planCtx{sess: pl.sess, st: inner, args: pl.args, describe: pl.describe, given: pl.given, now: pl.now, explaining: !analyze}
	ip, err := sub.plan()
	if err != nil {
		return nil, err
	}
	pl.types = sub.types
	ip.Verbose = verbose // explain.go
	if ip.Write != nil { // write.go
		return explainWrite(sub, ip, analyze)
	}
	if ip.Root == nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "EXPLAIN of %s is not supported", strings.ToLower(inner.kind))
	}
	cols := []Column{{Name: "QUERY PLAN", Type: sqltypes.Text}}
	p := &Planned{Kind: "EXPLAIN", Tag: "EXPLAIN", Columns: cols, Inner: ip, Analyze: analyze, Now: pl.now, Params: ip.Params, Estimate: ip.Estimate}
	if !analyze {
		var rows [][]expr.Expr
		for _, l := range ExplainLines(pl.sess, ip, nil) {
			rows = append(rows, []expr.Expr{expr.NewConst(l, sqltypes.Text)})
		}
		p.Root = &Values{Rows: rows, Width: 1, Estimate: Estimate{Rows: float64(len(rows))}}
	}
	return p, nil
}
