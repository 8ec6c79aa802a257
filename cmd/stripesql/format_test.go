package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCSVLikeCopy checks that --format csv writes what COPY … (FORMAT csv, HEADER) writes: NULL
// as an empty unquoted field and the empty string as "", so the two stay apart.
func TestCSVLikeCopy(t *testing.T) {
	demoEnv(t)
	tests := []struct{ name, sql, want string }{
		{"null and empty string differ", "SELECT NULL::text AS n, '' AS e, 'x' AS x",
			"n,e,x\n,\"\",x\n"},
		{"quoting", `SELECT 'a,b' AS c, 'say "hi"' AS q, E'two\nlines' AS l, '\.' AS eod, ' pad ' AS p`,
			"c,q,l,eod,p\n\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"\\.\", pad \n"},
		{"arrays and numbers", "SELECT ARRAY[1, 2] AS a, ARRAY['x', NULL, ''] AS t, 2.50 AS n, NULL::int AS z",
			"a,t,n,z\n\"{1,2}\",\"{x,NULL,\"\"\"\"}\",2.50,\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "query", "--format", "csv", tt.sql)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if diff := cmp.Diff(tt.want, out); diff != "" {
				t.Errorf("csv (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJSONValues checks the JSON each type is written as: arrays as JSON arrays (of their
// elements' JSON), jsonb embedded, numbers as numbers with every digit, timestamptz as RFC 3339.
func TestJSONValues(t *testing.T) {
	demoEnv(t)
	tests := []struct{ name, sql, want string }{
		{"arrays", "SELECT ARRAY[1, 2] AS a, ARRAY['x', NULL, ''] AS t, ARRAY[1.5, NULL]::numeric[] AS n, '{}'::int[] AS e, ARRAY[true] AS b",
			`{"a": [1, 2], "t": ["x", null, ""], "n": [1.5, null], "e": [], "b": [true]}`},
		{"numbers", "SELECT 9007199254740993::bigint AS big, 1e-3::float8 AS f, 'NaN'::float8 AS nan, '-Infinity'::float8 AS inf, 12.000 AS n",
			`{"big": 9007199254740993, "f": 0.001, "nan": "NaN", "inf": "-Infinity", "n": 12.000}`},
		{"json", `SELECT '{"a": [1, null]}'::jsonb AS j, '[1,2]'::json AS a, 'null'::jsonb AS jn, NULL::jsonb AS sqlnull`,
			`{"j": {"a": [1, null]}, "a": [1,2], "jn": null, "sqlnull": null}`},
		{"times", "SELECT timestamptz '2026-11-21 10:00:00.5+00' AS tz, timestamp '2026-11-21 10:00' AS ts, date '2026-01-02' AS d, ARRAY[timestamptz '2026-11-21 10:00+00'] AS a",
			`{"tz": "2026-11-21T10:00:00.5Z", "ts": "2026-11-21T10:00:00", "d": "2026-01-02", "a": ["2026-11-21T10:00:00Z"]}`},
		{"text", `SELECT 'x<y "q"' AS s, interval '1 day' AS i`, `{"s": "x<y \"q\"", "i": "1 day"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "query", "--format", "json", tt.sql)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got := strings.TrimSuffix(strings.TrimPrefix(out, "[\n  "), "\n]\n")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("json (-want +got):\n%s", diff)
			}
		})
	}
}
