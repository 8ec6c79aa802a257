package emulator

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeForm(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]any
		wantErr bool
	}{
		{"plain", "a=1&b=x", map[string]any{"a": "1", "b": "x"}, false},
		{"nested", "a[b][c]=v", map[string]any{"a": map[string]any{"b": map[string]any{"c": "v"}}}, false},
		{"append", "a[]=x&a[]=y", map[string]any{"a": []any{"x", "y"}}, false},
		{"indexed", "a[1]=y&a[0]=x", map[string]any{"a": []any{"x", "y"}}, false},
		{"indexed objects", "items[0][price]=p1&items[1][price]=p2&items[1][quantity]=2",
			map[string]any{"items": []any{map[string]any{"price": "p1"}, map[string]any{"price": "p2", "quantity": "2"}}}, false},
		{"range", "created[gte]=1&created[lt]=9", map[string]any{"created": map[string]any{"gte": "1", "lt": "9"}}, false},
		{"metadata empty", "metadata[k]=", map[string]any{"metadata": map[string]any{"k": ""}}, false},
		{"sparse indexes keep order", "a[10]=c&a[2]=b&a[0]=a", map[string]any{"a": []any{"a", "b", "c"}}, false},
		{"index then append", "a[0]=x&a[]=y", map[string]any{"a": []any{"x", "y"}}, false},
		{"unclosed bracket is literal", "a[b=1", map[string]any{"a[b": "1"}, false},
		{"value and object", "a=1&a[b]=2", nil, true},
		{"object and array", "a[b]=1&a[]=2", nil, true},
		{"array and object", "a[0]=1&a[x]=2", nil, true},
		{"empty", "", map[string]any{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeForm(v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzDecodeForm checks that no input panics and that every accepted form decodes to a tree of
// only maps, slices and strings whose leaves all come from the input.
func FuzzDecodeForm(f *testing.F) {
	for _, s := range []string{"a[b][c]=v", "a[]=1&a[]=2", "a[0][b]=1&a[1][b]=2", "a=1&a[b]=2", "x[[]]=1", "a[999999]=1", "m[0]=1&m[a]=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		got, err := DecodeForm(v)
		if err != nil {
			return
		}
		leaves := map[string]bool{}
		for _, vs := range v {
			for _, x := range vs {
				leaves[x] = true
			}
		}
		var walk func(x any)
		walk = func(x any) {
			switch y := x.(type) {
			case map[string]any:
				for _, c := range y {
					walk(c)
				}
			case []any:
				for _, c := range y {
					walk(c)
				}
			case string:
				if !leaves[y] {
					t.Fatalf("leaf %q not in input %q", y, s)
				}
			default:
				t.Fatalf("unexpected %T in %q", x, s)
			}
		}
		walk(got)
	})
}
