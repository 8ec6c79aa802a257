package planner

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Stripe has no transactions, but a transaction block still has one property users rely on: it
// can be read-only (BEGIN READ ONLY, SET TRANSACTION READ ONLY, SET SESSION CHARACTERISTICS AS
// TRANSACTION READ ONLY, default_transaction_read_only). A write planned while it is read-only is
// refused with 25006 before anything reaches Stripe (write.go), and SHOW transaction_read_only
// tells the truth: on for a read-only server or user, on inside a read-only block, and back to
// the default once the block ends. The front end that owns the block (the wire server's
// BEGIN/COMMIT, the driver's BeginTx) tells the session with BeginTransaction and EndTransaction.
// A block also scopes cursors: DECLARE without WITH HOLD needs one, and its end closes them.

// txState is the open transaction block of a session.
type txState struct {
	open bool
	// readOnly is "on" or "off" when the block chose its mode, "" for the session default.
	readOnly string
}

// BeginTransaction opens a transaction block. readOnly is the mode BEGIN asked for (nil: the
// session's default_transaction_read_only). A read-only session cannot open a read-write block.
func (s *Session) BeginTransaction(readOnly *bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tx = txState{open: true}
	if readOnly == nil {
		return nil
	}
	if !*readOnly && s.cfg.ReadOnly {
		return errReadWriteRefused()
	}
	s.tx.readOnly = boolText(*readOnly)
	return nil
}

// EndTransaction closes the transaction block (COMMIT with commit set, ROLLBACK or a failed
// block's COMMIT without): the block's mode no longer applies, and the cursors the block ends are
// closed (cursor.go).
func (s *Session) EndTransaction(commit bool) {
	s.mu.Lock()
	s.tx = txState{}
	cs := s.cursors
	s.mu.Unlock()
	if cs != nil {
		cs.EndTransaction(commit)
	}
}

// InTransaction reports whether a transaction block is open, which DECLARE without WITH HOLD
// needs.
func (s *Session) InTransaction() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx.open
}

// TransactionReadOnly reads the access mode from the options of BEGIN, START TRANSACTION or SET
// TRANSACTION (pg_query gives READ ONLY as transaction_read_only = 1): nil when none is given.
func TransactionReadOnly(opts []*pg.Node) (*bool, error) {
	var ro *bool
	for _, o := range opts {
		d := o.GetDefElem()
		if d == nil || d.Defname != "transaction_read_only" {
			continue
		}
		c := d.Arg.GetAConst()
		if c == nil || c.GetIval() == nil {
			return nil, sqlstate.New(sqlstate.SyntaxError, "invalid transaction access mode")
		}
		v := c.GetIval().Ival != 0
		ro = &v
	}
	return ro, nil
}

// planSetTransaction plans SET TRANSACTION … and SET SESSION CHARACTERISTICS AS TRANSACTION …:
// the access mode becomes a SetAction of transaction_read_only or default_transaction_read_only;
// isolation levels and DEFERRABLE are accepted and have no effect, as Stripe has no transactions.
func (pl *planCtx) planSetTransaction(p *Planned, s *pg.VariableSetStmt) (*Planned, error) {
	ro, err := TransactionReadOnly(s.Args)
	if err != nil || ro == nil {
		return p, err
	}
	name := "transaction_read_only"
	if strings.EqualFold(s.Name, "SESSION CHARACTERISTICS") {
		name = "default_transaction_read_only"
	}
	if !*ro && pl.sess.ReadOnly() {
		return nil, errReadWriteRefused()
	}
	p.Set = &SetAction{Name: name, Value: boolText(*ro)}
	return p, nil
}

// readOnlySetting answers SHOW of the two access-mode settings from the session's configuration
// and transaction block; s.mu is held. ok is false for every other name.
func (s *Session) readOnlySetting(n string) (v string, ok bool) {
	switch n {
	case "default_transaction_read_only":
		if s.cfg.ReadOnly {
			return "on", true
		}
	case "transaction_read_only":
		switch {
		case s.cfg.ReadOnly:
			return "on", true
		case s.tx.readOnly != "":
			return s.tx.readOnly, true
		}
		if d, ok := s.settings["default_transaction_read_only"]; ok {
			return d, true
		}
		return settingsTable["default_transaction_read_only"].def, true
	}
	return "", false
}

// setReadOnly applies SET of the access-mode settings; s.mu is held and v is checked. done is
// false for the names SetSetting stores itself. transaction_read_only lasts for the open block;
// outside one it would last for a single statement, so it has no effect, as in PostgreSQL.
func (s *Session) setReadOnly(n, v string) (done bool, err error) {
	switch n {
	case "default_transaction_read_only":
		if v == "off" && s.cfg.ReadOnly {
			return true, errReadWriteRefused()
		}
	case "transaction_read_only":
		if v == "off" && s.cfg.ReadOnly {
			return true, errReadWriteRefused()
		}
		if s.tx.open {
			s.tx.readOnly = v
		}
		return true, nil
	}
	return false, nil
}

func errReadWriteRefused() error {
	return sqlstate.New(sqlstate.ReadOnlySQLTransaction, "cannot set transaction read-write mode in a read-only session").
		WithHint("the server or this user is configured read-only")
}

func boolText(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// invalidSetting names the parameter in a generic value check's error, as PostgreSQL's messages
// do (parameter "x" requires a Boolean value; 0 is outside the valid range for parameter "x" (1 ..
// 100)), so an error at startup says which option was wrong. Specific errors pass unchanged.
func invalidSetting(name, value string, err error) error {
	e, ok := sqlstate.As(err)
	if !ok {
		return err
	}
	n := displaySettingName(name)
	out := *e
	switch {
	case strings.HasPrefix(e.Message, "invalid value for a boolean setting"):
		out.Message = fmt.Sprintf("parameter %q requires a Boolean value", n)
	case strings.HasPrefix(e.Message, "invalid value for an integer setting"), strings.HasPrefix(e.Message, "invalid value for this enum setting"):
		out.Message = fmt.Sprintf("invalid value for parameter %q: %q", n, value)
	case strings.HasSuffix(e.Message, ")") && strings.Contains(e.Message, "this setting"):
		out.Message = strings.Replace(e.Message, "this setting", fmt.Sprintf("parameter %q", n), 1)
	default:
		return err
	}
	return &out
}
