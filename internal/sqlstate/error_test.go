package sqlstate

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestErrorFormatsLikePsql(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"error", New(UndefinedTable, "relation %q does not exist", "custmers"), `ERROR: relation "custmers" does not exist (SQLSTATE 42P01)`},
		{"fatal", &Error{Code: InvalidPassword, Message: "password authentication failed for user \"bob\"", Severity: "FATAL"}, `FATAL: password authentication failed for user "bob" (SQLSTATE 28P01)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.err.Error()); diff != "" {
				t.Errorf("Error() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWithersCopy(t *testing.T) {
	base := New(ProgramLimitExceeded, "query would send about %d stripe requests", 1200)
	got := base.WithDetail("estimate: %d", 1200).WithHint("add a filter on created").WithPosition(8)
	want := &Error{Code: "54000", Message: "query would send about 1200 stripe requests", Detail: "estimate: 1200", Hint: "add a filter on created", Position: 8}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if base.Detail != "" || base.Hint != "" || base.Position != 0 {
		t.Errorf("withers modified the original: %+v", base)
	}
}

func TestAsAndWrap(t *testing.T) {
	inner := New(QueryCanceled, "canceling statement due to user request")
	wrapped := fmt.Errorf("scan: %w", inner)
	if got, ok := As(wrapped); !ok || got != inner {
		t.Fatalf("As(wrapped) = %v, %v; want the inner error", got, ok)
	}
	if got := Wrap(wrapped); got != inner {
		t.Errorf("Wrap kept %v; want the inner coded error", got)
	}
	plain := Wrap(errors.New("boom"))
	if diff := cmp.Diff(&Error{Code: InternalError, Message: "boom"}, plain); diff != "" {
		t.Errorf("Wrap(plain) mismatch (-want +got):\n%s", diff)
	}
	if Wrap(nil) != nil {
		t.Error("Wrap(nil) should be nil")
	}
	if got := inner.SQLState(); got != "57014" {
		t.Errorf("SQLState() = %q", got)
	}
}
