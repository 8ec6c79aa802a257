package sqltypes

// Type is a PostgreSQL data type that stripesql can produce or accept. Its value is the type's
// PostgreSQL OID, so the wire server can send it unchanged in RowDescription and clients that know
// PostgreSQL's built-in OIDs (pgx, JDBC, psycopg2) decode values without asking.
type Type uint32

// The types stripesql uses. OIDs are PostgreSQL's (pg_type.oid).
const (
	Unknown          Type = 705
	Bool             Type = 16
	Bytea            Type = 17
	Char             Type = 18
	Name             Type = 19
	Int8             Type = 20
	Int2             Type = 21
	Int2Vector       Type = 22
	Int4             Type = 23
	Regproc          Type = 24
	Text             Type = 25
	OID              Type = 26
	OIDVector        Type = 30
	JSON             Type = 114
	Float4           Type = 700
	Float8           Type = 701
	Varchar          Type = 1043
	Date             Type = 1082
	Time             Type = 1083
	Timestamp        Type = 1114
	Timestamptz      Type = 1184
	Interval         Type = 1186
	Numeric          Type = 1700
	Regclass         Type = 2205
	Regtype          Type = 2206
	Regnamespace     Type = 4089
	Record           Type = 2249
	Void             Type = 2278
	JSONB            Type = 3802
	BoolArray        Type = 1000
	Int2Array        Type = 1005
	Int4Array        Type = 1007
	TextArray        Type = 1009
	Int8Array        Type = 1016
	Float8Array      Type = 1022
	OIDArray         Type = 1028
	NameArray        Type = 1003
	CharArray        Type = 1002
	JSONBArray       Type = 3807
	TimestamptzArray Type = 1185
	NumericArray     Type = 1231
)
