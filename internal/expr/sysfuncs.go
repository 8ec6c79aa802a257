package expr

import (
	"crypto/rand"
	"fmt"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// System and NULL-counting functions BI tools and analysts call: pg_typeof (DBeaver and psql users
// ask what type an expression has), gen_random_uuid, num_nulls and num_nonnulls.

func init() {
	// keepTypes passes every argument with its own type, unknown literals included: pg_typeof('a')
	// is unknown in PostgreSQL, and num_nulls takes "any".
	keepTypes := func(args []sqltypes.Type) ([]sqltypes.Type, error) { return args, nil }
	countNulls := func(name string, wantNull bool) Function {
		return Function{Name: name, MinArgs: 1, MaxArgs: -1, ArgTypes: keepTypes, Result: Returns(sqltypes.Int4),
			Eval: func(_ *Env, a []any) (any, error) {
				n := int64(0)
				for _, v := range a {
					if (v == nil) == wantNull {
						n++
					}
				}
				return n, nil
			}}
	}
	reg(
		// pg_typeof is not strict: pg_typeof(NULL::int) is integer. The result is a regtype,
		// which prints as the type's name.
		Function{Name: "pg_typeof", MinArgs: 1, MaxArgs: 1, ArgTypes: keepTypes, Result: Returns(sqltypes.Regtype),
			EvalTyped: func(_ *Env, ts []sqltypes.Type, _ []any) (any, error) { return int64(sqltypes.PublicType(ts[0])), nil }},
		Function{Name: "gen_random_uuid", Result: Returns(sqltypes.Text), Volatile: true,
			Eval: func(*Env, []any) (any, error) { return randomUUID(), nil }},
		countNulls("num_nulls", true),
		countNulls("num_nonnulls", false),
	)
}

// randomUUID returns a version 4 (random) UUID in its canonical lowercase text form, as
// PostgreSQL's gen_random_uuid does.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
