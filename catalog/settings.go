package catalog

import (
	"sync"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// SettingInfo describes one run-time setting for pg_settings. The settings themselves belong to
// package planner (its Session validates and stores them); the catalog only shows them.
type SettingInfo struct {
	Name, Value, Desc string
	// VarType is bool, integer, real, string or enum; Unit is ms, kB or empty.
	VarType, Unit string
	Min, Max      string
	EnumVals      []string
	// Internal settings (server_version, …) cannot be changed.
	Internal bool
}

var settingsSource = struct {
	sync.RWMutex
	list func() []SettingInfo
}{}

// RegisterSettings sets where pg_settings reads its rows from; package planner registers its
// settings table when it is loaded. With none registered, pg_settings lists a fixed few.
func RegisterSettings(list func() []SettingInfo) {
	settingsSource.Lock()
	settingsSource.list = list
	settingsSource.Unlock()
}

// registeredSettingRows is pg_settings from the registered settings, nil when none are.
func registeredSettingRows() [][]any {
	settingsSource.RLock()
	list := settingsSource.list
	settingsSource.RUnlock()
	if list == nil {
		return nil
	}
	var out [][]any
	for _, s := range list() {
		ctx, category := "user", "Client Connection Defaults"
		if s.Internal {
			ctx, category = "internal", "Preset Options"
		}
		if len(s.Name) > 10 && s.Name[:10] == "stripesql." {
			category = "stripesql"
		}
		var enum any
		if s.EnumVals != nil {
			items := make([]any, len(s.EnumVals))
			for i, v := range s.EnumVals {
				items[i] = v
			}
			enum = sqltypes.Array{Elem: sqltypes.Text, Items: items}
		}
		out = append(out, []any{s.Name, s.Value, textOrNil(s.Unit), category, s.Desc, nil, ctx, s.VarType, "default",
			textOrNil(s.Min), textOrNil(s.Max), enum, s.Value, s.Value, nil, nil, false})
	}
	return out
}

func textOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
