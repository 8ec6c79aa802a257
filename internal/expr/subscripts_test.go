package expr

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// TestSubscriptsLowerBound checks that int2vector and oidvector are numbered from 0 and other
// arrays from 1, both by arr[i] and by generate_subscripts, so catalog queries that pair them
// (SQLAlchemy's primary-key query) read the right element.
func TestSubscriptsLowerBound(t *testing.T) {
	vec := &Const{Value: sqltypes.Array{Elem: sqltypes.Int2, Items: []any{int64(5), int64(6), int64(7)}}, T: sqltypes.Int2Vector}
	arr := &Const{Value: sqltypes.Array{Elem: sqltypes.Int8, Items: []any{int64(5), int64(6), int64(7)}}, T: sqltypes.Int8Array}
	one := &Const{Value: int64(1), T: sqltypes.Int4}
	for _, tc := range []struct {
		name    string
		arr     Expr
		args    []Expr
		want    []int64
		firstAt int64
	}{
		{"int2vector from 0", vec, []Expr{vec, one}, []int64{0, 1, 2}, 0},
		{"array from 1", arr, []Expr{arr, one}, []int64{1, 2, 3}, 1},
		{"reverse", arr, []Expr{arr, one, &Const{Value: true, T: sqltypes.Bool}}, []int64{3, 2, 1}, 1},
		{"other dimension is empty", arr, []Expr{arr, &Const{Value: int64(2), T: sqltypes.Int4}}, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := SetCall("generate_subscripts", tc.args)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := f.Rows(&Env{})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range rows {
				got = append(got, r[0].(int64))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("subscripts (-want +got):\n%s", diff)
			}
			sub, err := Subscript(tc.arr, &Const{Value: tc.firstAt, T: sqltypes.Int4})
			if err != nil {
				t.Fatal(err)
			}
			if v, err := sub.Eval(&Env{}); err != nil || v != int64(5) {
				t.Errorf("arr[%d] = %v, %v; want the first element 5", tc.firstAt, v, err)
			}
		})
	}
}
