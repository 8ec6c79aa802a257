package server

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestRecordsOverPgx reads composite values through pgx: in the binary format (extended protocol,
// where pgx decodes a record field by field with the type OIDs the server sends) and in the text
// format (simple protocol), and the column is announced as record (2249) either way.
func TestRecordsOverPgx(t *testing.T) {
	addr := startReal(t)
	ctx := context.Background()
	const q = "SELECT ROW(1, 'a b', NULL::int, 2.5::numeric, ARRAY[1, 2]) AS r, (information_schema._pg_expandarray(ARRAY[7, 8])).x AS x"
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		t.Run(mode.String(), func(t *testing.T) {
			conn := connectPgxMode(t, addr, mode)
			rows, err := conn.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var got []any
			for rows.Next() {
				if oid := rows.FieldDescriptions()[0].DataTypeOID; oid != pgtype.RecordOID {
					t.Errorf("column r has type OID %d, want record (%d)", oid, pgtype.RecordOID)
				}
				if mode == pgx.QueryExecModeSimpleProtocol {
					var r string
					var x int32
					if err := rows.Scan(&r, &x); err != nil {
						t.Fatal(err)
					}
					got = append(got, r, x)
					continue
				}
				var (
					f1  int32
					f2  string
					f3  *int32
					f4  pgtype.Numeric
					f5  []int32
					x   int32
					rec = pgtype.CompositeFields{&f1, &f2, &f3, &f4, &f5}
				)
				if err := rows.Scan(rec, &x); err != nil {
					t.Fatal(err)
				}
				f, _ := f4.Float64Value()
				got = append(got, []any{f1, f2, f3, f.Float64, f5}, x)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			want := []any{`(1,"a b",,2.5,"{1,2}")`, int32(7), `(1,"a b",,2.5,"{1,2}")`, int32(8)}
			if mode != pgx.QueryExecModeSimpleProtocol {
				rec := []any{int32(1), "a b", (*int32)(nil), 2.5, []int32{1, 2}}
				want = []any{rec, int32(7), rec, int32(8)}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSetFunctionParameters binds parameters inside set-returning functions, in FROM and in a
// select list with FROM (planned as a LATERAL subquery), over the extended protocol, where
// Describe must type $1 before any value is known.
func TestSetFunctionParameters(t *testing.T) {
	addr := startReal(t)
	ctx := context.Background()
	conn := connectPgx(t, pgxURL(addr, ""))
	tests := []struct {
		name string
		sql  string
		args []any
		want []string
	}{
		{"in FROM", "SELECT k FROM jsonb_object_keys($1::jsonb) AS k ORDER BY k", []any{`{"b": 1, "a": 2}`}, []string{"a", "b"}},
		{"in a select list with FROM", "SELECT g::text || ':' || jsonb_array_elements_text($1::jsonb) FROM generate_series(1, 2) AS g ORDER BY 1",
			[]any{`["x", "y"]`}, []string{"1:x", "1:y", "2:x", "2:y"}},
		{"lateral reading a column and a parameter", "SELECT e.value FROM generate_series(1, 2) AS g, jsonb_array_elements_text(jsonb_build_array(g, $1::text)) AS e ORDER BY 1",
			[]any{"z"}, []string{"1", "2", "z", "z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := conn.Query(ctx, tt.sql, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}
