package server

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Observer is told what the server's sessions do, so an operator can watch them (package metrics
// implements it for Prometheus). It is called from the connections' goroutines, so an
// implementation must be cheap and safe for concurrent use. Nothing it receives names a user, a
// table, a value or a query: a SQLSTATE code, a duration and a count of rows.
//
// The default engine (NewEngine) calls it; a custom Config.Engine is not observed.
type Observer interface {
	// SessionOpened is called when an authenticated connection starts its engine session, and
	// SessionClosed when that session ends, so the difference is the number of open sessions.
	SessionOpened()
	SessionClosed()
	// QueryDone is called once per statement the engine answered, when its outcome is known: code
	// is "" for success and the SQLSTATE of the error otherwise (54000 over the request budget,
	// 57014 cancelled, …); d runs from planning to the last row read or the error; rows counts
	// the rows the statement returned. A statement that fails to parse or describe counts too.
	// Transaction control (BEGIN, COMMIT, …) is answered by the server itself and is not counted.
	QueryDone(code string, d time.Duration, rows int64)
}

// observedRows reports its statement to the Observer when the rows end: at io.EOF, at an error,
// or at Close when the client stops reading early (a closed portal). A row counts when Next
// returns it.
type observedRows struct {
	Rows
	obs   Observer
	start time.Time
	rows  int64
	done  bool
}

func (r *observedRows) Next(ctx context.Context) ([]any, error) {
	row, err := r.Rows.Next(ctx)
	switch {
	case err == nil:
		r.rows++
	case errors.Is(err, io.EOF):
		r.finish(nil)
	default:
		r.finish(queryError(ctx, err))
	}
	return row, err
}

func (r *observedRows) Close() error {
	err := r.Rows.Close()
	r.finish(err)
	return err
}

func (r *observedRows) finish(err error) {
	if r.done {
		return
	}
	r.done = true
	r.obs.QueryDone(outcomeCode(err), time.Since(r.start), r.rows)
}

// outcomeCode is the SQLSTATE a statement ended with, "" for success.
func outcomeCode(err error) string {
	if err == nil {
		return ""
	}
	return sqlstate.Wrap(err).Code
}
