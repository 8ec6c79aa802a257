package planner

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Client tools send PostgreSQL settings before their first query (pg_dump: SET
// synchronize_seqscans TO off, SET client_min_messages = warning, SET row_security = off;
// JDBC, psycopg and BI tools: lock_timeout, work_mem, jit, …). A 42704 for any of them breaks the
// tool, so stripesql accepts the settings those tools send, checks their values as PostgreSQL
// does (type, range, unit, enum label), remembers them for SHOW and current_setting, and lists
// every setting, its own stripesql.* ones included, in pg_settings. Most have no effect on a
// Stripe query engine; the few that do are read where they apply (client_min_messages by the
// wire server, statement_timeout by the executor).

func init() {
	for n, s := range toolSettings {
		settingsTable[n] = s
	}
	catalog.RegisterSettings(settingRows)
}

// toolSettings are the PostgreSQL settings tools send, with PostgreSQL's defaults.
var toolSettings = map[string]setting{
	"client_min_messages":                 enumSetting("notice", "sets the message levels that are sent to the client", "debug5", "debug4", "debug3", "debug2", "debug1", "debug", "log", "notice", "warning", "error"),
	"lock_timeout":                        durationSetting("0", "sets the maximum allowed duration of any wait for a lock"),
	"idle_in_transaction_session_timeout": durationSetting("0", "sets the maximum allowed idle time between queries, when in a transaction"),
	"idle_session_timeout":                durationSetting("0", "sets the maximum allowed idle time between queries, when not in a transaction"),
	"work_mem":                            memorySetting("4MB", "sets the maximum memory to be used for query workspaces"),
	"maintenance_work_mem":                memorySetting("64MB", "sets the maximum memory to be used for maintenance operations"),
	"jit":                                 boolSetting("off", "allow jit compilation"),
	"row_security":                        boolSetting("on", "enable row security"),
	"check_function_bodies":               boolSetting("on", "check routine bodies during create function and create procedure"),
	"synchronize_seqscans":                boolSetting("on", "enable synchronized sequential scans"),
	"escape_string_warning":               boolSetting("on", "warn about backslash escapes in ordinary string literals"),
	"array_nulls":                         boolSetting("on", "enable input of null elements in arrays"),
	"quote_all_identifiers":               boolSetting("off", "when generating sql fragments, quote all identifiers"),
	"default_transaction_deferrable":      boolSetting("off", "sets the default deferrable status of new transactions"),
	"transaction_deferrable":              boolSetting("off", "whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures"),
	"xmloption":                           enumSetting("content", "sets whether xml data in implicit parsing and serialization operations is to be considered as documents or content fragments", "content", "document"),
	"plan_cache_mode":                     enumSetting("auto", "controls the planner's selection of custom or generic plan", "auto", "force_generic_plan", "force_custom_plan"),
	"default_transaction_isolation":       enumSetting("read committed", "sets the transaction isolation level of each new transaction", "serializable", "repeatable read", "read committed", "read uncommitted"),
	"backslash_quote":                     enumSetting("safe_encoding", "sets whether \"\\'\" is allowed in string literals", "safe_encoding", "on", "off"),
	"default_toast_compression":           enumSetting("pglz", "sets the default compression method for compressible values", "pglz", "lz4"),
	"default_tablespace":                  {def: "", desc: "sets the default tablespace to create tables and indexes in"},
	"temp_tablespaces":                    {def: "", desc: "sets the tablespace(s) to use for temporary tables and sort files"},
	"default_table_access_method":         {def: "heap", desc: "sets the default table access method for new tables"},
	"timezone_abbreviations":              {def: "Default", desc: "selects a file of time zone abbreviations"},
	"geqo":                                boolSetting("on", "enables genetic query optimization"),
	"enable_seqscan":                      boolSetting("on", "enables the planner's use of sequential-scan plans"),
	"enable_nestloop":                     boolSetting("on", "enables the planner's use of nested-loop join plans"),
	"enable_hashjoin":                     boolSetting("on", "enables the planner's use of hash join plans"),
	"tcp_keepalives_idle":                 intSetting("0", "time between issuing tcp keepalives", 0, math.MaxInt32),
	"bytea_output":                        enumSetting("hex", "sets the output format for bytea", "hex", "escape"),
	"statement_timeout":                   durationSetting("0", "sets the maximum allowed duration of any statement"),
	"max_index_keys":                      {def: "32", desc: "shows the maximum number of index keys"}, // JDBC reads it for foreign keys
}

func boolSetting(def, desc string) setting {
	return setting{def: def, desc: desc, check: checkBool, vartype: "bool"}
}

func intSetting(def, desc string, lo, hi int) setting {
	return setting{def: def, desc: desc, check: checkInt(lo, hi), vartype: "integer", min: strconv.Itoa(lo), max: strconv.Itoa(hi)}
}

// enumSetting accepts one of vals, case-insensitively, as PostgreSQL's enum settings do.
func enumSetting(def, desc string, vals ...string) setting {
	return setting{def: def, desc: desc, vartype: "enum", enum: vals, check: func(v string) (string, error) {
		l := strings.ToLower(strings.TrimSpace(v))
		for _, x := range vals {
			if l == x {
				return x, nil
			}
		}
		return "", sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for this enum setting: %q", v).
			WithHint("Available values: %s.", strings.Join(vals, ", "))
	}}
}

// durationSetting reads a time in milliseconds, with an optional unit (us, ms, s, min, h, d),
// between 0 and INT_MAX milliseconds.
func durationSetting(def, desc string) setting {
	units := map[string]float64{"": 1, "us": 0.001, "ms": 1, "s": 1000, "min": 60000, "h": 3600000, "d": 86400000}
	return unitSetting(def, desc, "ms", units, "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".")
}

// memorySetting reads a size in kilobytes, with an optional unit (B, kB, MB, GB, TB), between
// 64 kB and INT_MAX kB as work_mem allows.
func memorySetting(def, desc string) setting {
	units := map[string]float64{"": 1, "b": 1.0 / 1024, "kb": 1, "mb": 1024, "gb": 1024 * 1024, "tb": 1024 * 1024 * 1024}
	s := unitSetting(def, desc, "kB", units, "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".")
	inner := s.check
	s.min = "64"
	s.check = func(v string) (string, error) {
		out, err := inner(v)
		if err == nil && settingNumber(out, units) < 64 {
			return "", sqlstate.New(sqlstate.InvalidParameterValue, "%.0f kB is outside the valid range for this setting (64 .. %d)", settingNumber(out, units), math.MaxInt32)
		}
		return out, err
	}
	return s
}

func unitSetting(def, desc, unit string, units map[string]float64, hint string) setting {
	return setting{def: def, desc: desc, vartype: "integer", unit: unit, min: "0", max: strconv.Itoa(math.MaxInt32),
		check: func(v string) (string, error) {
			n := settingNumber(v, units)
			switch {
			case math.IsNaN(n):
				return "", sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for an integer setting: %q", v).WithHint("%s", hint)
			case n < 0 || n > math.MaxInt32:
				return "", sqlstate.New(sqlstate.InvalidParameterValue, "%s is outside the valid range for this setting (0 .. %d)", strings.TrimSpace(v), math.MaxInt32)
			}
			return strings.TrimSpace(v), nil
		}}
}

// settingNumber reads "250ms", "5 s", "4MB" or "100" in the base unit of units, NaN when it is
// not a number with a known unit.
func settingNumber(v string, units map[string]float64) float64 {
	s := strings.TrimSpace(v)
	i := strings.IndexFunc(s, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+') })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	}
	f, err := strconv.ParseFloat(num, 64)
	m, ok := units[unit]
	if err != nil || !ok {
		return math.NaN()
	}
	return math.Round(f * m)
}

// settingRows lists every setting for pg_settings (catalog.RegisterSettings): name, default
// value and what PostgreSQL's columns say about its type. The catalog is shared by sessions, so
// setting shows the default; SHOW and current_setting() give a session's value.
func settingRows() []catalog.SettingInfo {
	out := make([]catalog.SettingInfo, 0, len(settingsTable))
	for n, s := range settingsTable {
		vt := s.vartype
		if vt == "" {
			vt = "string"
		}
		out = append(out, catalog.SettingInfo{Name: displaySettingName(n), Value: s.def, Desc: s.desc, VarType: vt,
			Unit: s.unit, Min: s.min, Max: s.max, EnumVals: s.enum, Internal: isReadOnlySetting(n)})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}
