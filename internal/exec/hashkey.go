package exec

import (
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// appendGroupKey appends one value's part of a grouping key to buf: a NULL as its own mark (NULLs
// group together, unlike in a join), any other value as its expr.AppendHashKey bytes, each part
// closed by 0xff. Hash aggregate, grouping sets, DISTINCT and set operations key rows this way
// into one reused buffer and look their maps up with string(buf), which allocates nothing, so
// only a new key is copied.
func appendGroupKey(buf []byte, v any, t sqltypes.Type) []byte {
	if v == nil {
		return append(buf, 0, 'N', 0xff)
	}
	return append(expr.AppendHashKey(append(buf, 1), v, t), 0xff)
}

// appendRowKey appends the grouping key of every value of row, each typed by its Go
// representation (typeOfValue): a row's identity for DISTINCT and set operations.
func appendRowKey(buf []byte, row []any) []byte {
	for _, v := range row {
		buf = appendGroupKey(buf, v, typeOfValue(v))
	}
	return buf
}
