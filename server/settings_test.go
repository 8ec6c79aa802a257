package server

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stripesql/stripesql/internal/emulator"
)

// TestToolSettings checks, with the real engine, the settings tools send before their first
// query: pg_dump's preamble runs, values are checked as PostgreSQL checks them, SHOW returns
// them, pg_settings lists them (stripesql's own included), and client_min_messages silences
// messages below its level.
func TestToolSettings(t *testing.T) {
	addr := startRealConfig(t, emulator.Config{Seed: 7, Scale: emulator.ScaleN(5)}, Config{})
	tests := []struct {
		sql  string
		want []string
	}{
		// pg_dump -s preamble
		{"SET statement_timeout = 0", []string{"CommandComplete SET"}},
		{"SET lock_timeout = 0", []string{"CommandComplete SET"}},
		{"SET idle_in_transaction_session_timeout = 0", []string{"CommandComplete SET"}},
		{"SET client_encoding = 'UTF8'", []string{"CommandComplete SET"}},
		{"SET standard_conforming_strings = on", []string{"CommandComplete SET"}},
		{"SET check_function_bodies = false", []string{"CommandComplete SET"}},
		{"SET xmloption = content", []string{"CommandComplete SET"}},
		{"SET client_min_messages = warning", []string{"CommandComplete SET"}},
		{"SET row_security = off", []string{"CommandComplete SET"}},
		{"SET synchronize_seqscans TO off", []string{"CommandComplete SET"}},
		{"SET extra_float_digits TO 3", []string{"CommandComplete SET"}},
		{"SET default_table_access_method = heap", []string{"CommandComplete SET"}},
		{"SET work_mem = '64MB'", []string{"CommandComplete SET"}},
		{"SET jit = off", []string{"CommandComplete SET"}},
		{"SET plan_cache_mode = force_custom_plan", []string{"CommandComplete SET"}},
		{"SET bytea_output = 'escape'", []string{"CommandComplete SET"}},
		{"SHOW work_mem", []string{"RowDescription work_mem:25/0", "DataRow 64MB", "CommandComplete SHOW"}},
		{"SHOW synchronize_seqscans", []string{"RowDescription synchronize_seqscans:25/0", "DataRow off", "CommandComplete SHOW"}},
		// PostgreSQL's validation
		{"SET work_mem = '1kB'", []string{"ErrorResponse ERROR 22023 1 kB is outside the valid range for parameter \"work_mem\" (64 .. 2147483647)"}},
		{"SET lock_timeout = 'soon'", []string{`ErrorResponse ERROR 22023 invalid value for parameter "lock_timeout": "soon"`}},
		{"SET client_min_messages = loud", []string{`ErrorResponse ERROR 22023 invalid value for parameter "client_min_messages": "loud"`}},
		{"SET jit = maybe", []string{`ErrorResponse ERROR 22023 parameter "jit" requires a Boolean value`}},
		// client_min_messages: the warning of a COMMIT outside a block is sent at warning, not at error
		{"COMMIT", []string{"NoticeResponse WARNING there is no transaction in progress", "CommandComplete COMMIT"}},
		{"SET client_min_messages = error", []string{"CommandComplete SET"}},
		{"COMMIT", []string{"CommandComplete COMMIT"}},
		// pg_settings
		{"SELECT name, setting, unit, vartype FROM pg_settings WHERE name IN ('work_mem', 'stripesql.max_requests', 'client_min_messages') ORDER BY name",
			[]string{"RowDescription name:25/0,setting:25/0,unit:25/0,vartype:25/0", "DataRow client_min_messages|notice|NULL|enum", "DataRow stripesql.max_requests|1000|NULL|integer", "DataRow work_mem|4MB|kB|integer", "CommandComplete SELECT 3"}},
	}
	c := dial(t, addr)
	c.startup(nil)
	for _, tt := range tests {
		got := c.query(tt.sql)
		got = got[:len(got)-1] // ReadyForQuery
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.sql, diff)
		}
	}
	got := c.query("SELECT count(*) > 5 FROM pg_settings WHERE name LIKE 'stripesql.%'")
	if diff := cmp.Diff("DataRow t", got[1]); diff != "" || !strings.HasPrefix(got[0], "RowDescription") {
		t.Errorf("stripesql rows in pg_settings (-want +got):\n%s", diff)
	}
}
