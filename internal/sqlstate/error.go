package sqlstate

import (
	"errors"
	"fmt"
)

// SQLSTATE codes used by stripesql. Names follow PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion      = "00000"
	Warning                   = "01000"
	ConnectionException       = "08000"
	ProtocolViolation         = "08P01"
	FeatureNotSupported       = "0A000"
	CardinalityViolation      = "21000"
	DataException             = "22000"
	StringDataRightTruncation = "22001"
	NumericValueOutOfRange    = "22003"
	InvalidDatetimeFormat     = "22007"
	DatetimeFieldOverflow     = "22008"
	DivisionByZero            = "22012"
	InvalidParameterValue     = "22023"
	InvalidTextRepresentation = "22P02"
	// InvalidBinaryRepresentation is a Bind parameter whose binary bytes do not decode.
	InvalidBinaryRepresentation = "22P03"
	InvalidEscapeSequence       = "22025"
	NotNullViolation            = "23502"
	InvalidTransactionState     = "25000"
	ReadOnlySQLTransaction      = "25006"
	InvalidAuthorization        = "28000"
	InvalidPassword             = "28P01"
	InvalidCursorName           = "34000"
	InvalidSchemaName           = "3F000"
	ExternalRoutineException    = "38000"
	InvalidSQLStatementName     = "26000"
	SyntaxError                 = "42601"
	InsufficientPrivilege       = "42501"
	UndefinedColumn             = "42703"
	UndefinedFunction           = "42883"
	UndefinedTable              = "42P01"
	UndefinedParameter          = "42P02"
	UndefinedObject             = "42704"
	DuplicateObject             = "42710"
	AmbiguousColumn             = "42702"
	AmbiguousFunction           = "42725"
	DatatypeMismatch            = "42804"
	GroupingError               = "42803"
	WindowingError              = "42P20"
	InvalidColumnReference      = "42P10"
	CannotCoerce                = "42846"
	InsufficientResources       = "53000"
	OutOfMemory                 = "53200"
	TooManyConnections          = "53300"
	ProgramLimitExceeded        = "54000"
	QueryCanceled               = "57014"
	AdminShutdown               = "57P01"
	IdleSessionTimeout          = "57P05"
	SystemError                 = "58000"
	InternalError               = "XX000"
)

// SQLSTATE codes of cursors (DECLARE, FETCH, MOVE, CLOSE).
const (
	// NoActiveSQLTransaction is a statement that needs a transaction block run outside one, such
	// as DECLARE without WITH HOLD.
	NoActiveSQLTransaction = "25P01"
	DuplicateCursor        = "42P03"
	// ObjectNotInPrerequisiteState is an object used in a state that forbids it: a backward fetch
	// from a NO SCROLL cursor, a cursor whose query failed.
	ObjectNotInPrerequisiteState = "55000"
	// ObjectInUse is an object that cannot be dropped while something uses it: a flow whose run
	// holds a live lease.
	ObjectInUse = "55006"
)

// SQLSTATE codes of the node's state store (internal/state): its database file or PostgreSQL
// server, and the leases on flow runs.
const (
	// SQLClientUnableToEstablishSQLConnection is a state store PostgreSQL that cannot be reached.
	SQLClientUnableToEstablishSQLConnection = "08001"
	UniqueViolation                         = "23505"
	// LockNotAvailable is a lease or lock that another holder has.
	LockNotAvailable = "55P03"
	IOError          = "58030"
	DataCorrupted    = "XX001"
)

// Error is a PostgreSQL-shaped error: a SQLSTATE code, a message, and optional detail, hint and
// 1-based character position in the statement text. It satisfies the same SQLState() convention as
// pgx's PgError, so callers can switch on codes without importing this package.
type Error struct {
	Code     string
	Message  string
	Detail   string
	Hint     string
	Position int
	// Severity is ERROR unless set (FATAL for errors that end a connection).
	Severity string
}

// New returns an error with the given code and a message formatted like fmt.Sprintf.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error formats the error the way psql prints it: "ERROR: message (SQLSTATE xxxxx)".
func (e *Error) Error() string {
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	return fmt.Sprintf("%s: %s (SQLSTATE %s)", sev, e.Message, e.Code)
}

// SQLState returns the five-character SQLSTATE code.
func (e *Error) SQLState() string { return e.Code }

// WithDetail returns a copy of e with Detail set.
func (e *Error) WithDetail(format string, args ...any) *Error {
	c := *e
	c.Detail = fmt.Sprintf(format, args...)
	return &c
}

// WithHint returns a copy of e with Hint set.
func (e *Error) WithHint(format string, args ...any) *Error {
	c := *e
	c.Hint = fmt.Sprintf(format, args...)
	return &c
}

// WithPosition returns a copy of e with the 1-based character position set.
func (e *Error) WithPosition(pos int) *Error {
	c := *e
	c.Position = pos
	return &c
}

// As returns the *Error in err's chain, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Wrap returns err unchanged when it already carries an *Error, and otherwise an internal error
// (XX000) whose message is err's text. It is the last line of defence before an error reaches a
// client, so that every error a client sees has a code.
func Wrap(err error) *Error {
	if err == nil {
		return nil
	}
	if e, ok := As(err); ok {
		return e
	}
	return &Error{Code: InternalError, Message: err.Error()}
}
