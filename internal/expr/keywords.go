package expr

import "github.com/stripesql/stripesql/internal/sqltypes"

//go:generate go run ./internal/kwgen

// keyword is one SQL keyword of PostgreSQL's grammar.
type keyword struct {
	word     string
	category byte // U, C, T or R, pg_get_keywords' catcode
	bare     bool // usable as a column label without AS
}

// pg_get_keywords() returns PostgreSQL 15's keywords with their categories: pgJDBC's
// DatabaseMetaData.getSQLKeywords reads the reserved ones, and SQL editors (DBeaver, pgAdmin)
// highlight and quote with the list.
func getKeywordsDef() setFuncDef {
	cols := []sqltypes.RecordField{{Name: "word", Type: sqltypes.Text}, {Name: "catcode", Type: sqltypes.Char},
		{Name: "barelabel", Type: sqltypes.Bool}, {Name: "catdesc", Type: sqltypes.Text}, {Name: "baredesc", Type: sqltypes.Text}}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	catdesc := map[byte]string{
		'U': "unreserved",
		'C': "unreserved (cannot be function or type name)",
		'T': "reserved (can be function or type name)",
		'R': "reserved",
	}
	return setFuncDef{
		fields: names,
		resolve: func(args []sqltypes.Type) ([]sqltypes.RecordField, bool) {
			return cols, len(args) == 0
		},
		rows: func([]any) ([][]any, error) {
			out := make([][]any, len(keywords))
			for i, k := range keywords {
				baredesc := "requires AS"
				if k.bare {
					baredesc = "can be bare label"
				}
				out[i] = []any{k.word, string(k.category), k.bare, catdesc[k.category], baredesc}
			}
			return out, nil
		},
	}
}
